# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flyctl_* modules against the flyctl double (tests/doubles/flyctl), run as a process."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

import flyctl_double
from ansible_collections.oncall.runbooks.plugins.modules import (
    flyctl_deploy,
    flyctl_info,
    flyctl_restart,
    flyctl_scale,
    flyctl_secret,
)

DOUBLE = str(Path(__file__).resolve().parents[3] / "doubles" / "flyctl")
APP = "freshchat-bridge"
TOKEN = "FlyV1 fm2_unit-test-token"


class Fly:
    def __init__(self, tmp_path, capsys):
        self.tmp = tmp_path
        self.capsys = capsys
        self.state = tmp_path / "state.json"
        self.log = tmp_path / "calls.jsonl"
        self.state_dir = str(tmp_path / "records")

    def init(self, *args):
        flyctl_double.admin_main(["init", "--app", APP, "--token", TOKEN] + list(args))
        self.capsys.readouterr()

    def admin(self, *args):
        flyctl_double.admin_main(list(args))
        return self.capsys.readouterr().out.strip()

    def app(self):
        return json.loads(self.state.read_text())["apps"][APP]

    def calls(self):
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def mutating(self):
        return [c["argv"] for c in self.calls() if c.get("mutating")]

    def forget_calls(self):
        if self.log.exists():
            self.log.unlink()

    def run(self, module, check=False, diff=False, token=TOKEN, **params):
        args = dict(app=APP, flyctl_binary=DOUBLE, api_token=token, _ansible_check_mode=check, _ansible_diff=diff)
        if module is not flyctl_info and module is not flyctl_restart:
            args["state_dir"] = self.state_dir
        args.update(params)
        args = {k: v for k, v in args.items() if v is not None}
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        raw = self.capsys.readouterr().out
        out = json.loads(raw)
        out["_raw"] = raw
        return out


