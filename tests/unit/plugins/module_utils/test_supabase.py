# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 003: psql helpers, kill-switch SQL, the Quick 7 verdict, the dispatcher double's auth."""
from __future__ import annotations

import json
import threading
from http.server import ThreadingHTTPServer

import pytest

import supabase_double
from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe
from ansible_collections.oncall.runbooks.plugins.module_utils import psql as pg
from ansible_collections.oncall.runbooks.plugins.module_utils.verdict import VerdictError, smoke_verdict


class FakeModule:
    def __init__(self, rc=0, out="", err=""):
        self.calls = []
        self.answer = (rc, out, err)

    def get_bin_path(self, name):
        return "/usr/bin/%s" % name

    def run_command(self, cmd, **kw):
        self.calls.append((cmd, kw))
        return self.answer


def test_quote_ident_refuses_anything_but_names():
    assert pg.quote_ident("feature_flags") == '"feature_flags"'
    assert pg.quote_ident("public.flags") == '"public"."flags"'
    for bad in ("flags; DROP TABLE x", 'a"b', "1abc", "a.b.c", ""):
        with pytest.raises(pg.PsqlError) as err:
            pg.quote_ident(bad)
        assert err.value.kind == "input"


def test_parse_csv_converts_types_and_nulls():
    text = 'count,enabled,name,ratio,missing\n240,t,"a,b",0.5,\n'
    assert pg.parse_csv(text) == [{"count": 240, "enabled": True, "name": "a,b", "ratio": 0.5, "missing": None}]
    assert pg.parse_csv("") == []


def test_error_reason_kinds():
    assert pg.error_reason('psql: error: connection to server at "127.0.0.1", port 1 failed: Connection refused', 2)[0] == "unreachable"
    assert pg.error_reason('FATAL:  password authentication failed for user "ops"', 2)[0] == "auth"
    kind, text = pg.error_reason('psql:<stdin>:2: ERROR:  relation "nope" does not exist', 3)
    assert kind == "not_found" and text.startswith("ERROR:")


def test_psql_argv_passes_values_as_variables_and_the_password_in_the_environment():
    module = FakeModule(out="enabled\nt\n")
    client = pg.Psql(module, host="db", port=5432, database="app", user="ops", password="s3cret", timeout=9)
    rows = client.run(pg.flag_read_sql("feature_flags", "key", "enabled"), {"flag": "x'; DROP TABLE y; --"})
    cmd, kw = module.calls[0]
    assert rows == [{"enabled": True}]
    assert cmd[:2] == ["/usr/bin/timeout", "9"]
    assert "s3cret" not in " ".join(cmd)
    assert kw["environ_update"]["PGPASSWORD"] == "s3cret"
    assert "flag=x'; DROP TABLE y; --" in cmd            # a psql variable, quoted by psql as :'flag'
    assert ":'flag'" in kw["data"] and "DROP" not in kw["data"]
    with pytest.raises(pg.PsqlError, match="parameter name"):
        client.argv({"bad name": 1})


def test_psql_failure_and_timeout():
    with pytest.raises(pg.PsqlError, match="password authentication failed") as err:
        pg.Psql(FakeModule(rc=2, err='psql: error: FATAL:  password authentication failed for user "ops"')).run("SELECT 1")
    assert err.value.kind == "auth"
    with pytest.raises(pg.PsqlError, match="did not finish") as err:
        pg.Psql(FakeModule(rc=124)).run("SELECT 1")
    assert err.value.kind == "timeout"


def test_flag_update_only_writes_a_different_value():
    sql = pg.flag_update_sql("feature_flags", "key", "enabled", "updated_at")
    assert "IS DISTINCT FROM :'enabled'::boolean" in sql and '"updated_at" = now()' in sql


# ---- verdict (seed 003 §6) --------------------------------------------------------------

def checks(**failed):
    sev = {"T1": "P1", "T2": "P0", "T3": "P1", "T4": "P1", "T5": "P2", "T6": "P2", "T7": "P3"}
    return [{"id": t, "passed": t not in failed, "severity": s, "reason": failed.get(t, "")} for t, s in sev.items()]


def test_verdict_rules():
    assert smoke_verdict(checks())["verdict"] == "PASS"
    one = smoke_verdict(checks(T5="500"))
    assert (one["verdict"], one["minor"], one["passed"]) == ("CONDITIONAL PASS", ["T5"], 6)
    assert smoke_verdict(checks(T5="x", T7="y"))["verdict"] == "CONDITIONAL PASS"
    three = smoke_verdict(checks(T5="x", T6="y", T7="z"))
    assert three["verdict"] == "FAIL" and "more than the 2" in three["reason"]
    p0 = smoke_verdict(checks(T2="packages missing", T5="x"))
    assert p0["verdict"] == "FAIL" and p0["blocking"] == ["T2"] and "roll back" in p0["reason"]
    assert smoke_verdict(checks(T5="x"), max_minor_issues=0)["verdict"] == "FAIL"


def test_verdict_takes_looped_http_check_results():
    results = [{"item": {"id": "T1", "severity": "P1"}, "healthy": True, "reason": ""},
               {"item": {"id": "T6", "severity": "P2"}, "healthy": False, "reason": "status 500"}]
    out = smoke_verdict(results)
    assert out["verdict"] == "CONDITIONAL PASS" and out["issues"][0]["reason"] == "status 500"


def test_verdict_bad_input():
    for bad in ([], [{"id": "T1", "passed": True, "severity": "P9"}], [{"id": "T1", "severity": "P1"}],
                [{"id": "T1", "passed": True, "severity": "P1"}, {"id": "T1", "passed": True, "severity": "P1"}]):
        with pytest.raises(VerdictError):
            smoke_verdict(bad)


# ---- the dispatcher double: secret header, pages --------------------------------------------

@pytest.fixture
def supa():
    class Handler(supabase_double.Handler):
        secret = "unit-secret"
        records = []
        broken = {}

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield Handler, "http://127.0.0.1:%d" % srv.server_port
    srv.shutdown()


def test_dispatcher_refuses_a_wrong_secret_and_records_no_secret(supa):
    handler, base = supa
    url = base + "/functions/v1/scheduled-dispatcher"
    status, _h, body = http_probe.request(url, method="POST", headers={"x-dispatcher-secret": "nope"}, body=b"{}")
    assert status == 401 and json.loads(body) == {"error": "unauthorized"}
    status, _h, _b = http_probe.request(url, method="POST", body=b"{}")
    assert status == 401
    assert handler.records == [{"authorized": False, "processed": 0}] * 2


def test_quick7_pages_and_breaking_them(supa):
    handler, base = supa
    assert http_probe.request(base + "/api/wallet/packages")[0] == 200
    assert http_probe.request(base + "/home")[0] == 307
    handler.broken = {"T5": 500, "T3": "masked"}
    assert http_probe.request(base + "/api/profile/share")[0] == 500
    status, _h, body = http_probe.request(base + "/api/subscriptions")
    assert status == 200 and json.loads(body)["error"]
