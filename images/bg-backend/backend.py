"""A Spring Boot backend as seen from outside (seed 001's `backend-blue|green`).

Env: SERVER_PORT (Spring's), APP_VERSION (info.app.version), SPRING_PROFILES_ACTIVE.
Listens on 127.0.0.1:SERVER_PORT (host network). Answers:
  GET /api/actuator/health  200 {"status":"UP","groups":["liveness","readiness"]}
                            (503 {"status":"DOWN"} while /tmp/broken exists: a drill)
  GET /api/actuator/info    200 {"app":{"name":"web-project-backend","version":APP_VERSION}}
  anything else             404 Spring's error body {"timestamp","status","error","path"}
Logs like Spring Boot 3 (banner-less start lines, then CommonsRequestLoggingFilter's
"Before request [GET /path?query]" per request). No header names the colour. On SIGTERM it
stops accepting, finishes what it was answering, and exits (graceful shutdown).
"""
import datetime
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("SERVER_PORT", "8080"))
VERSION = os.environ.get("APP_VERSION", "unknown")
PID = os.getpid()
ACTUATOR = "application/vnd.spring-boot.actuator.v3+json"


def log(level, thread, logger, message):
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="milliseconds")
    sys.stdout.write("%s %5s %d --- [web-project-backend] [%15s] %-40s : %s\n"
                     % (stamp, level, PID, thread[-15:], logger[-40:], message))
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = ""
    sys_version = ""

    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype="application/json"):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        thread = "nio-%d-exec-%d" % (PORT, threading.get_ident() % 10)
        log("DEBUG", thread, "o.s.w.f.CommonsRequestLoggingFilter",
            "Before request [%s %s]" % (self.command, self.path))
        path = self.path.split("?", 1)[0]
        if path == "/api/actuator/health":
            if os.path.exists("/tmp/broken"):
                self.answer(503, {"status": "DOWN"}, ACTUATOR)
            else:
                self.answer(200, {"status": "UP", "groups": ["liveness", "readiness"]}, ACTUATOR)
        elif path == "/api/actuator/info":
            self.answer(200, {"app": {"name": "web-project-backend", "version": VERSION}}, ACTUATOR)
        else:
            self.answer(404, {"timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                              "status": 404, "error": "Not Found", "path": path})

    do_HEAD = do_GET


log("INFO", "main", "c.w.backend.BackendApplication",
    "Starting BackendApplication v%s using Java 21.0.5 with PID %d" % (VERSION, PID))
log("INFO", "main", "c.w.backend.BackendApplication", "The following 1 profile is active: \"%s\""
    % os.environ.get("SPRING_PROFILES_ACTIVE", "default"))
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = False          # let in-flight answers finish on shutdown
log("INFO", "main", "o.s.b.w.embedded.tomcat.TomcatWebServer",
    "Tomcat started on port %d (http) with context path '/'" % PORT)


def stop(*_args):
    log("INFO", "SpringApplicationShutdownHook", "o.s.b.w.e.tomcat.GracefulShutdown",
        "Commencing graceful shutdown. Waiting for active requests to complete")
    threading.Thread(target=server.shutdown, daemon=True).start()


signal.signal(signal.SIGTERM, stop)
server.serve_forever(poll_interval=0.1)
server.server_close()
log("INFO", "tomcat-shutdown", "o.s.b.w.e.tomcat.GracefulShutdown", "Graceful shutdown complete")
