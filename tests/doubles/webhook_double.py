# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local double of the Discord and Slack incoming-webhook endpoints, for tests.

Discord and Slack cannot be reached from our tests. This answers as their documented APIs do
and records every message it accepted, so a test can read what the channel would have shown:

POST /api/webhooks/<id>/<token>      Discord "Execute Webhook": the body is checked against
                                     Discord's documented rules and limits; 204 No Content
                                     (200 with a message object when ?wait=true); 400
                                     {"code": 50006, ...} for an empty message or {"code": 50035,
                                     "message": "Invalid Form Body", "errors": {...}}
POST /services/<T>/<B>/<secret>      Slack incoming webhook: 200 "ok"; 400 "invalid_payload",
                                     "no_text", "invalid_blocks"
POST /hooks/<anything>               any JSON document: 200 {"ok": true}
GET  /_records                       what was accepted: [{"service", "path", "payload"}]
POST /_control                       {"rate_limit": n, "retry_after": s, "server_error": n}:
                                     answer the next n requests 429 (Discord's body, and
                                     Retry-After) or 500
DELETE /_records                     forget the records and the control counters

Run: python3 webhook_double.py --port 18300
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DISCORD_FIELD_LIMITS = {"title": 256, "description": 4096, "footer.text": 2048,
                        "author.name": 256}


def discord_errors(payload):
    """Problems Discord would report for an Execute Webhook body, as {path: message}."""
    errors = {}
    if not isinstance(payload, dict):
        return {"_": "body must be a JSON object"}
    content = payload.get("content")
    if content is not None and (not isinstance(content, str) or len(content) > 2000):
        errors["content"] = "Must be 2000 or fewer in length."
    username = payload.get("username")
    if username is not None:
        if not isinstance(username, str) or not 1 <= len(username) <= 80:
            errors["username"] = "Must be between 1 and 80 in length."
        elif "discord" in username.lower() or "clyde" in username.lower():
            errors["username"] = "Username cannot contain \"discord\" or \"clyde\"."
    embeds = payload.get("embeds")
    if embeds is not None:
        if not isinstance(embeds, list) or len(embeds) > 10:
            errors["embeds"] = "Must be 10 or fewer in length."
            embeds = []
        total = 0
        for i, embed in enumerate(embeds):
            if not isinstance(embed, dict):
                errors["embeds.%d" % i] = "Must be an object."
                continue
            for key, limit in DISCORD_FIELD_LIMITS.items():
                outer, _dot, inner = key.partition(".")
                value = embed.get(outer)
                if inner:
                    value = value.get(inner) if isinstance(value, dict) else None
                if value is not None:
                    if not isinstance(value, str) or len(value) > limit:
                        errors["embeds.%d.%s" % (i, key)] = "Must be %d or fewer in length." % limit
                    else:
                        total += len(value)
            color = embed.get("color")
            if color is not None and (not isinstance(color, int) or isinstance(color, bool)
                                      or not 0 <= color <= 0xFFFFFF):
                errors["embeds.%d.color" % i] = "Int value should be <= 16777215 and >= 0."
            fields = embed.get("fields", [])
            if not isinstance(fields, list) or len(fields) > 25:
                errors["embeds.%d.fields" % i] = "Must be 25 or fewer in length."
                fields = []
            for j, field in enumerate(fields):
                name, value = field.get("name"), field.get("value")
                if not isinstance(name, str) or not 1 <= len(name) <= 256:
                    errors["embeds.%d.fields.%d.name" % (i, j)] = "Must be between 1 and 256 in length."
                if not isinstance(value, str) or not 1 <= len(value) <= 1024:
                    errors["embeds.%d.fields.%d.value" % (i, j)] = "Must be between 1 and 1024 in length."
                if "inline" in field and not isinstance(field["inline"], bool):
                    errors["embeds.%d.fields.%d.inline" % (i, j)] = "Must be a boolean."
                total += len(name or "") + len(value or "")
        if total > 6000:
            errors["embeds"] = "Embed size exceeds maximum size of 6000"
    return errors


