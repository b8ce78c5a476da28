# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    Flyctl,
    FlyctlError,
    choose_rollback,
    classify,
    error_text,
    fingerprint,
    log_view,
    machine_view,
    parse_json,
    parse_json_stream,
    parse_memory,
    plan_scale,
    plan_secrets,
    restore_plan,
    scale_view,
    secrets_view,
    state_path,
    status_summary,
    stop_record,
    strip_ansi,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "flyctl"


def fixture(name):
    return (FIXTURES / name).read_text()


def fixture_json(name):
    return parse_json(fixture(name))


# --- parsing captured output ------------------------------------------------------------

def test_status_healthy():
    s = status_summary(fixture_json("status-0.4.87-healthy.json"))
    assert (s["status"], s["version"], s["machines_total"], s["machines_started"]) == ("deployed", 42, 2, 2)
    assert s["all_started"] and s["checks_passing"] and s["failing_checks"] == []
    assert s["machines"][0]["process_group"] == "app" and s["machines"][0]["memory_mb"] == 2048
    assert s["machines"][0]["release_version"] == 42 and s["machines"][0]["managed"] is True


def test_status_failing_lists_the_failing_check_and_the_stopped_machine():
    s = status_summary(fixture_json("status-0.4.87-failing.json"))
    assert not s["all_started"] and not s["checks_passing"]
    assert s["machine_states"] == {"started": 1, "stopped": 1}
    assert s["failing_checks"] == [{"machine": "e8247d3a652e98", "name": "servicecheck-00-http-3978",
                                    "status": "critical", "output": "connect: connection refused"}]


def test_status_without_machines_is_not_healthy():
    s = status_summary(fixture_json("status-0.4.87-empty.json"))
    assert s["machines_total"] == 0 and not s["all_started"] and not s["checks_passing"]


def test_machine_list_view_has_no_environment():
    views = [machine_view(m) for m in fixture_json("machine-list-0.4.87.json")]
    assert [(v["id"], v["state"]) for v in views] == [("e8247d3a652e98", "started"), ("5683977a6d1d48", "stopped")]
    assert views[0]["image"].startswith("registry.fly.io/freshchat-bridge:deployment-")
    assert "config" not in views[0] and "private_ip" not in views[0]


@pytest.mark.parametrize("name", ["secrets-list-0.4.87.json", "secrets-list-0.4.5.json", "secrets-list-0.3.177.json"])
def test_secrets_list_every_version_gives_names_and_digests(name):
    view = secrets_view(fixture_json(name))
    assert view[0]["name"] == "AZURE_APP_SECRET" and view[0]["digest"] == "73eb694e9d599c38"
    assert set(view[0]) == {"name", "digest", "status"}


def test_secrets_status_is_kept_when_flyctl_gives_it():
    assert [s["status"] for s in secrets_view(fixture_json("secrets-list-0.4.87.json"))] == ["Deployed", "Staged"]
    assert secrets_view(fixture_json("secrets-list-0.4.5.json"))[0]["status"] == "Unknown"


def test_scale_show():
    assert scale_view(fixture_json("scale-show-0.4.87.json")) == {
        "app": {"count": 2, "memory_mb": 2048, "cpus": 1, "cpu_kind": "shared", "regions": {"nrt": 2}},
        "worker": {"count": 1, "memory_mb": 512, "cpus": 1, "cpu_kind": "shared", "regions": {"sin": 1}}}
    assert scale_view(fixture_json("scale-show-0.4.87-empty.json")) == {}


def test_image_show_null_when_no_machines():
    assert parse_json(fixture("image-show-0.4.87-none.json")) is None
    assert parse_json(fixture("image-show-0.4.87.json"))[0]["Version"] == "N/A"


def test_checks_list_keyed_by_machine():
    assert list(fixture_json("checks-list-0.4.87.json")) == ["5683977a6d1d48", "e8247d3a652e98"]


def test_logs_stream_of_indented_objects():
    entries = parse_json_stream(fixture("logs-0.4.87.json-stream"))
    assert [e["message"] for e in entries][:2] == ["[Server] Listening on port 3978", "[Redis] Connected"]
    lines, errors = log_view(entries, r"(?i)\b(error|failed)\b")
    assert len(lines) == 4
    assert [e["message"] for e in errors] == ["[Redis] error: connect ECONNREFUSED 172.16.3.2:6379",
                                              "[Security] signature failed"]


def test_logs_stream_cut_off_by_a_timeout_keeps_the_whole_objects():
    text = fixture("logs-0.4.87.json-stream")
    cut = text[: text.index("[Redis] error")]
    assert [e["message"] for e in parse_json_stream(cut)] == ["[Server] Listening on port 3978", "[Redis] Connected"]


