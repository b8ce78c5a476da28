# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test double of the Azure CLI (run through the executable `az` beside this file), only `az ad app credential list --id APPID [--cert]`.

Output as the real command prints it (Microsoft Graph passwordCredentials / keyCredentials,
JSON indented by 2, keys customKeyIdentifier, displayName, endDateTime, hint, keyId,
startDateTime; keyCredentials also carry type and usage). State: AZ_DOUBLE_STATE (JSON):

  {"logged_in": true,
   "apps": {"<appId>": {"passwordCredentials": [...], "keyCredentials": [...]}}}

Admin (tests only, not an az command): `az --double-init APPID NAME=DAYS ...` writes the
state with one password credential per NAME expiring DAYS days from now (logged in).
Errors as az prints them: `ERROR: ...` on stderr, exit 1 (3 for an unknown resource).
Every call is appended to AZ_DOUBLE_LOG when set.
"""
import datetime
import json
import os
import sys
import uuid

STATE = os.environ.get("AZ_DOUBLE_STATE") or "/var/lib/az-double/state.json"


def load():
    try:
        with open(STATE) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"logged_in": False, "apps": {}}


def fail(msg, code=1):
    sys.stderr.write("ERROR: %s\n" % msg)
    sys.exit(code)


def credential(name, days, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(days=30)
    end = now + datetime.timedelta(days=days)
    return {"customKeyIdentifier": None, "displayName": name,
            "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", "hint": "Abc",
            "keyId": str(uuid.uuid4()), "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}


def main(argv):
    if os.environ.get("AZ_DOUBLE_LOG"):
        with open(os.environ["AZ_DOUBLE_LOG"], "a") as f:
            f.write(json.dumps({"argv": argv}) + "\n")
    if argv[:1] == ["--double-init"]:
        state = load()
        state["logged_in"] = True
        state.setdefault("apps", {})[argv[1]] = {
            "passwordCredentials": [credential(n, int(d)) for n, _eq, d in (a.partition("=") for a in argv[2:])],
            "keyCredentials": []}
        os.makedirs(os.path.dirname(os.path.abspath(STATE)), exist_ok=True)
        with open(STATE, "w") as f:
            json.dump(state, f, indent=2)
        return 0
    words = [w for w in argv if not w.startswith("-")]
    if words[:4] != ["ad", "app", "credential", "list"]:
        fail("'%s' is misspelled or not recognized by the system." % " ".join(words[:4]), code=2)
    opts = {}
    i = 0
    while i < len(argv):
        if argv[i] in ("--id", "--output", "-o", "--query"):
            if i + 1 >= len(argv):
                fail("argument %s: expected one argument" % argv[i], code=2)
            opts[argv[i]] = argv[i + 1]
            i += 2
            continue
        if argv[i].startswith("-") and argv[i] not in ("--cert", "--only-show-errors"):
            fail("unrecognized arguments: %s" % argv[i], code=2)
        i += 1
    if "--id" not in opts:
        fail("the following arguments are required: --id", code=2)
    if opts.get("--output", opts.get("-o", "json")) != "json":
        fail("the double prints JSON only", code=2)
    state = load()
    if not state.get("logged_in"):
        fail("Please run 'az login' to setup account.")
    app = state.get("apps", {}).get(opts["--id"])
    if app is None:
        fail("Resource '%s' does not exist or one of its queried reference-property objects are not present."
             % opts["--id"], code=3)
    creds = app.get("keyCredentials" if "--cert" in argv else "passwordCredentials", [])
    sys.stdout.write(json.dumps(creds, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
