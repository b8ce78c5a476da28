"""A stand-in for Grafana and Loki, which Debian does not package: only the health endpoints
seed 001's daily check reads, with their documented answers.

    GET /api/health  (Grafana)  200 {"commit": "...", "database": "ok", "version": "10.4.2"}
    GET /ready       (Loki)     200 "ready"
    POST /_state {"grafana_db": "failing"|"ok", "loki_ready": false|true}   break or repair them

Grafana answers 503 with "database": "failing" when its database is down; Loki answers 503
"Ingester not ready: ..." until it is ready.
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"grafana_db": "ok", "loki_ready": True}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/api/health":
            ok = STATE["grafana_db"] == "ok"
            return self.reply(200 if ok else 503, {"commit": "a1b2c3d", "database": STATE["grafana_db"], "version": "10.4.2"})
        if self.path == "/ready":
            if STATE["loki_ready"]:
                return self.reply(200, "ready\n", "text/plain")
            return self.reply(503, "Ingester not ready: waiting for 15s after being ready\n", "text/plain")
        return self.reply(404, {"message": "Not found"})

    def do_POST(self):
        if self.path != "/_state":
            return self.reply(404, {"message": "Not found"})
        STATE.update(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"))
        return self.reply(200, STATE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    ThreadingHTTPServer(("127.0.0.1", parser.parse_args().port), Handler).serve_forever()


if __name__ == "__main__":
    main()
