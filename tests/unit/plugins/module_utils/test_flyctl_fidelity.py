# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 17: the decisions that follow flyctl's source - secrets import quoting, the bounded
log read, the Redis verdict per machine, stale checks, scale order, missing images."""
from __future__ import annotations

import time

import pytest

import flyctl_double
from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    Flyctl,
    FlyctlError,
    classify,
    encode_secret,
    image_missing_reason,
    logs_outcome,
    order_plan,
    parse_secrets_import,
    redis_summary,
    redis_verdicts,
    secret_calls,
    secret_storage_problems,
    status_summary,
)


# --- secrets import: flyctl's parser (internal/command/secrets/parser.go) ----------------------

# The cases of flyctl's own parser_test.go (v0.4.87), inputs and expected maps restated.
@pytest.mark.parametrize("text,expected", [
    ("\n# A comment plus a new line with spaces\n\nFOO=BAR\n# Another comment\nQUX=NAH\n",
     {"FOO": "BAR", "QUX": "NAH"}),
    ("FOO=BAR\r\nQUX=NAH\r\n", {"FOO": "BAR", "QUX": "NAH"}),
    ('\nFOO=BAR\nMULTILINE="""SOMETHING\nANOTHER LINE\n\nENDSHERE"""\nTRAILERENV=what\n'
     'FIN="""Here is the end,\nmy only friend"""\n',
     {"FOO": "BAR", "MULTILINE": "SOMETHING\nANOTHER LINE\n\nENDSHERE", "TRAILERENV": "what",
      "FIN": "Here is the end,\nmy only friend"}),
    ("FOO=BAR,BAZ", {"FOO": "BAR,BAZ"}),
    ('FOO="BAR BAZ"', {"FOO": "BAR BAZ"}),
    ("FOO = BAR", {"FOO": "BAR"}),
    ('FOO="BAR BAZ" # comment', {"FOO": "BAR BAZ"}),
    ("FOO='BAR BAZ'\nKEY='value'", {"FOO": "BAR BAZ", "KEY": "value"}),
    ('EMPTY=""""""\nSINGLE="""x"""\nWITHSPACES="""  spaces  """\nMIXED="""line1"""\nNORMAL=regular',
     {"EMPTY": "", "SINGLE": "x", "WITHSPACES": "  spaces  ", "MIXED": "line1", "NORMAL": "regular"}),
    # what the module used to send, unquoted: the value is changed
    ("A=abc#def\nB='k9'\nC=  x  \n", {"A": "abc", "B": "k9", "C": "x  "}),
])
def test_import_parser_as_flyctl(text, expected):
    assert parse_secrets_import(text) == expected
    assert dict(flyctl_double.parse_import(text)) == expected      # the double's own reading agrees


AWKWARD = ["abc#def", "'k9'", '"q"', "'", '"', 'x"y#z', 'a"b"#c', "a=b==c", "  both  ", "", "#lead",
           'x"""', '"""', "tab\there", "multi\nline # x\n  'end'  ", "\n", "a\rb", "ünï #cödé"]


@pytest.mark.parametrize("value", AWKWARD)
def test_encoded_values_come_back_exactly(value):
    text = encode_secret("NAME", value)
    assert text is not None
    assert parse_secrets_import(text + "\n") == {"NAME": value}
    assert flyctl_double.parse_import(text + "\n") == [("NAME", value)]


@pytest.mark.parametrize("value,by_stdin", [
    ('x"#y\nz', True),        # import cuts its first line; nothing to trim: set NAME=-
    ('a\r\nb', True),         # the scanner drops the CR
    ('x"""\ny', True),        # a first line ending in three quotes ends the value there
    (' x"#y\nz', False),      # and set NAME=- would trim the leading space: refused
    ("a\r\nb ", False),
])
def test_values_import_cannot_carry(value, by_stdin):
    assert encode_secret("NAME", value) is None
    if by_stdin:
        assert secret_calls({"NAME": value, "OK": "v"}) == ('OK="""v"""\n', ["NAME"])
    else:
        with pytest.raises(FlyctlError, match="secret NAME: flyctl would not store its value unchanged") as err:
            secret_calls({"NAME": value, "OK": "v"})
        assert err.value.kind == "input" and value not in str(err.value)


def test_secret_calls_one_import_for_all():
    text, by_stdin = secret_calls({"B": "2#", "A": "1"})
    assert by_stdin == [] and parse_secrets_import(text) == {"A": "1", "B": "2#"}


@pytest.mark.parametrize("to_set,reasons,before,after,problems", [
    (["A"], {"A": "absent"}, {}, {"A": "d1"}, []),
    (["A"], {"A": "absent"}, {}, {}, ["A is not listed by secrets list after it was set"]),
    (["A"], {"A": "new value"}, {"A": "d1"}, {"A": "d2"}, []),
    (["A"], {"A": "new value"}, {"A": "d1"}, {"A": "d1"}, ["A still has digest d1 after a new value was set"]),
    (["A"], {"A": "forced"}, {"A": "d1"}, {"A": "d1"}, []),
])
def test_secret_storage_problems(to_set, reasons, before, after, problems):
    assert secret_storage_problems(to_set, reasons, before, after) == problems


