# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local stand-in for seed 003's Supabase Edge Function `scheduled-dispatcher` and for the
pages of its web app that the Quick 7 smoke test opens, for tests.

Supabase's hosted Edge Functions cannot be reached from our tests; the database behind them
is real (PostgreSQL, reached with `psql`, connection from the PG* environment variables).

Reproduced
  POST /functions/v1/scheduled-dispatcher
      the function's contract as seed 003 (§3-C, cron.md) describes it: the caller sends the
      shared secret in a header (default `x-dispatcher-secret`, the "Vault secret" that must
      equal the function's "Edge secret"); a missing or different secret -> 401
      {"error": "unauthorized"}. Otherwise it turns due messages (scheduled_status='pending'
      AND scheduled_at < now()) into 'sent', at most --batch per call, in the real database,
      and answers 200 {"processed": n, "remaining": m}. A database error -> 500 {"error"}.
  The Quick 7 pages (seed 003 §6), as a Next.js app would answer them:
      T1 GET /login 200 HTML; GET /home without a session -> 307 to /login
      T2 GET /api/wallet/packages       200 {"packages": [...]}
      T3 GET /api/subscriptions         200 {"items": [], "error": null}
      T4 GET /api/realtime/health       200 {"status": "ok", "channels": n}
      T5 GET /api/profile/share         200 {"enabled": true}
      T6 GET /api/funding/campaigns     200 {"campaigns": [...]}
      T7 GET /api/admin/dashboard       200 {"lists": [...], "publish": "ok"}
Not reproduced
  Supabase's gateway (apikey / JWT verification of `Authorization: Bearer`), Deno, the real
  function's code, Realtime. Screens are not rendered: the smoke test checks what the pages'
  data endpoints answer.

Test controls (not Supabase's):
  POST /_control {"break": {"T5": 500, "T3": "masked"}}  break pages: a number is the status
       to answer, "masked" makes T3 hide an error as an empty list (200, "error" set)
  GET /_records   dispatcher calls [{"authorized", "processed"}] (never the secret)
  DELETE /_records  forget them and the broken pages

Run: DISPATCHER_SECRET=... PGHOST=127.0.0.1 PGPORT=... PGUSER=... PGPASSWORD=... PGDATABASE=...
     python3 supabase_double.py --port 18971 [--batch 500] [--daemon PIDFILE]
"""
import argparse
import hmac
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from doublelib import daemonize

LOCK = threading.Lock()
DRAIN_SQL = """WITH due AS (
  SELECT id FROM messages WHERE scheduled_status = 'pending' AND scheduled_at < now()
  ORDER BY scheduled_at LIMIT %d FOR UPDATE SKIP LOCKED)
UPDATE messages m SET scheduled_status = 'sent', sent_at = now() FROM due WHERE m.id = due.id RETURNING m.id;
"""
REMAINING_SQL = "SELECT count(*) FROM messages WHERE scheduled_status = 'pending' AND scheduled_at < now();\n"

PAGES = {
    "/api/wallet/packages": ("T2", {"packages": [{"id": "dt-100", "amount": 100, "price": 1200},
                                                 {"id": "dt-500", "amount": 500, "price": 5500}]}),
    "/api/subscriptions": ("T3", {"items": [], "error": None}),
    "/api/realtime/health": ("T4", {"status": "ok", "channels": 12}),
    "/api/profile/share": ("T5", {"enabled": True}),
    "/api/funding/campaigns": ("T6", {"campaigns": [{"id": 1, "title": "first album"}]}),
    "/api/admin/dashboard": ("T7", {"lists": ["banners", "flags", "assets"], "publish": "ok"}),
}


def psql(sql):
    """Rows (first column) of sql run by psql with the PG* environment; raises on failure."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-w", "-f", "-"],
                         input=sql, capture_output=True, text=True, timeout=30, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "psql rc %d" % out.returncode)
    return [line for line in out.stdout.splitlines() if line.strip()]


class Handler(BaseHTTPRequestHandler):
    secret = ""
    header = "x-dispatcher-secret"
    batch = 500
    broken = {}
    records = []

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, doc, ctype="application/json", headers=None):
        data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        cls = type(self)
        with LOCK:
            if path == "/_records":
                return self._send(200, cls.records)
            broken = dict(cls.broken)
        if path == "/login":
            if "T1" in broken:
                return self._send(int(broken["T1"]), b"<h1>Application error</h1>", "text/html")
            return self._send(200, b"<html><title>Login</title><form id='login'></form></html>", "text/html")
        if path == "/home":
            return self._send(307, b"", "text/plain", {"Location": "/login?next=%2Fhome"})
        if path in PAGES:
            test, doc = PAGES[path]
            if broken.get(test) == "masked":
                return self._send(200, {"items": [], "error": "permission denied for table subscriptions"})
            if test in broken:
                return self._send(int(broken[test]), {"error": "internal error"})
            return self._send(200, doc)
        self._send(404, {"error": "not found"})

    def do_DELETE(self):
        cls = type(self)
        with LOCK:
            if self.path == "/_records":
                cls.records = []
                cls.broken = {}
                return self._send(200, {"ok": True})
        self._send(404, {"error": "not found"})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cls = type(self)
        if self.path == "/_control":
            with LOCK:
                cls.broken = dict(json.loads(raw or b"{}").get("break") or {})
            return self._send(200, {"ok": True})
        if self.path.split("?")[0] != "/functions/v1/scheduled-dispatcher":
            return self._send(404, {"error": "Function not found"})
        given = self.headers.get(cls.header) or ""
        authorized = bool(cls.secret) and hmac.compare_digest(given.encode(), cls.secret.encode())
        if not authorized:
            with LOCK:
                cls.records.append({"authorized": False, "processed": 0})
            return self._send(401, {"error": "unauthorized"})
        try:
            with LOCK:
                processed = len(psql(DRAIN_SQL % cls.batch))
                remaining = int(psql(REMAINING_SQL)[0])
                cls.records.append({"authorized": True, "processed": processed})
        except (RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as exc:
            return self._send(500, {"error": str(exc)})
        self._send(200, {"processed": processed, "remaining": remaining})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18971)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--secret-header", default="x-dispatcher-secret")
    parser.add_argument("--daemon", metavar="PIDFILE")
    args = parser.parse_args()
    Handler.secret = os.environ.get("DISPATCHER_SECRET", "")
    Handler.header = args.secret_header
    Handler.batch = args.batch
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.daemon:
        daemonize(args.daemon)
    server.serve_forever()


if __name__ == "__main__":
    main()
