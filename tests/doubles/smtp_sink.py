"""A local SMTP server that accepts every message and keeps it, for the monthly alert-channel
test (seed 001 §4: Slack/Webhook/Email test alert). It speaks the part of SMTP (RFC 5321) a
mail client uses: EHLO/HELO, MAIL FROM, RCPT TO, DATA (dot-stuffed, ended by "."), RSET, NOOP,
QUIT; no TLS and no AUTH (it says so in EHLO, so a client asking for them fails clearly).

    python3 smtp_sink.py --port 18091 --spool /var/spool/smtp-sink

Each message is appended to <spool>/messages.jsonl as {"from", "to", "data"}.
"""
import argparse
import json
import os
import socketserver
import threading

LOCK = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 smtp-sink ESMTP ready")
        sender, rcpts = None, []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 smtp-sink" if verb == "HELO" else "250-smtp-sink\r\n250 8BITMIME")
            elif line.upper().startswith("MAIL FROM:"):
                sender, rcpts = line[10:].strip().strip("<>"), []
                self.reply("250 OK")
            elif line.upper().startswith("RCPT TO:"):
                if sender is None:
                    self.reply("503 5.5.1 MAIL first")
                    continue
                rcpts.append(line[8:].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("503 5.5.1 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline(65536).decode("utf-8", "replace").rstrip("\r\n")
                    if data == ".":
                        break
                    lines.append(data[1:] if data.startswith("..") else data)
                self.store({"from": sender, "to": rcpts, "data": "\n".join(lines)})
                sender, rcpts = None, []
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, rcpts = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 5.5.2 command not implemented")

    def store(self, message):
        with LOCK:
            with open(os.path.join(self.server.spool, "messages.jsonl"), "a") as spool:
                spool.write(json.dumps(message) + "\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=18091)
    parser.add_argument("--spool", default="/var/spool/smtp-sink")
    args = parser.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    server = Server(("127.0.0.1", args.port), Session)
    server.spool = args.spool
    server.serve_forever()


if __name__ == "__main__":
    main()