def slack_error(payload):
    if not isinstance(payload, dict):
        return "invalid_payload"
    blocks = payload.get("blocks")
    if not payload.get("text") and not blocks:
        return "no_text"
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > 50:
            return "invalid_blocks"
        for block in blocks:
            if not isinstance(block, dict) or block.get("type") not in (
                    "header", "section", "context", "divider", "actions", "image"):
                return "invalid_blocks"
            if block["type"] == "header" and len(block.get("text", {}).get("text", "")) > 150:
                return "invalid_blocks"
    return None


class Double(ThreadingHTTPServer):
    def __init__(self, address):
        super().__init__(address, Handler)
        self.lock = threading.Lock()
        self.records = []
        self.control = {"rate_limit": 0, "retry_after": 0.2, "server_error": 0}
        self.requests = 0


class Handler(BaseHTTPRequestHandler):
    server_version = "webhook-double"

    def log_message(self, *args):
        pass

    def reply(self, status, body=None, ctype="application/json", headers=None):
        data = b"" if body is None else (body if isinstance(body, bytes) else
                                         (json.dumps(body) if ctype == "application/json" else body).encode())
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_records":
            with self.server.lock:
                return self.reply(200, self.server.records)
        return self.reply(404, {"message": "404: Not Found", "code": 0})

    def do_DELETE(self):
        if self.path == "/_records":
            with self.server.lock:
                self.server.records.clear()
                self.server.control.update(rate_limit=0, server_error=0)
                self.server.requests = 0
            return self.reply(204)
        return self.reply(404, {"message": "404: Not Found", "code": 0})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            payload = ValueError
        srv = self.server
        if path == "/_control":
            with srv.lock:
                srv.control.update(payload or {})
            return self.reply(204)
        with srv.lock:
            srv.requests += 1
            if srv.control["rate_limit"] > 0:
                srv.control["rate_limit"] -= 1
                after = srv.control["retry_after"]
                return self.reply(429, {"message": "You are being rate limited.",
                                        "retry_after": after, "global": False},
                                  headers={"Retry-After": "%g" % after,
                                           "X-RateLimit-Reset-After": "%g" % after})
            if srv.control["server_error"] > 0:
                srv.control["server_error"] -= 1
                return self.reply(500, {"message": "500: Internal Server Error", "code": 0})
        if path.startswith("/api/webhooks/") and len(path.strip("/").split("/")) == 4:
            return self.discord(path, payload)
        if path.startswith("/services/") and len(path.strip("/").split("/")) == 4:
            return self.slack(path, payload)
        if path.startswith("/hooks/"):
            if payload is ValueError or payload is None:
                return self.reply(400, {"ok": False, "error": "body is not JSON"})
            self.record("webhook", path, payload)
            return self.reply(200, {"ok": True})
        return self.reply(404, {"message": "Unknown Webhook", "code": 10015})

    def discord(self, path, payload):
        if payload is ValueError:
            return self.reply(400, {"message": "The request body contains invalid JSON.", "code": 50109})
        if not payload or not (payload.get("content") or payload.get("embeds")):
            return self.reply(400, {"message": "Cannot send an empty message", "code": 50006})
        errors = discord_errors(payload)
        if errors:
            return self.reply(400, {"message": "Invalid Form Body", "code": 50035, "errors": errors})
        self.record("discord", path, payload)
        if "wait=true" in self.path:
            return self.reply(200, {"id": str(len(self.server.records)), "type": 0,
                                    "content": payload.get("content", ""),
                                    "embeds": payload.get("embeds", [])})
        return self.reply(204)

    def slack(self, path, payload):
        error = "invalid_payload" if payload is ValueError else slack_error(payload)
        if error:
            return self.reply(400, error, ctype="text/plain")
        self.record("slack", path, payload)
        return self.reply(200, "ok", ctype="text/plain")

    def record(self, service, path, payload):
        with self.server.lock:
            self.server.records.append({"service": service, "path": path, "payload": payload})


def main():
    parser = argparse.ArgumentParser(description="Discord/Slack webhook double")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18300)
    args = parser.parse_args()
    Double((args.host, args.port)).serve_forever()


if __name__ == "__main__":
    main()