# --- logs --no-tail: the bounded read (logs/polling.go) -----------------------------------------

@pytest.mark.parametrize("how,rc,count,expected", [
    ("exited", 0, 3, {"read": 3, "timed_out": False, "note": "3 lines read"}),
    ("exited", 0, 1, {"read": 1, "timed_out": False, "note": "1 line read"}),
    ("exited", 0, 0, {"read": 0, "timed_out": False, "note": "0 lines read (flyctl returned an empty batch)"}),
    ("exited", 1, 0, None),
    ("exited", 1, 2, None),
    ("batch", -15, 4, {"read": 4, "timed_out": False, "note": "4 lines read"}),
    ("deadline", -15, 2, {"read": 2, "timed_out": False,
                          "note": "2 lines read (flyctl was still printing after 5s and was stopped)"}),
    ("deadline", -15, 0, {"read": 0, "timed_out": True,
                          "note": "no log lines within 5s (flyctl keeps polling while the buffer is empty)"}),
])
def test_logs_outcome_truth_table(how, rc, count, expected):
    assert logs_outcome(how, rc, count, 5) == expected


class StreamModule:
    def __init__(self, tmp_path):
        self.tmpdir = str(tmp_path)

    def get_bin_path(self, name):
        return None

    def warn(self, msg):
        pass


ENTRY = '{\n    "level": "info",\n    "instance": "m1",\n    "message": "[Redis] Connected",\n' \
        '    "region": "nrt",\n    "timestamp": "2026-08-20T10:04:01.5Z"\n}\n'


def fake_flyctl(tmp_path, script):
    path = tmp_path / "flyctl"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("script,timeout,read,timed_out,max_seconds", [
    # a batch, then flyctl does not exit: returned once the output is quiet, not at the limit
    ("printf '%s%s'\nsleep 30\n" % (ENTRY, ENTRY), 20, 2, False, 5),
    # as flyctl --no-tail does: a batch, then exit
    ("printf '%s'\n" % ENTRY, 20, 1, False, 5),
    # an empty buffer: flyctl polls for ever; stopped at the limit
    ("sleep 30\n", 1, 0, True, 5),
])
def test_log_read_is_bounded_and_ends_with_the_batch(tmp_path, script, timeout, read, timed_out, max_seconds):
    fly = Flyctl(StreamModule(tmp_path), app="a", binary=fake_flyctl(tmp_path, script))
    start = time.monotonic()
    entries, outcome = fly.logs(timeout=timeout)
    assert time.monotonic() - start < max_seconds
    assert len(entries) == read and outcome["read"] == read and outcome["timed_out"] is timed_out
    assert fly.calls == [["logs", "-a", "a", "--no-tail", "--json"]]


def test_log_read_error_quotes_flyctl(tmp_path):
    fly = Flyctl(StreamModule(tmp_path), app="a",
                 binary=fake_flyctl(tmp_path, "echo 'Error: 404 Not Found' >&2\nexit 1\n"))
    with pytest.raises(FlyctlError) as err:
        fly.logs(timeout=5)
    assert err.value.kind == "not_found"


def test_log_read_environment(tmp_path):
    fly = Flyctl(StreamModule(tmp_path), app="a", api_token="FlyV1 tok",
                 binary=fake_flyctl(tmp_path, "printf '{\"message\": \"%s|%s|%s\"}' \"$FLY_API_TOKEN\" \"$FLY_REGION\" "
                                              "\"$(pwd)\"\n"))
    entries, _outcome = fly.logs(timeout=5)
    assert entries[0]["message"] == "FlyV1 tok||%s" % tmp_path


# --- Redis: the newest line of each machine decides ----------------------------------------------

def line(machine, ts, message, level="info"):
    return {"machine": machine, "timestamp": ts, "message": message, "level": level}


OLD, NEW = "2026-08-20T10:00:00Z", "2026-08-20T11:00:00.5Z"
CONNECTED, ERROR = "[Redis] Connected", "[Redis] error: connect ECONNREFUSED 10.0.0.1:6379"