def test_bad_log_pattern_is_an_input_error():
    with pytest.raises(FlyctlError) as err:
        log_view([], "(")
    assert err.value.kind == "input"


def test_ansi_is_stripped():
    assert strip_ansi(fixture("logs-0.4.87.txt")).startswith("2026-08-20T10:04:01Z app[e8247d3a652e98] nrt [info][Redis]")


def test_parse_json_refuses_text():
    with pytest.raises(FlyctlError) as err:
        parse_json("App\n  Name = x\n")
    assert err.value.kind == "parse"


# --- errors: flyctl's own text, classified ---------------------------------------------------

GQL_NOT_FOUND = ('Error: failed to get app: failed to run query ($appName: String!) {\n\tapp(name: $appName) {\n'
                 '\t\tid\n\t}\n}: Could not find App "nope"\n')


@pytest.mark.parametrize("stderr,kind", [
    (GQL_NOT_FOUND, "not_found"),
    ("Error: failed to list VMs: app not found (Request ID: 01J6-nrt)\n", "not_found"),
    ("Error: failed to list VMs even after retries: app not found\n", "not_found"),
    ("Error: 404 Not Found\n", "not_found"),
    ("Error: the app name nope could not be found, did you create the app or misspell it in the fly.toml file "
     "or via -a?\n", "not_found"),
    ("Error: no access token available. Please login with 'flyctl auth login'\n", "unauthorized"),
    ("Error: You must be authenticated to view this.\n", "unauthorized"),
    ('Error: failed to fetch an image or build from source: could not find image "registry.fly.io/a:b"\n',
     "image_missing"),
    ('Error: unknown command "rollback" for "flyctl releases"\n', "usage"),
    ("Error: unknown shorthand flag: 'a' in -a\n", "usage"),
    ("Error: --yes flag must be specified when not running interactively\n", "failed"),
])
def test_classify(stderr, kind):
    exc = classify(["status", "-a", "nope"], 1, "", stderr, app="nope")
    assert exc.kind == kind
    assert error_text(stderr).split(" ")[0] in str(exc)


def test_graphql_query_text_is_left_out_of_the_message():
    msg = str(classify(["status"], 1, "", GQL_NOT_FOUND, app="nope"))
    assert msg == ('app nope not found: failed to get app: failed to run query ($appName: String!) { ... '
                   '}: Could not find App "nope"')


def test_timeout_rc():
    assert classify(["logs"], 124, "", "", app="a").kind == "timeout"


# --- decisions ------------------------------------------------------------------------------

GROUPS = {"app": {"count": 2, "memory_mb": 2048, "regions": {"nrt": 2}}}


@pytest.mark.parametrize("count,memory,plan", [
    (2, 2048, []),
    (None, 2048, []),
    (2, None, []),
    (3, None, [("count", "app", 3)]),
    (3, 4096, [("count", "app", 3), ("memory", "app", 4096)]),
    (None, 1024, [("memory", "app", 1024)]),
    (1, 2048, [("count", "app", 1)]),
])
def test_plan_scale(count, memory, plan):
    assert plan_scale(GROUPS, "app", count, memory) == plan


def test_plan_scale_new_group_and_bad_input():
    assert plan_scale(GROUPS, "worker", 1, None) == [("count", "worker", 1)]
    with pytest.raises(FlyctlError, match="count must be 0 or more"):
        plan_scale(GROUPS, "app", -1, None)
    with pytest.raises(FlyctlError, match="no machines"):
        plan_scale(GROUPS, "worker", None, 512)


@pytest.mark.parametrize("value,mb", [(2048, 2048), ("2048", 2048), ("2gb", 2048), ("512MB", 512), ("1 GB", 1024)])
def test_parse_memory(value, mb):
    assert parse_memory(value) == mb


@pytest.mark.parametrize("value", ["lots", "100", 0, "2tb", True, "-512"])
def test_parse_memory_refuses(value):
    with pytest.raises(FlyctlError):
        parse_memory(value)


def test_stop_record_and_restore_plan_bring_back_exact_counts():
    groups = {"app": {"count": 3, "memory_mb": 2048, "regions": {"nrt": 2, "sin": 1}},
              "worker": {"count": 1, "memory_mb": 512, "regions": {"sin": 1}}}
    record = stop_record(groups, when="t")
    assert record == {"groups": {"app": {"count": 3, "regions": {"nrt": 2, "sin": 1}, "memory_mb": 2048},
                                 "worker": {"count": 1, "regions": {"sin": 1}, "memory_mb": 512}}, "stopped_at": "t"}
    assert restore_plan(record, {}) == [("count", "app", 2, "nrt"), ("count", "app", 1, "sin"),
                                        ("memory", "app", 2048, None), ("count", "worker", 1, "sin"),
                                        ("memory", "worker", 512, None)]
    assert restore_plan(record, groups) == []
    half = {"app": {"count": 2, "memory_mb": 2048, "regions": {"nrt": 2}}}
    assert restore_plan(record, half) == [("count", "app", 1, "sin"), ("count", "worker", 1, "sin"),
                                          ("memory", "worker", 512, None)]


