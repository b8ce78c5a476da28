# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 002: Railway and Cloudflare Pages clients and decisions against the local doubles
(tests/doubles, run in threads here), and the Redis probe against a RESP stub and bad input."""
from __future__ import annotations

import json
import socket
import threading
from http.server import ThreadingHTTPServer

import pytest

import cloudflare_double
import railway_double
from ansible_collections.oncall.runbooks.plugins.module_utils import cloudflare as cf
from ansible_collections.oncall.runbooks.plugins.module_utils import railway as rw
from ansible_collections.oncall.runbooks.plugins.module_utils import redis_probe as rp

RW_TOKEN, CF_TOKEN = "rw-unit-token", "cf-unit-token"


def serve(handler):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture
def railway(request):
    world = railway_double.World(RW_TOKEN)
    world.state = railway_double.scenario(getattr(request, "param", "broken"))

    class Api(railway_double.Api):
        pass

    class App(railway_double.App):
        pass

    Api.world = App.world = world
    api, app = serve(Api), serve(App)
    yield world, "http://127.0.0.1:%d/graphql/v2" % api.server_port, "http://127.0.0.1:%d/health" % app.server_port
    api.shutdown()
    app.shutdown()


@pytest.fixture
def pages():
    world = cloudflare_double.World(CF_TOKEN)
    world.state = cloudflare_double.scenario("broken")

    class Api(cloudflare_double.Api):
        pass

    class Site(cloudflare_double.Site):
        pass

    Api.world = Site.world = world
    api, site = serve(Api), serve(Site)
    yield world, "http://127.0.0.1:%d/client/v4" % api.server_port, "http://127.0.0.1:%d/" % site.server_port
    api.shutdown()
    site.shutdown()


def status_of(url):
    from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import request
    return request(url)[0]


def rw_client(url, token=RW_TOKEN, **kw):
    return rw.RailwayClient(token, api_url=url, **kw)


# ---- Railway ----------------------------------------------------------------------------

def dep(num, status, image, created=None):
    return {"id": "d%d" % num, "status": status, "createdAt": created or "2026-01-%02dT00:00:00Z" % num,
            "meta": {"image": "app:%s" % image}}


def test_plan_rollback_picks_newest_older_deployment_that_ran_other_code():
    deps = [dep(1, "REMOVED", "v1"), dep(2, "FAILED", "v2"), dep(3, "REMOVED", "v3"),
            dep(4, "REMOVED", "v4"), dep(5, "SUCCESS", "v4")]  # d5 is a redeploy of the bad v4
    action, target, active, reason = rw.plan_rollback(deps)
    assert (action, target["id"], active["id"]) == ("rollback", "d3", "d5")
    assert "d3" in reason


def test_plan_rollback_is_a_noop_once_the_live_one_is_not_bad():
    deps = [dep(1, "REMOVED", "v1"), dep(3, "SUCCESS", "v3"), dep(4, "REMOVED", "v4")]
    action, target, active, _reason = rw.plan_rollback(deps, bad_deployment_ids=["d4"])
    assert action == "none" and active["id"] == "d3"


def test_plan_rollback_to_a_given_deployment():
    deps = [dep(1, "REMOVED", "v1"), dep(2, "FAILED", "v2"), dep(3, "SUCCESS", "v3")]
    assert rw.plan_rollback(deps, deployment_id="d1")[0] == "rollback"
    assert rw.plan_rollback(deps, deployment_id="d3")[0] == "none"
    with pytest.raises(rw.RailwayError, match="status FAILED"):
        rw.plan_rollback(deps, deployment_id="d2")
    with pytest.raises(rw.RailwayError, match="not among") as err:
        rw.plan_rollback(deps, deployment_id="nope")
    assert err.value.kind == "not_found"


def test_plan_rollback_without_an_earlier_good_deployment_fails():
    with pytest.raises(rw.RailwayError, match="no earlier deployment"):
        rw.plan_rollback([dep(1, "FAILED", "v1"), dep(2, "SUCCESS", "v2")])
    with pytest.raises(rw.RailwayError, match="no live"):
        rw.plan_rollback([dep(1, "FAILED", "v1")])


def test_plan_variables_only_lists_differences():
    assert rw.plan_variables({"A": "1", "B": "2"}, {"A": "1", "B": "3", "C": "x"}) == {"B": "update", "C": "add"}
    assert rw.plan_variables({"A": "100"}, {"A": "100"}) == {}


def test_classify_graphql_errors():
    assert rw.classify_errors([{"message": "Not Authorized"}])[0] == "unauthorized"
    assert rw.classify_errors([{"message": "Service not found"}]) == ("not_found", "Service not found")
    assert rw.classify_errors([]) == ("failed", "unknown error")


def test_railway_double_rollback_repairs_the_app(railway):
    world, url, health = railway
    client = rw_client(url)
    assert status_of(health) == 503
    deps = client.deployments(railway_double.PROJECT, railway_double.ENVIRONMENT, railway_double.SERVICE)
    action, target, _active, _reason = rw.plan_rollback(deps)
    assert (action, target["id"]) == ("rollback", "dep-0003")   # dep-0002 FAILED is skipped
    client.rollback(target["id"])
    assert status_of(health) == 200
    deps = client.deployments(railway_double.PROJECT, railway_double.ENVIRONMENT, railway_double.SERVICE)
    assert rw.active_of(deps)["id"] == "dep-0003"
    assert rw.plan_rollback(deps, bad_deployment_ids=["dep-0004"])[0] == "none"
    assert world.records == [{"op": "deploymentRollback", "id": "dep-0003"}]


def test_railway_double_variables_and_one_redeploy(railway):
    world, url, _health = railway
    client = rw_client(url, token_type="project")
    args = (railway_double.PROJECT, railway_double.ENVIRONMENT, railway_double.SERVICE)
    assert client.variables(*args)["INVITE_LIMIT_PER_IP"] == "20"
    client.upsert_variable(*args, name="INVITE_LIMIT_PER_IP", value="100", skip_deploys=True)
    before = len(world.state["deployments"])
    client.redeploy_service(railway_double.ENVIRONMENT, railway_double.SERVICE)
    assert len(world.state["deployments"]) == before + 1
    assert client.variables(*args)["INVITE_LIMIT_PER_IP"] == "100"


def test_railway_errors_are_clear(railway, closed_port):
    _world, url, _health = railway
    with pytest.raises(rw.RailwayError, match="Not Authorized") as err:
        rw_client(url, token="wrong").service(railway_double.SERVICE)
    assert err.value.kind == "unauthorized"
    with pytest.raises(rw.RailwayError, match="Service not found") as err:
        rw_client(url).service("svc-nope")
    assert err.value.kind == "not_found"
    with pytest.raises(rw.RailwayError, match="Deployment cannot be rolled back"):
        rw_client(url).rollback("dep-0002")
    with pytest.raises(rw.RailwayError, match="unreachable") as err:
        rw_client("http://127.0.0.1:%d/graphql/v2" % closed_port).service("x")
    assert err.value.kind == "unreachable"
    with pytest.raises(rw.RailwayError, match="empty"):
        rw.RailwayClient("", api_url=url)


def test_railway_token_goes_in_the_documented_header():
    seen = {}

    def fake(url, method, headers, body, **kw):
        seen.update(headers)
        return 200, {}, json.dumps({"data": {"service": {"id": "s"}}}).encode()

    rw.RailwayClient("tok", token_type="project", request=fake).service("s")
    assert seen["Project-Access-Token"] == "tok" and "Authorization" not in seen
    rw.RailwayClient("tok", request=fake).service("s")
    assert seen["Authorization"] == "Bearer tok"


# ---- Cloudflare Pages -------------------------------------------------------------------

def test_pages_rollback_to_last_good_production_build(pages):
    world, url, site = pages
    client = cf.PagesClient(CF_TOKEN, cloudflare_double.ACCOUNT, cloudflare_double.PROJECT, api_url=url)
    assert status_of(site) == 404
    canonical = client.project()["canonical_deployment"]["id"]
    deps = client.deployments()
    assert all(d["environment"] == "production" for d in deps)     # the preview is not listed
    action, target, active, _reason = cf.plan_rollback(deps, canonical)
    assert action == "rollback" and target["deployment_trigger"]["metadata"]["commit_hash"] == "c3c3c3c"
    client.rollback(target["id"])
    assert status_of(site) == 200
    assert client.project()["canonical_deployment"]["id"] == target["id"]
    assert cf.plan_rollback(client.deployments(), target["id"], bad_deployment_ids=[active["id"]])[0] == "none"
    assert cf.plan_rollback(client.deployments(), target["id"], deployment_id=target["id"])[0] == "none"


def test_pages_refuses_preview_or_failed_targets(pages):
    world, url, _site = pages
    deps = cloudflare_double.scenario("broken")["deployments"]
    preview = [d for d in deps if d["environment"] == "preview"][0]
    failed = [d for d in deps if d["latest_stage"]["status"] == "failure"][0]
    with pytest.raises(cf.CloudflareError, match="not a successful production build"):
        cf.plan_rollback(deps, deps[-1]["id"], deployment_id=failed["id"])
    client = cf.PagesClient(CF_TOKEN, cloudflare_double.ACCOUNT, cloudflare_double.PROJECT, api_url=url)
    with pytest.raises(cf.CloudflareError, match="8000035"):
        client.rollback(preview["id"])


def test_pages_errors_are_clear(pages):
    _world, url, _site = pages
    with pytest.raises(cf.CloudflareError, match="10000: Authentication error") as err:
        cf.PagesClient("wrong", cloudflare_double.ACCOUNT, "soul-lab", api_url=url).project()
    assert err.value.kind == "unauthorized"
    with pytest.raises(cf.CloudflareError, match="8000007") as err:
        cf.PagesClient(CF_TOKEN, cloudflare_double.ACCOUNT, "nope", api_url=url).project()
    assert err.value.kind == "not_found"
    with pytest.raises(cf.CloudflareError, match="8000009"):
        cf.PagesClient(CF_TOKEN, cloudflare_double.ACCOUNT, "soul-lab", api_url=url).rollback("nope")


def test_pages_envelope_error_kinds():
    assert cf.envelope_error(403, {"errors": [{"code": 10000, "message": "Authentication error"}]})[0] == "unauthorized"
    assert cf.envelope_error(400, {"errors": [{"code": 8000007, "message": "x"}]})[0] == "not_found"
    assert cf.envelope_error(500, {})[0] == "failed"


# ---- Redis ------------------------------------------------------------------------------

def test_parse_and_redact_urls():
    t = rp.parse_url("rediss://default:p%40ss@eu1.upstash.io:6380/2")
    assert (t["tls"], t["host"], t["port"], t["username"], t["password"], t["db"]) == (
        True, "eu1.upstash.io", 6380, "default", "p@ss", 2)
    assert rp.redact(t) == "rediss://default:****@eu1.upstash.io:6380/2"
    assert rp.redact(rp.parse_url("redis://localhost")) == "redis://localhost:6379/0"
    for bad in ("http://x", "redis://", "redis://h:99999", "redis://h/abc"):
        with pytest.raises(rp.RedisProbeError):
            rp.parse_url(bad)


def test_encode_command():
    assert rp.encode_command("AUTH", "pw") == b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"


class RespStub:
    """A listener answering canned RESP replies, recording what it got."""

    def __init__(self, replies):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.replies = replies
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        conn, _addr = self.sock.accept()
        for reply in self.replies:
            self.received += conn.recv(4096)
            conn.sendall(reply)
        conn.close()


def test_ping_authenticates_and_reads_pong():
    stub = RespStub([b"+OK\r\n", b"+OK\r\n", b"+PONG\r\n"])
    result = rp.ping("redis://u:secret@127.0.0.1:%d/3" % stub.port)
    assert result["ok"] and result["reply"] == "PONG"
    assert stub.received.startswith(rp.encode_command("AUTH", "u", "secret"))
    assert rp.encode_command("SELECT", 3) in stub.received
    assert "secret" not in json.dumps(result)


def test_ping_failures_never_show_the_password(closed_port):
    stub = RespStub([b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"])
    result = rp.ping("redis://:hunter2@127.0.0.1:%d" % stub.port)
    assert (result["ok"], result["error_kind"]) == (False, "auth")
    assert "hunter2" not in json.dumps(result)
    stub = RespStub([b"HTTP/1.1 400 Bad Request\r\n"])
    assert rp.ping("redis://127.0.0.1:%d" % stub.port)["error_kind"] == "protocol"
    refused = rp.ping("redis://:hunter2@127.0.0.1:%d" % closed_port)
    assert refused["error_kind"] == "unreachable" and "connection refused" in refused["reason"]
