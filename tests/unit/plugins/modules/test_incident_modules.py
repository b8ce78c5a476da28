# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""incident_event, incident_postmortem, remediation_budget and exit_condition as modules:
arguments, check mode, idempotence, secrets kept out of files and output. exit_condition
runs real commands and real HTTP requests to a local server; progress updates go to the
webhook double."""
from __future__ import annotations

import datetime
import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import (
    exit_condition,
    incident_event,
    incident_postmortem,
    remediation_budget,
)

TOKEN = "tok-5ecret-1234567890"


def run(capsys, module, args, check_mode=False, diff=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    if diff:
        args = dict(args, _ansible_diff=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    return json.loads(out), out


def declare(capsys, path, **extra):
    args = {"path": str(path), "kind": "declared", "title": "backend down", "symptom": "backend-health",
            "host": "lab-web", "incident_id": "INC-T-1", "detected_text": "GET /health 503",
            "secrets": [TOKEN]}
    args.update(extra)
    return run(capsys, incident_event, args)[0]


def test_declare_once(tmp_path, capsys):
    path = tmp_path / "inc.json"
    first = declare(capsys, path)
    assert first["changed"] is True and first["incident"]["id"] == "INC-T-1"
    assert [e["kind"] for e in first["recorded"]] == ["detected", "declared"]
    second = declare(capsys, path, title="another title")
    assert second["changed"] is False and second["incident"]["title"] == "backend down"
    assert second["event_count"] == 2


def test_event_before_declare_fails(tmp_path, capsys):
    out, _ign = run(capsys, incident_event, {"path": str(tmp_path / "none.json"), "kind": "action", "text": "x"})
    assert out["failed"] is True and "declare it first" in out["msg"]
    assert not (tmp_path / "none.json").exists()


def test_declare_needs_a_title(tmp_path, capsys):
    out, _ign = run(capsys, incident_event, {"path": str(tmp_path / "i.json"), "kind": "declared", "symptom": "s"})
    assert out["failed"] is True and out["msg"] == "title is required to declare an incident"
    assert not (tmp_path / "i.json").exists()


def test_corrupt_record_is_refused(tmp_path, capsys):
    path = tmp_path / "i.json"
    path.write_text("{not json")
    out, _ign = run(capsys, incident_event, {"path": str(path), "kind": "note", "text": "x"})
    assert out["failed"] is True and "corrupt" in out["msg"]
    assert path.read_text() == "{not json"


def test_secrets_and_no_log_results_never_reach_the_file_or_output(tmp_path, capsys):
    path = tmp_path / "inc.json"
    declare(capsys, path, detected_text="token %s rejected" % TOKEN)
    registered = {"changed": True, "rc": 0, "stdout": "Authorization: Bearer " + TOKEN,
                  "msg": "used " + TOKEN}
    out, raw = run(capsys, incident_event, {"path": str(path), "kind": "action", "text": "restart with " + TOKEN,
                                            "result": registered, "secrets": [TOKEN]})
    assert out["recorded"][0]["data"]["result"] == {"changed": True, "rc": 0, "msg": "used ********"}
    out, raw2 = run(capsys, incident_event, {"path": str(path), "kind": "action", "text": "rotated",
                                             "censor_result": True, "secrets": [TOKEN]})
    assert out["recorded"][0]["data"]["result"] == {"censored": incident_event.summarize_result({}, True)["censored"]}
    text = path.read_text()
    assert TOKEN not in text and TOKEN not in raw and TOKEN not in raw2
    assert "token ******** rejected" in text


def test_classified_sets_the_severity(tmp_path, capsys):
    path = tmp_path / "inc.json"
    declare(capsys, path)
    out, _ign = run(capsys, incident_event, {"path": str(path), "kind": "classified", "severity": "P0",
                                             "matched": ["service_down == true"], "text": "P0"})
    assert out["incident"]["severity"] == "P0"
    assert out["incident"]["classification"] == {"severity": "P0", "matched": ["service_down == true"]}


def test_check_mode_writes_nothing(tmp_path, capsys):
    path = tmp_path / "inc.json"
    out, _ign = run(capsys, incident_event, {"path": str(path), "kind": "declared", "title": "t", "symptom": "s"},
                    check_mode=True)
    assert out["changed"] is True and not path.exists()


def test_batch_events_in_time_order_then_the_main_event(tmp_path, capsys):
    path = tmp_path / "inc.json"
    declare(capsys, path)
    events = [{"kind": "sample", "at": "2099-01-01T00:00:02.000+00:00", "text": "pass"},
              {"kind": "verify_reset", "at": "2099-01-01T00:00:01.000+00:00", "text": "FAIL"}]
    out, _ign = run(capsys, incident_event, {"path": str(path), "kind": "verify_held", "text": "held",
                                             "at": "2099-01-01T00:00:02.000+00:00", "events": events})
    assert [e["kind"] for e in out["recorded"]] == ["verify_reset", "sample", "verify_held"]
    bad, _ign = run(capsys, incident_event, {"path": str(path), "kind": "note", "events": [{"text": "no kind"}]})
    assert bad["failed"] is True and "each of events" in bad["msg"]


def test_postmortem_written_once_and_idempotent(tmp_path, capsys):
    path = tmp_path / "inc.json"
    dest = tmp_path / "inc.md"
    declare(capsys, path)
    run(capsys, incident_event, {"path": str(path), "kind": "resolved", "text": "resolved"})
    args = {"path": str(path), "dest": str(dest), "root_cause": "leaked " + TOKEN, "secrets": [TOKEN]}
    first, raw = run(capsys, incident_postmortem, args, diff=True)
    assert first["changed"] is True and first["diff"]["before"] == ""
    body = dest.read_text()
    assert body.startswith("## Post-Mortem: backend down [SEV-P2]")
    kinds = [line.split("|")[2].split(":")[0].strip() for line in body.splitlines()
             if line.startswith("| ") and line[2:3].isdigit()]
    assert kinds == ["detected", "declared", "resolved", "closed"]
    assert TOKEN not in body and TOKEN not in raw and "leaked ********" in body
    second, _ign = run(capsys, incident_postmortem, args)
    assert second["changed"] is False and dest.read_text() == body


def test_postmortem_check_mode(tmp_path, capsys):
    path = tmp_path / "inc.json"
    declare(capsys, path)
    out, _ign = run(capsys, incident_postmortem, {"path": str(path), "dest": str(tmp_path / "x.md")}, check_mode=True)
    assert out["changed"] is True and "closed: post-mortem written" in out["markdown"]
    assert not (tmp_path / "x.md").exists()
    assert "closed" not in path.read_text()


def test_budget_module_stops_the_third_action(tmp_path, capsys):
    args = {"path": str(tmp_path / "budget.json"), "host": "lab-web", "symptom": "mysql", "max_actions": 2,
            "action": "restart mysql"}
    results = [run(capsys, remediation_budget, args)[0] for _attempt in range(3)]
    assert [r["allowed"] for r in results] == [True, True, False]
    assert [r["changed"] for r in results] == [True, True, False]
    assert [r["used"] for r in results] == [1, 2, 2] and results[1]["resets_at"] is not None
    state = json.loads((tmp_path / "budget.json").read_text())
    assert len(state["actions"]["lab-web/mysql"]) == 2


def test_budget_check_and_check_mode_record_nothing(tmp_path, capsys):
    args = {"path": str(tmp_path / "budget.json"), "host": "h", "symptom": "s"}
    out, _ign = run(capsys, remediation_budget, dict(args, state="check"))
    assert out["allowed"] is True and out["changed"] is False
    out, _ign = run(capsys, remediation_budget, args, check_mode=True)
    assert out["allowed"] is True and out["changed"] is True
    assert not (tmp_path / "budget.json").exists()
    out, _ign = run(capsys, remediation_budget, dict(args, host="a/b"))
    assert out["failed"] is True and "must not contain" in out["msg"]


def test_exit_condition_command_holds(capsys):
    out, _ign = run(capsys, exit_condition, {"command": {"argv": ["echo", "12"], "compare": "< 50"},
                                             "interval": 0.1, "hold": 0.3, "timeout": 5})
    assert out["held"] is True and out["changed"] is False and out["resets"] == 0
    assert out["samples"][0]["detail"] == "12 < 50"
    assert out["events"][0]["kind"] == "sample"


def test_exit_condition_flapping_file_resets_and_times_out(tmp_path, capsys):
    out, _ign = run(capsys, exit_condition, {"command": {"argv": ["false"]}, "interval": 0.1, "hold": 0.3,
                                             "timeout": 0.6})
    assert out["failed"] is True and out["held"] is False
    assert out["msg"].startswith("exit condition did not hold for 0.3s within 0.6s")
    out, _ign = run(capsys, exit_condition, {"command": {"argv": ["false"]}, "interval": 0.1, "hold": 0.3,
                                             "timeout": 0.6, "fail_on_timeout": False})
    assert out.get("failed") is not True and out["held"] is False and out["outcome"] == "timeout"


def test_exit_condition_http_recovers(server, capsys):
    out, _ign = run(capsys, exit_condition, {"http": {"url": server.url("/recovering?bad=2"), "json_checks": ["status == ok"]},
                                             "interval": 0.05, "hold": 0.2, "timeout": 5})
    assert out["held"] is True
    assert [s["ok"] for s in out["samples"]][:3] == [False, False, True]
    assert "status 500" in out["samples"][0]["detail"]


def test_exit_condition_bad_input(capsys):
    out, _ign = run(capsys, exit_condition, {"command": {"argv": ["true"]}, "hold": 60, "timeout": 30})
    assert out["failed"] is True and "must be at least hold" in out["msg"]
    out, _ign = run(capsys, exit_condition, {"command": {"argv": ["no-such-command-here"]}, "hold": 1, "timeout": 2})
    assert out["failed"] is True and "not found" in out["msg"]
    out, _ign = run(capsys, exit_condition, {"command": {"argv": ["true"], "compare": "about 5"}, "hold": 1, "timeout": 2})
    assert out["failed"] is True and "must be an operator" in out["msg"]


def test_exit_condition_progress_updates_at_the_cadence(webhook_double, capsys):
    hook = webhook_double.base + "/api/webhooks/1/" + TOKEN
    out, raw = run(capsys, exit_condition, {
        "command": {"argv": ["false"]}, "interval": 0.1, "hold": 0.1, "timeout": 2.0, "fail_on_timeout": False,
        "progress": {"url": hook, "every": 0.4, "severity": "P0", "title": "INC-1 waiting"}})
    assert out["held"] is False
    times = [datetime.datetime.fromisoformat(p["at"]) for p in out["progress"]]
    assert len(times) >= 2 and all(p["sent"] for p in out["progress"])
    # never more often than the cadence, and the first one only after a full period
    assert all((b - a).total_seconds() >= 0.39 for a, b in zip(times, times[1:]))
    started = datetime.datetime.fromisoformat(out["started"])
    assert (times[0] - started).total_seconds() >= 0.39
    records = webhook_double.records
    assert len(records) == len(times) and records[0]["payload"]["embeds"][0]["title"].endswith("INC-1 waiting")
    assert "Waiting for the exit condition" in records[0]["payload"]["embeds"][0]["description"]
    assert TOKEN not in raw


def test_declare_creates_the_directory_private(tmp_path, capsys):
    path = tmp_path / "incidents" / "inc.json"
    out, _ign = run(capsys, incident_event, {"path": str(path), "kind": "declared", "title": "t", "symptom": "s"},
                    check_mode=True)
    assert out["changed"] is True and not path.parent.exists()
    declare(capsys, path)
    assert path.exists() and (path.parent.stat().st_mode & 0o777) == 0o700
    assert (path.stat().st_mode & 0o777) == 0o600