def test_stopping_twice_keeps_the_first_record():
    first = stop_record(GROUPS, when="t1")
    assert stop_record({"app": {"count": 0, "memory_mb": None, "regions": {}}}, previous=first, when="t2") is first
    assert stop_record({}, previous=first) is first


def test_restore_without_record_is_refused():
    with pytest.raises(FlyctlError, match="no record of the machines before an emergency stop"):
        restore_plan(None, {})


def releases():
    return fixture_json("releases-0.4.87.json")


# v43 (failed, image of v42), v42 (complete, IMG42), v41 (complete), v40 (complete)
@pytest.mark.parametrize("to_version,failing,bad,last,expect", [
    (None, True, [], None, 41),              # previous: skips v42 (same image as the failing v43)
    (None, True, ["registry.fly.io/freshchat-bridge:deployment-01J5ZX1C2V3B4N5M6Q7W8E9R0T"], None, 40),
    (40, True, [], None, 40),
    (41, False, [], None, 41),
    (42, False, [], None, None),             # healthy v43 already runs v42's image: nothing to do
    (None, False, [], {"created": 43, "from": 42}, None),   # our rollback made v43 and it is healthy
    (None, True, [], {"created": 43, "from": 42}, 41),      # ...but failing again: go further back
])
def test_choose_rollback(to_version, failing, bad, last, expect):
    target, _reason = choose_rollback(releases(), to_version, current_failing=failing, bad_images=bad,
                                      last_rollback=last)
    assert (target["Version"] if target else None) == expect


@pytest.mark.parametrize("to_version,failing,match", [
    (43, True, "refusing to roll back onto v43: it is the current release"),
    (43, False, "refusing to roll back onto v43: it is the current release"),
    (42, True, "refusing to roll back onto v42: it has the image of the current release v43, which is failing"),
    (7, True, "release v7 is not among the 4 most recent releases"),
])
def test_choose_rollback_refuses(to_version, failing, match):
    with pytest.raises(FlyctlError, match=match) as err:
        choose_rollback(releases(), to_version, current_failing=failing)
    assert err.value.kind == "refused"


def test_choose_rollback_with_nothing_earlier():
    only = [r for r in releases() if r["Version"] >= 42]
    with pytest.raises(FlyctlError, match="no earlier release with status complete"):
        choose_rollback(only)
    with pytest.raises(FlyctlError, match="no releases"):
        choose_rollback([])


def test_plan_secrets_truth_table():
    salt = "00ff"
    listed = [{"name": "A", "digest": "d-a", "status": "Deployed"}, {"name": "B", "digest": "d-b", "status": "Deployed"},
              {"name": "C", "digest": "d-c2", "status": "Deployed"}, {"name": "OLD", "digest": "x", "status": "Deployed"}]
    records = {"A": {"digest": "d-a", "fingerprint": fingerprint("same", salt)},
               "B": {"digest": "d-b", "fingerprint": fingerprint("before", salt)},
               "C": {"digest": "d-c1", "fingerprint": fingerprint("same", salt)}}
    wanted = {"A": "same", "B": "after", "C": "same", "D": "new", "E": "unknown"}
    listed.append({"name": "E", "digest": "d-e", "status": "Deployed"})
    to_set, to_unset, reasons = plan_secrets(listed, wanted, ["OLD", "GONE"], records, salt)
    assert to_set == ["B", "C", "D", "E"]
    assert to_unset == ["OLD"]
    assert reasons["B"] == "new value" and reasons["D"] == "absent"
    assert reasons["C"].startswith("changed since it was last set here")
    assert reasons["E"].startswith("present, but set outside this module")
    assert plan_secrets(listed, {"A": "same"}, [], records, salt) == ([], [], {})
    assert plan_secrets(listed, {"A": "same"}, [], records, salt, force=True)[0] == ["A"]


def test_plan_secrets_refuses_set_and_remove_of_one_name():
    with pytest.raises(FlyctlError, match="both to set and to remove"):
        plan_secrets([], {"A": "1"}, ["A"], {}, "00")


