# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Fly.io app of seed 000 (the Teams <-> Freshchat bridge), as a real local HTTP service.

It answers for the app that the flyctl double (flyctl_double.py) keeps in its state file, the
way Fly's proxy and the bridge would:

GET  /                        200 while at least one machine is started on a healthy image;
                              503 (Fly proxy: no healthy machine) otherwise, e.g. after
                              `scale count 0` or a deploy of a broken image
GET  /health                  {"status": "ok"} or 503 {"status": "error"}
GET  /debug/mappings          {"count": n, "mappings": [...]} (conversation mappings)
POST /debug/reset             destroys the mappings: {"reset": true, "removed": n}
GET  /auth/permissions-status {"ok": true, ...}

Run: python3 fly_app.py --port 18801 --app freshchat-bridge [--state PATH] [--daemon PIDFILE]
(--state defaults to FLYCTL_DOUBLE_STATE, as for the double). Listens on 127.0.0.1 only.
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

import flyctl_double  # noqa: E402
from doublelib import daemonize  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    server_version = "freshchat-bridge"
    app_name = "freshchat-bridge"

    def log_message(self, fmt, *args):
        return

    def send(self, status, payload, ctype="application/json"):
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def app(self, state):
        return state["apps"].get(self.app_name)

    def serving(self):
        with flyctl_double.locked_state(write=False) as state:
            app = self.app(state)
            return bool(app) and any(m["state"] == "started" and flyctl_double.machine_healthy(app, m)
                                     for m in flyctl_double.launch(app))

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        ok = self.serving()
        if path == "/":
            if ok:
                return self.send(200, "<html><body>Teams-Freshchat bridge</body></html>", "text/html")
            return self.send(503, "no healthy machine to route to", "text/plain")
        if path == "/health":
            return self.send(200 if ok else 503, {"status": "ok" if ok else "error"})
        if not ok:
            return self.send(503, "no healthy machine to route to", "text/plain")
        if path == "/debug/mappings":
            with flyctl_double.locked_state(write=False) as state:
                mappings = self.app(state).get("debug_mappings", [])
            return self.send(200, {"count": len(mappings), "mappings": mappings})
        if path == "/auth/permissions-status":
            return self.send(200, {"ok": True, "permissions": ["ChannelMessage.Send", "Chat.ReadWrite"]})
        return self.send(404, {"error": "not found", "path": path})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if path != "/debug/reset":
            return self.send(404, {"error": "not found", "path": path})
        if not self.serving():
            return self.send(503, "no healthy machine to route to", "text/plain")
        with flyctl_double.locked_state() as state:
            app = self.app(state)
            removed = len(app.get("debug_mappings", []))
            app["debug_mappings"] = []
            app.setdefault("debug_resets", 0)
            app["debug_resets"] += 1
        return self.send(200, {"reset": True, "removed": removed})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=18801)
    p.add_argument("--app", default="freshchat-bridge")
    p.add_argument("--state")
    p.add_argument("--daemon", metavar="PIDFILE", help="detach, writing the pid here")
    opts = p.parse_args(argv)
    if opts.state:
        os.environ["FLYCTL_DOUBLE_STATE"] = opts.state
    Handler.app_name = opts.app
    server = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    if opts.daemon:
        daemonize(opts.daemon)
    server.serve_forever()


if __name__ == "__main__":
    main()