@pytest.mark.parametrize("lines,expected", [
    ([], "unknown"),
    ([line("m1", OLD, CONNECTED)], "connected"),
    ([line("m1", OLD, ERROR)], "error"),
    ([line("m1", OLD, CONNECTED), line("m1", NEW, ERROR)], "error"),          # an outage after Connected
    ([line("m1", OLD, ERROR), line("m1", NEW, CONNECTED)], "connected"),      # reconnected
    ([line("m1", NEW, ERROR), line("m1", OLD, CONNECTED)], "error"),          # order read does not matter
    ([line("m1", OLD, CONNECTED), line("m1", NEW, "[Redis] Reconnecting")], "unknown"),
    ([line("m1", OLD, CONNECTED), line("m1", NEW, "[Server] error: GET / failed")], "connected"),  # not Redis
    ([line("m1", OLD, CONNECTED), line("m2", NEW, ERROR)], "connected"),      # another machine's line
    ([line("m1", OLD, ERROR, level="error"), line("m1", NEW, CONNECTED, level="info")], "connected"),  # level ignored
    ([line("m1", NEW, CONNECTED), line("m1", NEW, ERROR)], "error"),          # same time: the later line read
    ([line("m1", "2026-08-20T11:00:00.123Z", ERROR), line("m1", "2026-08-20T11:00:00.9Z", CONNECTED)], "connected"),
])
def test_redis_verdict_truth_table(lines, expected):
    verdicts = redis_verdicts(lines, machines=["m1"])
    assert verdicts["m1"]["state"] == expected
    if lines and expected != "unknown":
        assert verdicts["m1"]["timestamp"] in (OLD, NEW) or verdicts["m1"]["timestamp"].startswith("2026-08-20T11")


@pytest.mark.parametrize("states,ok", [
    ({"m1": "connected", "m2": "connected"}, True),
    ({"m1": "connected", "m2": "unknown"}, True),
    ({"m1": "connected", "m2": "error"}, False),
    ({"m1": "error", "m2": "error"}, False),
    ({"m1": "unknown"}, False),
    ({}, False),
])
def test_redis_summary_truth_table(states, ok):
    verdicts = {m: {"state": s, "timestamp": OLD if s != "unknown" else None,
                    "message": {"connected": CONNECTED, "error": ERROR}.get(s)} for m, s in states.items()}
    summary = redis_summary(verdicts)
    assert summary["ok"] is ok
    assert summary["error"] == sorted(m for m, s in states.items() if s == "error")
    for machine in summary["error"]:
        assert "%s error since %s (%s)" % (machine, OLD, ERROR) in summary["detail"]


def test_redis_bad_pattern_is_an_input_error():
    with pytest.raises(FlyctlError) as err:
        redis_verdicts([], error_pattern="(")
    assert err.value.kind == "input"


# --- status: a stopped machine's stale passing check counts for nothing ---------------------------

def machine(mid, state, checks):
    return {"id": mid, "state": state, "config": {"metadata": {"fly_platform_version": "v2"}},
            "checks": [{"name": "http", "status": c, "output": ""} for c in checks]}


@pytest.mark.parametrize("machines,passing", [
    ([machine("a", "started", ["passing"]), machine("b", "started", ["passing"])], True),
    ([machine("a", "started", ["passing"]), machine("b", "stopped", ["passing"])], True),
    ([machine("a", "stopped", ["passing"])], False),                   # only a stale check
    ([machine("a", "stopped", ["passing"]), machine("b", "stopped", ["passing"])], False),
    ([machine("a", "started", ["critical"]), machine("b", "stopped", ["passing"])], False),
    ([machine("a", "started", [])], False),
    ([], False),
])
def test_checks_passing_counts_started_machines_only(machines, passing):
    summary = status_summary({"Machines": machines})
    assert summary["checks_passing"] is passing
    assert summary["stale_checks"] == [{"machine": m["id"], "name": "http", "status": "passing", "output": "",
                                        "state": "stopped"} for m in machines if m["state"] == "stopped"]


# --- scale order, missing images, messages ---------------------------------------------------------

def test_order_plan_memory_of_existing_machines_first():
    plan = [("count", "app", 3), ("memory", "app", 1024)]
    assert order_plan(plan, {"app": {"count": 2}}) == ([("memory", "app", 1024)], [("count", "app", 3)])
    assert order_plan(plan, {}) == ([], [("count", "app", 3), ("memory", "app", 1024)])
    assert order_plan([("memory", "app", 512)], {"app": {"count": 3}}) == ([("memory", "app", 512)], [])


def test_image_missing_reason_pruned_or_never_there():
    releases = [{"Version": 2, "ImageRef": "r/a:2"}, {"Version": 1, "ImageRef": "r/a:1"}]
    assert image_missing_reason("r/a:1", releases, 1) == (
        "image r/a:1 of release v1 no longer exists in the registry (it ran as v1; registries prune old images)")
    never = image_missing_reason("r/a:typo", releases)
    assert "does not exist in the registry and no release among the last 2 ran it" in never
    assert "prune" not in never


def test_unauthorized_message_has_one_full_stop():
    msg = str(classify(["status"], 1, "", "Error: You must be authenticated to view this.\n", app="a"))
    assert msg == ("flyctl is not authorized for app a: You must be authenticated to view this. Give a valid "
                   "token in api_token (no_log) or FLY_API_TOKEN")
    assert ".." not in msg
