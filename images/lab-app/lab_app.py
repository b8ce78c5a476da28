"""Lab stand-in for a production service: the health endpoints the seeds' runbooks probe.

GET /                  200, a small HTML page (seed 000: GET / = 200)
GET /health            {"status": "ok"}                  (seed 002)
GET /actuator/health   {"status": "UP", ...}             (seeds 001 and 004, Spring style)

Break it on purpose, as the runbooks' drills do, by creating files in LAB_APP_STATE_DIR:
  broken   -> health endpoints answer 503 with status DOWN / error
  slow_ms  -> every answer waits that many milliseconds first
A credential it needs, as seed 001's services need their Slack/SMTP/API tokens: when
LAB_APP_TOKEN_VAR names an environment variable, the health endpoints answer 503 unless its
value is one of the lines of LAB_APP_VALID_TOKENS_FILE (what the upstream service accepts).
The app listens on 127.0.0.1:LAB_APP_PORT (containers use host networking).
"""
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("LAB_APP_PORT", "18080"))
STATE = os.environ.get("LAB_APP_STATE_DIR", "/var/lib/lab-app")
NAME = os.environ.get("LAB_APP_NAME", "lab-app")
VERSION = os.environ.get("LAB_APP_VERSION", "1.0.0")
TOKEN_VAR = os.environ.get("LAB_APP_TOKEN_VAR")
VALID_TOKENS = os.environ.get("LAB_APP_VALID_TOKENS_FILE", "/etc/lab-app/valid-tokens")


def token_rejected():
    """Whether the upstream would reject our credential (never says which value it is)."""
    if not TOKEN_VAR:
        return False
    try:
        with open(VALID_TOKENS) as f:
            valid = set(line.strip() for line in f if line.strip())
    except OSError:
        return True
    return os.environ.get(TOKEN_VAR, "") not in valid


def flag(name):
    try:
        with open(os.path.join(STATE, name)) as f:
            return f.read().strip() or "1"
    except OSError:
        return None


class Handler(BaseHTTPRequestHandler):
    server_version = NAME

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)

    def send(self, status, payload, ctype="application/json"):
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-App-Version", VERSION)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        slow = flag("slow_ms")
        if slow:
            time.sleep(int(slow) / 1000.0)
        broken = flag("broken") is not None or token_rejected()
        path = self.path.split("?", 1)[0]
        if path == "/":
            return self.send(200, "<html><body>%s %s</body></html>" % (NAME, VERSION), "text/html")
        if path == "/health":
            return self.send(503 if broken else 200, {"status": "error" if broken else "ok"})
        if path == "/actuator/health":
            status = "DOWN" if broken else "UP"
            return self.send(503 if broken else 200, {
                "status": status,
                "components": {"ping": {"status": "UP"}, "app": {"status": status}},
            })
        return self.send(404, {"error": "not found", "path": path})

    do_HEAD = do_GET


if __name__ == "__main__":
    os.makedirs(STATE, exist_ok=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