def test_fingerprint_is_salted_and_not_the_value():
    assert fingerprint("v", "aa") != fingerprint("v", "bb")
    assert fingerprint("v", "aa") == fingerprint("v", "aa")
    assert fingerprint("secret-value", "aa") != "secret-value" and len(fingerprint("secret-value", "aa")) == 44
    assert fingerprint("v1", "aa") != fingerprint("v2", "aa")


def test_state_path_refuses_odd_app_names(tmp_path):
    assert state_path(str(tmp_path), "freshchat-bridge", "scale") == str(tmp_path / "freshchat-bridge.scale.json")
    with pytest.raises(FlyctlError):
        state_path(str(tmp_path), "../etc", "scale")


# --- the runner: argv, environment, time bound ---------------------------------------------------

class FakeModule:
    def __init__(self, tmp_path, bins, rc=0, out="[]", err=""):
        self.tmpdir = str(tmp_path)
        self.bins = bins
        self.rc, self.out, self.err = rc, out, err
        self.calls = []
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    def get_bin_path(self, name):
        return self.bins.get(name)

    def run_command(self, cmd, **kwargs):
        self.calls.append((cmd, kwargs))
        return self.rc, self.out, self.err


def make_bin(tmp_path, name):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_runner_argv_token_env_and_timeout(tmp_path):
    fly = make_bin(tmp_path, "fly")
    mod = FakeModule(tmp_path, {"fly": fly, "timeout": "/usr/bin/timeout"}, out='{"Name": "a"}')
    runner = Flyctl(mod, app="a", api_token="FlyV1 fm2_secret", timeout=30)
    assert runner.json(["status", "-a", "a"]) == {"Name": "a"}
    cmd, kwargs = mod.calls[0]
    assert cmd == ["/usr/bin/timeout", "--kill-after=5", "30", fly, "status", "-a", "a", "--json"]
    assert kwargs["environ_update"]["FLY_API_TOKEN"] == "FlyV1 fm2_secret"
    assert kwargs["environ_update"]["FLY_NO_UPDATE_CHECK"] == "1"
    assert kwargs["cwd"] == str(tmp_path) and kwargs["expand_user_and_vars"] is False
    assert not any("fm2_secret" in word for word in cmd)
    assert runner.calls == [["status", "-a", "a", "--json"]]


def test_runner_without_token_option_leaves_the_environment_alone(tmp_path):
    mod = FakeModule(tmp_path, {"flyctl": make_bin(tmp_path, "flyctl")})
    runner = Flyctl(mod, app="a")
    runner.run(["version"])
    assert "FLY_API_TOKEN" not in mod.calls[0][1]["environ_update"]
    assert mod.calls[0][0][0].endswith("flyctl")     # no timeout binary: the call itself, and a warning
    assert mod.warnings == ["coreutils timeout is not on PATH: flyctl calls are not bounded in time "
                            "(logs --no-tail may wait for ever)"]


def test_runner_binary_missing(tmp_path):
    with pytest.raises(FlyctlError, match="flyctl not found: neither flyctl nor fly is on PATH") as err:
        Flyctl(FakeModule(tmp_path, {}), app="a")
    assert err.value.kind == "missing_binary"
    with pytest.raises(FlyctlError, match="is not an executable file"):
        Flyctl(FakeModule(tmp_path, {}), app="a", binary=str(tmp_path / "nothing"))


def test_runner_error_quotes_flyctl(tmp_path):
    mod = FakeModule(tmp_path, {"flyctl": make_bin(tmp_path, "flyctl")}, rc=1,
                     err="Error: failed to list VMs: app not found (Request ID: 01J-nrt)\n")
    with pytest.raises(FlyctlError) as err:
        Flyctl(mod, app="nope").machines()
    assert err.value.kind == "not_found"
    assert str(err.value) == "app nope not found: failed to list VMs: app not found (Request ID: 01J-nrt)"


def test_image_exists(tmp_path):
    mod = FakeModule(tmp_path, {"flyctl": make_bin(tmp_path, "flyctl")}, rc=1,
                     err='Error: failed to fetch an image or build from source: could not find image "r/a:b"\n')
    assert Flyctl(mod, app="a").image_exists("r/a:b") is False
    assert mod.calls[0][0][1:] == ["deploy", "-a", "a", "--image", "r/a:b", "--build-only"]
    mod.rc = 0
    assert Flyctl(mod, app="a").image_exists("r/a:b") is True


def test_fixtures_are_what_flyctl_prints():
    # 4-space indentation, as flyctl's --json output
    assert fixture("releases-0.4.87.json").startswith('[\n    {\n        "ID"')
    assert json.loads(fixture("status-0.4.87-healthy.json"))["Machines"][0]["cordoned"] is False