@pytest.fixture
def fly(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FLYCTL_DOUBLE_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("FLYCTL_DOUBLE_LOG", str(tmp_path / "calls.jsonl"))
    monkeypatch.delenv("FLY_API_TOKEN", raising=False)
    monkeypatch.delenv("FLY_ACCESS_TOKEN", raising=False)
    f = Fly(tmp_path, capsys)
    f.init("--machines", "2", "--memory", "1024")
    return f


# --- info -------------------------------------------------------------------------------------

def test_info_daily_view_reads_only(fly):
    out = fly.run(flyctl_info, gather=["status", "checks", "logs", "secrets", "releases"])
    assert out["changed"] is False
    assert out["summary"]["all_started"] and out["summary"]["checks_passing"]
    assert out["current_release"]["version"] == 3
    assert any(line["message"] == "[Redis] Connected" for line in out["logs"])
    assert out["log_errors"] == [] and out["logs_timed_out"] is False
    assert fly.mutating() == []
    assert {c["token_source"] for c in fly.calls()} == {"env:FLY_API_TOKEN"}
    assert "fm2_unit-test-token" not in out["_raw"]


def test_info_logs_bounded_when_the_buffer_is_empty(fly):
    fly.admin("clear-logs", "--app", APP)
    out = fly.run(flyctl_info, gather=["logs"], logs_timeout=2)
    assert out["logs"] == [] and out["logs_timed_out"] is True


def test_info_error_lines_found(fly):
    fly.admin("add-log", "--app", APP, "--level", "error", "[Redis] error: connect ECONNREFUSED")
    out = fly.run(flyctl_info, gather=["logs"])
    assert [line["message"] for line in out["log_errors"]] == ["[Redis] error: connect ECONNREFUSED"]


@pytest.mark.parametrize("params,kind,text", [
    ({"app": "no-such-app"}, "not_found", 'Could not find App "no-such-app"'),
    ({"token": "FlyV1 wrong"}, "unauthorized", "You must be authenticated to view this."),
    ({"token": None}, "unauthorized", "no access token available. Please login with 'flyctl auth login'"),
    ({"flyctl_binary": "/nonexistent/flyctl"}, "missing_binary", "is not an executable file"),
])
def test_info_clear_errors(fly, params, kind, text):
    out = fly.run(flyctl_info, **params)
    assert out["failed"] is True and out["error_kind"] == kind
    assert text in out["msg"]
    assert "query (" not in out["msg"] or "..." in out["msg"]


# --- scale ---------------------------------------------------------------------------------------

def test_scale_then_idempotent_then_check_mode(fly):
    out = fly.run(flyctl_scale, count=3, memory="2gb", diff=True)
    assert out["changed"] is True
    # memory of the machines that exist first: a refused memory then leaves the count alone
    assert [p["verb"] for p in out["plan"]] == ["memory", "count"]
    assert out["scale"]["app"]["count"] == 3 and out["scale"]["app"]["memory_mb"] == 2048
    assert out["diff"]["before"]["app"]["count"] == 2 and out["diff"]["after"]["app"]["count"] == 3
    assert fly.mutating() == [
        ["scale", "memory", "2048", "-a", APP, "--process-group", "app"],
        ["scale", "count", "3", "-a", APP, "--process-group", "app", "--yes"]]
    assert {m["guest"]["memory_mb"] for m in fly.app()["machines"]} == {2048}
    fly.forget_calls()
    out = fly.run(flyctl_scale, count=3, memory="2048")
    assert out["changed"] is False and out["plan"] == []
    assert fly.mutating() == []
    out = fly.run(flyctl_scale, check=True, count=1)
    assert out["changed"] is True and out["plan"][0]["value"] == 1
    assert fly.mutating() == []
    assert len(fly.app()["machines"]) == 3


def test_scale_memory_only_leaves_the_count(fly):
    fly.run(flyctl_scale, count=3)
    fly.forget_calls()
    out = fly.run(flyctl_scale, memory="512mb")
    assert out["changed"] is True and out["scale"]["app"] == dict(out["scale"]["app"], count=3, memory_mb=512)
    assert fly.mutating() == [["scale", "memory", "512", "-a", APP, "--process-group", "app"]]
    assert len(fly.app()["machines"]) == 3


def test_scale_memory_refused_by_the_api_leaves_the_count(fly):
    fly.run(flyctl_scale, count=3)
    fly.forget_calls()
    out = fly.run(flyctl_scale, count=1, memory="8gb")
    assert out["failed"] is True and "invalid machine size" in out["msg"]
    assert out["msg"].endswith("(nothing was applied)") and out["applied"] == []
    assert len(fly.app()["machines"]) == 3
    assert fly.mutating() == [["scale", "memory", "8192", "-a", APP, "--process-group", "app"]]


def test_scale_step_applied_before_a_failure_is_reported(fly):
    fly.admin("stop-machine", "--app", APP, "#0")     # not in the way: counts are of active machines
    fly.init("--machines", "0", "--releases", "1")    # no machine: the count must come first
    out = fly.run(flyctl_scale, count=2, memory="8gb")
    assert out["failed"] is True
    assert out["applied"] == [{"verb": "count", "process_group": "app", "value": 2, "region": None}]
    assert "(applied before this failure, and kept: count 2 of app)" in out["msg"]


@pytest.mark.parametrize("params,text", [
    ({"count": 3, "memory": "1000"}, "memory 1000 MB is not valid"),
    ({"count": -1}, "count must be 0 or more, got -1"),
    ({"count": 0}, "count 0 destroys every machine of process group app; use state=stopped"),
    ({"memory": "300"}, "memory 300 MB is not valid"),
    ({}, "state=scaled needs count, memory or both"),
])
def test_scale_bad_input_changes_nothing(fly, params, text):
    out = fly.run(flyctl_scale, **params)
    assert out["failed"] is True and text in out["msg"]
    assert fly.mutating() == []


def test_emergency_stop_and_restore_exact_counts(fly):
    fly.init("--machines", "3", "--regions", "nrt", "nrt", "sin", "--memory", "2048")
    before = {m["id"] for m in fly.app()["machines"]}
    out = fly.run(flyctl_scale, check=True, state="stopped")
    assert out["changed"] is True and fly.mutating() == []
    assert not Path(fly.state_dir, APP + ".scale.json").exists()

    out = fly.run(flyctl_scale, state="stopped")
    assert out["changed"] is True
    assert sorted(out["destroyed_machines"]) == sorted(before)
    assert "DESTROYS the machines" in out["warning"]
    assert out["record"]["groups"]["app"] == {"count": 3, "regions": {"nrt": 2, "sin": 1}, "memory_mb": 2048}
    assert fly.app()["machines"] == []

    again = fly.run(flyctl_scale, state="stopped")
    assert again["changed"] is False and again["record"] == out["record"]

    fly.forget_calls()
    restored = fly.run(flyctl_scale, state="restored")
    assert restored["changed"] is True
    assert restored["scale"]["app"]["regions"] == {"nrt": 2, "sin": 1}
    assert restored["scale"]["app"]["memory_mb"] == 2048
    assert len(restored["new_machines"]) == 3 and not set(restored["new_machines"]) & before
    assert fly.mutating() == [["scale", "count", "2", "-a", APP, "--process-group", "app", "--yes", "--region", "nrt"],
                              ["scale", "count", "1", "-a", APP, "--process-group", "app", "--yes", "--region", "sin"]]
    fly.forget_calls()
    assert fly.run(flyctl_scale, state="restored")["changed"] is False
    assert fly.mutating() == []


def test_restore_without_a_stop_record(fly):
    out = fly.run(flyctl_scale, state="restored")
    assert out["failed"] is True and "no record of the machines before an emergency stop" in out["msg"]


# --- restart -------------------------------------------------------------------------------------

def test_restart_app_skips_stopped_machines(fly):
    fly.init("--machines", "3")
    stopped = fly.admin("stop-machine", "--app", APP, "#0")
    out = fly.run(flyctl_restart, check=True)
    assert out["changed"] is True and fly.mutating() == []
    assert {"id": stopped, "state": "stopped"} in out["skipped"]
    out = fly.run(flyctl_restart)
    assert len(out["restarted"]) == 2 and stopped not in out["restarted"]
    assert fly.mutating() == [["apps", "restart", APP]]
    restarted = [m for m in fly.app()["machines"] if m["events"][1]["type"] == "restart"]
    assert sorted(m["id"] for m in restarted) == sorted(out["restarted"])


def test_restart_named_stopped_machine_is_skipped_not_failed(fly):
    stopped = fly.admin("stop-machine", "--app", APP, "#0")
    started = [m["id"] for m in fly.app()["machines"] if m["id"] != stopped]
    out = fly.run(flyctl_restart, machines=[stopped])
    assert out["changed"] is False and out["restarted"] == []
    assert out["skipped"] == [{"id": stopped, "state": "stopped"}]
    assert fly.mutating() == []
    out = fly.run(flyctl_restart, machines=[stopped] + started)
    assert out["restarted"] == started and out["skipped"] == [{"id": stopped, "state": "stopped"}]
    assert fly.mutating() == [["machine", "restart"] + started + ["-a", APP]]


def test_the_double_refuses_to_restart_a_stopped_machine(fly, monkeypatch):
    monkeypatch.setenv("FLY_API_TOKEN", TOKEN)
    stopped = fly.admin("stop-machine", "--app", APP, "#0")
    rc = flyctl_double.run(["flyctl", "machine", "restart", stopped, "-a", APP])
    assert rc == 1
    assert "not currently started" in fly.capsys.readouterr().err


def test_restart_one_machine_and_unknown_machine(fly):
    mid = fly.app()["machines"][0]["id"]
    out = fly.run(flyctl_restart, machines=[mid])
    assert out["restarted"] == [mid]
    assert fly.mutating() == [["machine", "restart", mid, "-a", APP]]
    out = fly.run(flyctl_restart, machines=["0123456789abcd"])
    assert out["failed"] is True and out["error_kind"] == "not_found"
    assert "machine 0123456789abcd was not found in app 'freshchat-bridge'" in out["msg"]


# --- deploy and rollback -------------------------------------------------------------------------

def test_rollback_previous_then_idempotent(fly):
    fly.admin("break-image", "--app", APP, "v3")
    v2_image = fly.admin("add-image", "--app", APP, "v2")
    out = fly.run(flyctl_deploy, check=True, state="rolled_back")
    assert out["changed"] is True and out["target"]["version"] == 2
    assert fly.mutating() == []
    out = fly.run(flyctl_deploy, state="rolled_back", diff=True)
    assert out["changed"] is True and out["action"] == "rolled_back"
    assert out["image"] == v2_image and out["release"]["version"] == 4 and out["release"]["image"] == v2_image
    assert out["diff"] == {"before": {"version": 3, "image": out["previous"]["image"]},
                           "after": {"version": 4, "image": v2_image}}
    assert fly.mutating() == [["deploy", "-a", APP, "--image", v2_image, "--yes", "--wait-timeout", "300s"]]
    fly.forget_calls()
    again = fly.run(flyctl_deploy, state="rolled_back")
    assert again["changed"] is False and "is the rollback made from v3" in again["reason"]
    assert fly.mutating() == []


def test_rollback_to_release_n_and_refusals(fly):
    out = fly.run(flyctl_deploy, state="rolled_back", to_version=3)
    assert out["failed"] is True and out["error_kind"] == "refused"
    assert "it is the current release" in out["msg"]
    fly.admin("prune-image", "--app", APP, "v1")
    out = fly.run(flyctl_deploy, state="rolled_back", to_version=1)
    assert out["failed"] is True and out["error_kind"] == "image_missing"
    assert "of release v1 no longer exists in the registry" in out["msg"]
    assert fly.mutating() == []
    assert len(fly.app()["releases"]) == 3
    out = fly.run(flyctl_deploy, state="rolled_back", to_version=2, strategy="immediate")
    assert out["changed"] is True and out["target"]["version"] == 2 and out["release"]["version"] == 4
    assert fly.mutating()[-1][-2:] == ["--strategy", "immediate"]


def test_rollback_onto_a_broken_image_fails_and_says_so(fly):
    fly.admin("break-image", "--app", APP, "v2")
    out = fly.run(flyctl_deploy, state="rolled_back", to_version=2)
    assert out["failed"] is True
    assert "timeout reached waiting for health checks to pass" in out["msg"]
    assert fly.app()["releases"][0]["Status"] == "failed"


def test_deploy_image_idempotent_and_image_gone(fly):
    current = fly.app()["releases"][0]["ImageRef"]
    out = fly.run(flyctl_deploy, image=current)
    assert out["changed"] is False and fly.mutating() == []
    out = fly.run(flyctl_deploy, image="registry.fly.io/freshchat-bridge:deployment-GONE")
    assert out["failed"] is True and out["error_kind"] == "image_missing" and fly.mutating() == []
    # never deployed: not blamed on pruning
    assert "does not exist in the registry and no release among the last 3 ran it" in out["msg"]
    assert "prune" not in out["msg"]
    old = fly.app()["releases"][-1]["ImageRef"]
    fly.admin("prune-image", "--app", APP, old)
    out = fly.run(flyctl_deploy, image=old)
    assert out["failed"] is True and "no longer exists in the registry (it ran as v1; registries prune old images)" \
        in out["msg"]
    out = fly.run(flyctl_deploy, force=True, strategy="immediate")
    assert out["changed"] is True and out["release"]["version"] == 4 and out["image"] == current


def test_deploy_checks_health_url(fly, server):
    fly.admin("add-image", "--app", APP, "registry.fly.io/freshchat-bridge:deployment-NEW")
    out = fly.run(flyctl_deploy, image="registry.fly.io/freshchat-bridge:deployment-NEW",
                  health={"url": server.url("/down"), "retries": 1, "delay": 0, "consecutive": 1})
    assert out["failed"] is True and out["error_kind"] == "unhealthy"
    assert "but it is not healthy: health: " in out["msg"]


# --- secrets -----------------------------------------------------------------------------------

SECRETS = {"AZURE_APP_SECRET": "az-Sup3r-s3cret-value", "REDIS_URL": "rediss://default:pw-0xDEADBEEF@redis:6379"}


def assert_no_values(fly, raw, secrets=None):
    for value in (secrets or SECRETS).values():
        if len(value) < 4:
            continue
        assert value not in raw
        assert value not in fly.log.read_text()
        assert value not in fly.state.read_text()
        for path in Path(fly.state_dir).glob("*"):
            assert value not in path.read_text()


def test_secrets_set_once_then_idempotent(fly):
    releases_before = len(fly.app()["releases"])
    out = fly.run(flyctl_secret, check=True, secrets=SECRETS)
    assert out["changed"] is True and out["set"] == sorted(SECRETS) and fly.mutating() == []
    out = fly.run(flyctl_secret, secrets=SECRETS, diff=True)
    assert out["changed"] is True and out["deployed"] is True
    assert [s["name"] for s in out["names"]] == sorted(SECRETS)
    assert all(set(s) == {"name", "digest", "status"} and s["status"] == "Deployed" for s in out["names"])
    assert fly.mutating() == [["secrets", "import", "-a", APP, "--stage"], ["secrets", "deploy", "-a", APP]]
    assert len(fly.app()["releases"]) == releases_before + 1      # one deploy for two secrets
    assert_no_values(fly, out["_raw"])
    fly.forget_calls()
    again = fly.run(flyctl_secret, secrets=SECRETS)
    assert again["changed"] is False and fly.mutating() == []
    assert [c["argv"] for c in fly.calls()] == [["secrets", "list", "-a", APP, "--json"]]


def test_secrets_change_unset_and_outside_change(fly):
    fly.run(flyctl_secret, secrets=SECRETS)
    out = fly.run(flyctl_secret, secrets={"AZURE_APP_SECRET": "rotated-value"}, absent=["REDIS_URL", "NEVER_SET"])
    assert out["set"] == ["AZURE_APP_SECRET"] and out["unset"] == ["REDIS_URL"]
    assert out["reasons"] == {"AZURE_APP_SECRET": "new value", "REDIS_URL": "remove"}
    # changed by someone with flyctl directly: the digest no longer matches our record
    fly.forget_calls()
    app = json.loads(fly.state.read_text())
    app["apps"][APP]["secrets"]["AZURE_APP_SECRET"]["digest"] = "ffffffffffffffff"
    fly.state.write_text(json.dumps(app))
    out = fly.run(flyctl_secret, secrets={"AZURE_APP_SECRET": "rotated-value"})
    assert out["changed"] is True and out["reasons"]["AZURE_APP_SECRET"].startswith("changed since it was last set")


AWKWARD = {
    "HASH": "abc#def",
    "SINGLE_QUOTED": "'k9'",
    "DOUBLE_QUOTED": '"q"',
    "QUOTE_THEN_HASH": 'x"y#z',
    "EQUALS": "a=b==c",
    "SPACES": "  lead and trail  ",
    "MULTI": "line one # not a comment\n  'two'\n\nthree = 3  ",
    "EMPTY": "",
}


def stored_exactly(fly, name, value):
    return fly.app()["secrets"][name]["digest"] == flyctl_double.digest_of(value)


def test_secrets_awkward_values_stored_byte_for_byte_then_idempotent(fly):
    out = fly.run(flyctl_secret, secrets=AWKWARD)
    assert out["changed"] is True and out["set"] == sorted(AWKWARD)
    assert [c for c in fly.mutating() if c[:2] != ["secrets", "deploy"]] == [["secrets", "import", "-a", APP, "--stage"]]
    for name, value in AWKWARD.items():
        assert stored_exactly(fly, name, value), name
    assert_no_values(fly, out["_raw"], AWKWARD)
    fly.forget_calls()
    again = fly.run(flyctl_secret, secrets=AWKWARD)
    assert again["changed"] is False and fly.mutating() == []


def test_secrets_unquoted_import_is_what_changed_values(fly):
    # what the module used to send: flyctl's parser cuts at # and strips quotes
    assert flyctl_double.parse_import("A=abc#def\nB='k9'\n") == [("A", "abc"), ("B", "k9")]


def test_secrets_value_import_cannot_carry_goes_by_stdin(fly):
    value = 'x"#y\nz'         # import would cut its first line; set NAME=- keeps it (nothing to trim)
    out = fly.run(flyctl_secret, secrets={"ODD": value, "PLAIN": "p"})
    assert out["changed"] is True
    assert fly.mutating()[:2] == [["secrets", "import", "-a", APP, "--stage"],
                                  ["secrets", "set", "ODD=-", "-a", APP, "--stage"]]
    assert stored_exactly(fly, "ODD", value) and stored_exactly(fly, "PLAIN", "p")
    fly.forget_calls()
    assert fly.run(flyctl_secret, secrets={"ODD": value, "PLAIN": "p"})["changed"] is False


def test_secrets_records_of_the_unquoted_module_are_not_trusted(fly):
    fly.run(flyctl_secret, secrets={"HASH": "abc#def"})
    path = Path(fly.state_dir, APP + ".secrets.json")
    record = json.loads(path.read_text())
    del record["format"]
    path.write_text(json.dumps(record))
    out = fly.run(flyctl_secret, secrets={"HASH": "abc#def"})
    assert out["changed"] is True and out["reasons"]["HASH"].startswith("recorded by an older version")


def test_secrets_not_stored_are_not_recorded(fly):
    # a flyctl that accepts the import and stores nothing
    lossy = fly.tmp / "lossy-flyctl"
    lossy.write_text('#!/bin/sh\ncase "$*" in *"secrets import"*) cat >/dev/null; exit 0;; esac\nexec %s "$@"\n' % DOUBLE)
    lossy.chmod(0o755)
    out = fly.run(flyctl_secret, secrets={"LOST": "v"}, flyctl_binary=str(lossy))
    assert out["failed"] is True and out["error_kind"] == "not_stored"
    assert "LOST is not listed by secrets list after it was set" in out["msg"]
    assert not Path(fly.state_dir, APP + ".secrets.json").exists()


def test_secrets_bad_names_refused(fly):
    out = fly.run(flyctl_secret, secrets={"BAD NAME": "x"})
    assert out["failed"] is True and "secret name 'BAD NAME' is not valid" in out["msg"]
    # no flyctl path stores this unchanged: import cuts its first line at the #, set trims it
    out = fly.run(flyctl_secret, secrets={"GOOD": "fine", "ODD": ' a"#b\nc'})
    assert out["failed"] is True and out["error_kind"] == "input"
    assert "secret ODD: flyctl would not store its value unchanged" in out["msg"]
    assert "a\"#b" not in out["_raw"]
    assert fly.mutating() == []
