"""Print what the lab's Discord channel would show: the messages its webhook double accepted.

    python scripts/show_channel.py [--port 18081]
"""
import argparse
import json
import urllib.request


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=18081)
    args = parser.parse_args()
    with urllib.request.urlopen("http://127.0.0.1:%d/_records" % args.port, timeout=5) as resp:
        records = json.load(resp)
    if not records:
        print("(no messages)")
    for record in records:
        payload = record["payload"]
        for embed in payload.get("embeds", []):
            mention = (payload.get("content") + " ") if payload.get("content") else ""
            print("%s%s  [colour #%06x]" % (mention, embed.get("title"), embed.get("color", 0)))
            if embed.get("description"):
                print("    " + embed["description"])
            fields = ", ".join("%s=%s" % (f["name"], f["value"]) for f in embed.get("fields", []))
            if fields:
                print("    " + fields)


if __name__ == "__main__":
    main()
