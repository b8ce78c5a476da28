# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local double of Cloudflare's Pages API (client/v4) and of the site it serves, for tests.

Cloudflare cannot be reached from our tests. This answers as the documented API does
(developers.cloudflare.com/api/resources/pages/) for what the seed 002 runbook needs:

Reproduced
  envelope   every answer {"success", "errors": [{"code", "message"}], "messages", "result"}
             (+ "result_info" {page, per_page, count, total_count} on lists)
  auth       `Authorization: Bearer <token>`; missing/wrong -> 403 success=false
             errors [{"code": 10000, "message": "Authentication error"}]
  GET  /client/v4/accounts/{account_id}/pages/projects/{project_name}
             result {name, subdomain, canonical_deployment, latest_deployment, ...}
  GET  /client/v4/accounts/{account_id}/pages/projects/{project_name}/deployments?env=&page=&per_page=
             newest first, deployment objects {id, short_id, project_name, environment,
             url, created_on, modified_on, latest_stage {name, status}, deployment_trigger
             {type, metadata {branch, commit_hash, commit_message}}, is_skipped, aliases}
  POST /client/v4/accounts/{account_id}/pages/projects/{project_name}/deployments/{id}/rollback
             result = the deployment now live; the project's canonical_deployment becomes it
             (Cloudflare: "your project's production deployment will change instantly"; no
             new deployment is created). Only successful production builds are targets:
             a preview or failed one -> 400 with code 8000035 (the code is this double's,
             the rule is Cloudflare's).
  unknown project -> 404 code 8000007 "Project not found. The specified project name does
             not match any of your existing projects."; unknown deployment -> 404 code
             8000009 "The deployment ID you have specified does not exist."; unknown account
             -> 403 code 10000 (as Cloudflare answers for an account the token cannot see)
  the site   --site-port serves what the live (canonical) deployment holds: GET / -> 200 HTML
             for a good build, 404 "Not found" for the build that shipped an empty output
             directory (which build is broken is test data)

Not reproduced
  Other endpoints (create/retry/delete deployments, logs, domains), global API keys
  (X-Auth-Email/X-Auth-Key), rate limits, per_page limits beyond a default of 25, and the
  exact wording of codes Cloudflare does not document.

Test controls (not Cloudflare's): POST /_scenario {"name": "healthy"|"broken"}, GET /_state,
GET /_records, DELETE /_records.

Run: python3 cloudflare_double.py --port 18962 --site-port 18963 (token in $CLOUDFLARE_DOUBLE_TOKEN)
"""
import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from doublelib import daemonize

ACCOUNT, PROJECT = "0123456789abcdef0123456789abcdef", "soul-lab"
LOCK = threading.Lock()


def _dep(num, env, stage_status, commit, message, healthy):
    return {
        "id": "%08x-0000-4000-8000-%012d" % (0x5011ab00 + num, num), "short_id": "%08x" % (0x5011ab00 + num),
        "project_id": "proj-soul-lab", "project_name": PROJECT, "environment": env,
        "url": "https://%08x.soul-lab.pages.dev" % (0x5011ab00 + num),
        "created_on": "2026-01-%02dT09:00:00.000000Z" % num, "modified_on": "2026-01-%02dT09:02:00.000000Z" % num,
        "latest_stage": {"name": "deploy", "status": stage_status, "started_on": None, "ended_on": None},
        "deployment_trigger": {"type": "github:push", "metadata": {
            "branch": "main" if env == "production" else "feature/x", "commit_hash": commit, "commit_message": message}},
        "is_skipped": False, "aliases": None, "_healthy": healthy,
    }


def scenario(name):
    """healthy: f3 is live. broken: f5 (newest, empty output dir) is live; f4 is a preview."""
    deps = [
        _dep(1, "production", "success", "a1a1a1a", "landing page", True),
        _dep(2, "production", "failure", "b2b2b2b", "pnpm lockfile", False),
        _dep(3, "production", "success", "c3c3c3c", "tarot copy", True),
    ]
    canonical = deps[2]["id"]
    if name == "broken":
        deps.append(_dep(4, "preview", "success", "d4d4d4d", "wip", True))
        deps.append(_dep(5, "production", "success", "e5e5e5e", "vite 6", False))
        canonical = deps[4]["id"]
    elif name != "healthy":
        raise ValueError("unknown scenario %r" % name)
    return {"deployments": deps, "canonical": canonical}


class World:
    def __init__(self, token):
        self.token = token
        self.state = scenario("healthy")
        self.records = []

    def dep(self, dep_id):
        for d in self.state["deployments"]:
            if d["id"] == dep_id:
                return d
        return None


def public(dep):
    return dict((k, v) for k, v in dep.items() if not k.startswith("_")) if dep else None


def envelope(result=None, errors=None, info=None):
    doc = {"success": not errors, "errors": errors or [], "messages": [], "result": result}
    if info is not None:
        doc["result_info"] = info
    return doc


class Api(BaseHTTPRequestHandler):
    world = None

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, doc):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fail(self, status, code, message):
        self._send(status, envelope(errors=[{"code": code, "message": message}]))

    def _route(self, method):
        parts = urlsplit(self.path)
        segs = [s for s in parts.path.split("/") if s]
        if segs[:2] != ["client", "v4"]:
            return self._fail(404, 7000, "No route for that URI")
        auth = self.headers.get("Authorization", "")
        if auth != "Bearer %s" % self.world.token:
            return self._fail(403, 10000, "Authentication error")
        segs = segs[2:]
        if len(segs) < 4 or segs[0] != "accounts" or segs[2:4] != ["pages", "projects"]:
            return self._fail(404, 7000, "No route for that URI")
        if segs[1] != ACCOUNT:
            return self._fail(403, 10000, "Authentication error")
        if len(segs) < 5 or segs[4] != PROJECT:
            return self._fail(404, 8000007, "Project not found. The specified project name does not match "
                                            "any of your existing projects.")
        st = self.world.state
        rest = segs[5:]
        if method == "GET" and not rest:
            deps = sorted(st["deployments"], key=lambda d: d["created_on"])
            prod = [d for d in deps if d["environment"] == "production"]
            return self._send(200, envelope({
                "id": "proj-soul-lab", "name": PROJECT, "subdomain": "soul-lab.pages.dev", "production_branch": "main",
                "canonical_deployment": public(self.world.dep(st["canonical"])),
                "latest_deployment": public(prod[-1] if prod else None)}))
        if method == "GET" and rest == ["deployments"]:
            query = parse_qs(parts.query)
            env = (query.get("env") or [None])[0]
            page = int((query.get("page") or ["1"])[0])
            per_page = int((query.get("per_page") or ["25"])[0])
            deps = sorted(st["deployments"], key=lambda d: d["created_on"], reverse=True)
            if env:
                deps = [d for d in deps if d["environment"] == env]
            chunk = deps[(page - 1) * per_page:page * per_page]
            return self._send(200, envelope([public(d) for d in chunk], info={
                "page": page, "per_page": per_page, "count": len(chunk), "total_count": len(deps)}))
        if len(rest) >= 2 and rest[0] == "deployments":
            dep = self.world.dep(rest[1])
            if dep is None:
                return self._fail(404, 8000009, "The deployment ID you have specified does not exist.")
            if method == "GET" and len(rest) == 2:
                return self._send(200, envelope(public(dep)))
            if method == "POST" and rest[2:] == ["rollback"]:
                if dep["environment"] != "production" or dep["latest_stage"]["status"] != "success":
                    return self._fail(400, 8000035, "You can only rollback to a successful production deployment.")
                st["canonical"] = dep["id"]
                self.world.records.append({"op": "rollback", "id": dep["id"]})
                return self._send(200, envelope(public(dep)))
        return self._fail(405 if method == "POST" else 404, 7000, "No route for that URI")

    def do_GET(self):
        with LOCK:
            if self.path == "/_state":
                return self._send(200, self.world.state)
            if self.path == "/_records":
                return self._send(200, self.world.records)
            self._route("GET")

    def do_DELETE(self):
        with LOCK:
            if self.path == "/_records":
                self.world.records = []
                return self._send(200, {"ok": True})
            self._fail(405, 7001, "Method not allowed")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with LOCK:
            if self.path == "/_scenario":
                try:
                    self.world.state = scenario(json.loads(raw or b"{}").get("name"))
                except ValueError as exc:
                    return self._send(400, {"error": str(exc)})
                self.world.records = []
                return self._send(200, {"ok": True})
            self._route("POST")


class Site(BaseHTTPRequestHandler):
    world = None

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        with LOCK:
            live = self.world.dep(self.world.state["canonical"])
            healthy = bool(live and live["_healthy"])
            commit = live["deployment_trigger"]["metadata"]["commit_hash"] if live else ""
        if healthy:
            status, ctype = 200, "text/html; charset=utf-8"
            data = ('<!doctype html><html><head><title>Soul Lab</title></head><body><div id="root" '
                    'data-commit="%s"></div></body></html>' % commit).encode()
        else:
            status, ctype, data = 404, "text/plain", b"Not found"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18962)
    parser.add_argument("--site-port", type=int, default=18963)
    parser.add_argument("--scenario", default="healthy")
    parser.add_argument("--daemon", metavar="PIDFILE", help="fork into the background, write the pid here")
    args = parser.parse_args()
    world = World(os.environ.get("CLOUDFLARE_DOUBLE_TOKEN", "cloudflare-test-token"))
    world.state = scenario(args.scenario)
    Api.world = Site.world = world
    api = ThreadingHTTPServer(("127.0.0.1", args.port), Api)
    site = ThreadingHTTPServer(("127.0.0.1", args.site_port), Site)
    if args.daemon:
        daemonize(args.daemon)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    api.serve_forever()


if __name__ == "__main__":
    main()
