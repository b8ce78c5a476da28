"""Blue-green backend stand-in: GET /api/actuator/health -> {"status": "UP", "color", "version"}.

Env: PORT, COLOR (blue|green), APP_VERSION (the image tag). Listens on 127.0.0.1:PORT (host
network). Drills: a file /tmp/broken makes health answer 503 DOWN. On SIGTERM it stops
accepting, finishes what it was answering, and exits (docker stop waits for that).
"""
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8080"))
COLOR = os.environ.get("COLOR", "blue")
VERSION = os.environ.get("APP_VERSION", "unknown")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        broken = os.path.exists("/tmp/broken")
        status = 503 if broken else 200
        body = json.dumps({"status": "DOWN" if broken else "UP", "color": COLOR,
                           "version": VERSION}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Color", COLOR)
        self.send_header("X-Version", VERSION)
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = False          # let in-flight answers finish on shutdown


def stop(*_args):
    threading.Thread(target=server.shutdown, daemon=True).start()


signal.signal(signal.SIGTERM, stop)
server.serve_forever(poll_interval=0.1)
server.server_close()
