# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local double of Railway's public GraphQL API and of the service it runs, for tests.

Railway cannot be reached from our tests. This answers as Railway's public API
(POST /graphql/v2, documented at docs.railway.com/integrations/api) does, for the operations
the seed 002 runbook needs, and serves the deployed app itself:

Reproduced
  auth            `Authorization: Bearer <account/team token>` or `Project-Access-Token: <token>`;
                  a missing or wrong token -> HTTP 200 {"data": null, "errors": [{"message":
                  "Not Authorized", "extensions": {"code": "UNAUTHENTICATED"}}]} (GraphQL errors
                  come with status 200)
  deployments(input: {projectId, environmentId, serviceId}, first)
                  {"deployments": {"edges": [{"node": {id, status, createdAt, staticUrl,
                  canRollback, meta}}]}}, newest first; statuses SUCCESS (the live one),
                  REMOVED (replaced), FAILED, CRASHED; meta {image, commitHash, commitMessage}
  deploymentRollback(id) -> true. Railway documents that a rollback "will revert to the
                  previously successful deployment. Both the Docker image and custom variables
                  are restored": here the target becomes SUCCESS again, the live one REMOVED,
                  and the variables the target ran with are restored. A FAILED/CRASHED target
                  -> error "Deployment cannot be rolled back".
  deploymentRedeploy(id) -> a NEW deployment with the same meta (Railway: "This will create
                  a new deployment with the exact same code and build/deploy configuration")
  variables(projectId, environmentId, serviceId) -> {"variables": {NAME: value}}
  variableUpsert(input: {projectId, environmentId, serviceId, name, value, skipDeploys})
                  -> true; without skipDeploys it also redeploys the service (new deployment)
  serviceInstanceRedeploy(environmentId, serviceId) -> true (new deployment of the live one)
  service(id)     {"service": {id, name, projectId}}; an unknown id -> errors
                  [{"message": "Service not found"}]; deployments/variables of an unknown
                  service or project -> the same error; an unknown operation -> a GraphQL
                  validation error ("Cannot query field ...")
  the app         --app-port serves what the live deployment runs: GET /health and
                  /api/health -> 200 {"status":"ok","timestamp","uptime"} when its image is
                  healthy, 503 {"error":{"code":"SERVICE_UNAVAILABLE"}} when not (which images
                  are broken is test data, invisible through the API)

Not reproduced
  GraphQL itself: the query text is not parsed or validated; the root field is found by name
  and every argument must come as a GraphQL variable (as the modules send them). All fields
  of a node are returned, whatever the selection. No pagination cursors, no rate limits
  (Railway: 1000 requests/hour on Hobby), no build/deploy delays: a deployment is live at once.
  The exact wording of error messages is what community clients report, not a documented
  contract.

Test controls (not Railway's): POST /_scenario {"name": "healthy"|"broken"} resets the world;
GET /_state; GET /_records (operations called, without tokens); DELETE /_records.

Run: python3 railway_double.py --port 18960 --app-port 18961 (token in $RAILWAY_DOUBLE_TOKEN)
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from doublelib import daemonize

PROJECT, ENVIRONMENT, SERVICE = "prj-soul-lab", "env-production", "svc-soul-lab-server"
LOCK = threading.Lock()
STARTED = time.time()


def _dep(num, status, image, healthy, message, variables):
    return {"id": "dep-%04d" % num, "status": status, "createdAt": "2026-01-%02dT10:00:00.000Z" % num,
            "staticUrl": "soul-lab-server.up.railway.app", "canRollback": status in ("SUCCESS", "REMOVED"),
            "meta": {"image": "ghcr.io/soul-lab/server:%s" % image, "commitHash": "c0ffee%02d" % num,
                     "commitMessage": message},
            "_healthy": healthy, "_variables": dict(variables)}


BASE_VARS = {"NODE_ENV": "production", "PORT": "8787", "INVITE_LIMIT_PER_IP": "20", "REWARD_LIMIT_PER_USER": "10"}


def scenario(name):
    """healthy: v3 is live and answers. broken: v4 (newest) is live and answers 503."""
    deps = [
        _dep(1, "REMOVED", "v1", True, "first release", BASE_VARS),
        _dep(2, "FAILED", "v2", False, "build breaks", BASE_VARS),
        _dep(3, "SUCCESS", "v3", True, "fortune cache", BASE_VARS),
    ]
    if name == "broken":
        deps[2]["status"] = "REMOVED"
        deps.append(_dep(4, "SUCCESS", "v4", False, "redis pool rewrite", BASE_VARS))
    elif name != "healthy":
        raise ValueError("unknown scenario %r" % name)
    return {"deployments": deps, "variables": dict(BASE_VARS), "next": 5}


class World:
    def __init__(self, token):
        self.token = token
        self.state = scenario("healthy")
        self.records = []

    def live(self):
        live = [d for d in self.state["deployments"] if d["status"] == "SUCCESS"]
        return max(live, key=lambda d: d["createdAt"]) if live else None

    def new_deployment(self, source):
        num = self.state["next"]
        self.state["next"] += 1
        for d in self.state["deployments"]:
            if d["status"] == "SUCCESS":
                d["status"] = "REMOVED"
        dep = json.loads(json.dumps(source))
        dep.update(id="dep-%04d" % num, status="SUCCESS", createdAt="2026-01-%02dT10:00:00.000Z" % num,
                   canRollback=True, _variables=dict(self.state["variables"]))
        self.state["deployments"].append(dep)
        return dep


def public(dep):
    return dict((k, v) for k, v in dep.items() if not k.startswith("_"))


class GraphQLError(Exception):
    def __init__(self, message, code="INTERNAL_SERVER_ERROR"):
        super().__init__(message)
        self.code = code


def check_scope(args):
    if args.get("projectId", PROJECT) != PROJECT:
        raise GraphQLError("Project not found", "NOT_FOUND")
    if args.get("environmentId", ENVIRONMENT) != ENVIRONMENT:
        raise GraphQLError("Environment not found", "NOT_FOUND")
    if args.get("serviceId", SERVICE) != SERVICE:
        raise GraphQLError("Service not found", "NOT_FOUND")


def execute(world, query, variables):
    """(root field name, value) of one operation."""
    for field in ("deploymentRollback", "deploymentRedeploy", "variableUpsert", "serviceInstanceRedeploy",
                  "deployments", "variables", "service"):
        if "%s(" % field in query:
            break
    else:
        raise GraphQLError("Cannot query field on type \"Query\" (the double knows deployments, deploymentRollback, "
                           "deploymentRedeploy, variables, variableUpsert, serviceInstanceRedeploy, service)",
                           "GRAPHQL_VALIDATION_FAILED")
    st = world.state
    by_id = dict((d["id"], d) for d in st["deployments"])
    if field == "service":
        if variables.get("id") != SERVICE:
            raise GraphQLError("Service not found", "NOT_FOUND")
        return field, {"id": SERVICE, "name": "soul-lab-server", "projectId": PROJECT}
    if field == "deployments":
        check_scope(variables.get("input") or {})
        deps = sorted(st["deployments"], key=lambda d: d["createdAt"], reverse=True)
        first = variables.get("first") or len(deps)
        return field, {"edges": [{"node": public(d)} for d in deps[:first]]}
    if field == "variables":
        check_scope(variables)
        return field, dict(st["variables"])
    if field == "variableUpsert":
        inp = variables.get("input") or {}
        check_scope(inp)
        if not inp.get("name"):
            raise GraphQLError("Variable name is required", "BAD_USER_INPUT")
        st["variables"][inp["name"]] = str(inp.get("value", ""))
        world.records.append({"op": field, "name": inp["name"], "skipDeploys": bool(inp.get("skipDeploys"))})
        if not inp.get("skipDeploys") and world.live():
            world.new_deployment(world.live())
        return field, True
    if field == "serviceInstanceRedeploy":
        check_scope(variables)
        live = world.live()
        if live is None:
            raise GraphQLError("No deployment to redeploy", "BAD_USER_INPUT")
        world.new_deployment(live)
        world.records.append({"op": field})
        return field, True
    target = by_id.get(variables.get("id"))
    if target is None:
        raise GraphQLError("Deployment not found", "NOT_FOUND")
    if field == "deploymentRedeploy":
        dep = world.new_deployment(target)
        world.records.append({"op": field, "id": target["id"], "new": dep["id"]})
        return field, {"id": dep["id"], "status": dep["status"], "createdAt": dep["createdAt"]}
    # deploymentRollback
    if target["status"] not in ("SUCCESS", "REMOVED"):
        raise GraphQLError("Deployment cannot be rolled back", "BAD_USER_INPUT")
    for d in st["deployments"]:
        if d["status"] == "SUCCESS":
            d["status"] = "REMOVED"
    target["status"] = "SUCCESS"
    st["variables"] = dict(target["_variables"])
    world.records.append({"op": field, "id": target["id"]})
    return field, True


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

    def _body(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        return json.loads(raw or b"{}")

    def do_GET(self):
        with LOCK:
            if self.path == "/_state":
                return self._send(200, self.world.state)
            if self.path == "/_records":
                return self._send(200, self.world.records)
        self._send(404, {"message": "Not Found"})

    def do_DELETE(self):
        with LOCK:
            if self.path == "/_records":
                self.world.records = []
                return self._send(200, {"ok": True})
        self._send(404, {"message": "Not Found"})

    def do_POST(self):
        try:
            body = self._body()
        except ValueError:
            return self._send(400, {"errors": [{"message": "POST body sent invalid JSON."}]})
        with LOCK:
            if self.path == "/_scenario":
                try:
                    self.world.state = scenario(body.get("name"))
                except ValueError as exc:
                    return self._send(400, {"error": str(exc)})
                self.world.records = []
                return self._send(200, {"ok": True})
            if self.path.rstrip("/") != "/graphql/v2":
                return self._send(404, {"message": "Not Found"})
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else self.headers.get("Project-Access-Token")
            if token != self.world.token:
                return self._send(200, {"data": None, "errors": [{
                    "message": "Not Authorized", "locations": [{"line": 1, "column": 1}],
                    "extensions": {"code": "UNAUTHENTICATED"}}]})
            try:
                field, value = execute(self.world, body.get("query") or "", body.get("variables") or {})
            except GraphQLError as exc:
                return self._send(200, {"data": None, "errors": [{
                    "message": str(exc), "locations": [{"line": 1, "column": 1}], "extensions": {"code": exc.code}}]})
            self._send(200, {"data": {field: value}})


class App(BaseHTTPRequestHandler):
    world = None

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        with LOCK:
            live = self.world.live()
            healthy = bool(live and live["_healthy"])
        if self.path.split("?")[0] in ("/health", "/api/health"):
            if healthy:
                doc, status = {"status": "ok", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "uptime": int(time.time() - STARTED)}, 200
            else:
                doc, status = {"error": {"code": "SERVICE_UNAVAILABLE", "message": "redis pool exhausted"}}, 503
        else:
            doc, status = {"error": {"code": "NOT_FOUND"}}, 404
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18960)
    parser.add_argument("--app-port", type=int, default=18961)
    parser.add_argument("--scenario", default="healthy")
    parser.add_argument("--daemon", metavar="PIDFILE", help="fork into the background, write the pid here")
    args = parser.parse_args()
    world = World(os.environ.get("RAILWAY_DOUBLE_TOKEN", "railway-test-token"))
    world.state = scenario(args.scenario)
    Api.world = App.world = world
    api = ThreadingHTTPServer(("127.0.0.1", args.port), Api)
    app = ThreadingHTTPServer(("127.0.0.1", args.app_port), App)
    if args.daemon:
        daemonize(args.daemon)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    api.serve_forever()


if __name__ == "__main__":
    main()
