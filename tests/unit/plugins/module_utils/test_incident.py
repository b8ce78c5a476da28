# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The incident record: ids, events in order, secrets masked, the seed 003 post-mortem."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import (
    CENSORED,
    MASK,
    IncidentError,
    append_events,
    apply_kind,
    make_event,
    make_id,
    new_record,
    parse_offset,
    redact,
    render_postmortem,
    summarize_result,
)

TOKEN = "tok-9f8e7d6c5b4a"
HOOK = "http://127.0.0.1:18931/api/webhooks/1/abcdefsecret"


def record():
    rec = new_record("INC-1", "backend down", "P2", "backend-health", "lab-web", "2026-11-22T03:00:00+00:00")
    append_events(rec, [make_event("detected", "GET /health: 503", "2026-11-22T02:59:58+00:00"),
                        make_event("declared", "declared", "2026-11-22T03:00:00+00:00")])
    return rec


def test_make_id():
    assert make_id("backend health!", "2026-11-22T03:04:05.123+00:00") == "INC-20261122T030405Z-backend-health"
    assert make_id("", "2026-11-22T03:04:05+09:00") == "INC-20261121T180405Z-incident"


def test_new_record_refuses_bad_input():
    with pytest.raises(IncidentError, match="severity must be one of"):
        new_record("INC-1", "t", "SEV1", "s", "h", "2026-11-22T03:00:00+00:00")
    with pytest.raises(IncidentError, match="title must not be empty"):
        new_record("INC-1", " ", "P1", "s", "h", "2026-11-22T03:00:00+00:00")
    with pytest.raises(IncidentError, match="incident id"):
        new_record("../etc/passwd", "t", "P1", "s", "h", "2026-11-22T03:00:00+00:00")
    with pytest.raises(IncidentError, match="not ISO 8601"):
        new_record("INC-1", "t", "P1", "s", "h", "yesterday")
    with pytest.raises(IncidentError, match="event kind"):
        make_event("exploded", "x")


def test_redact_masks_secrets_everywhere():
    value = {"text": "posting to %s with %s" % (HOOK, TOKEN), "list": [TOKEN, 3, None],
             "nested": {"k": "Bearer " + TOKEN}}
    out = redact(value, [TOKEN, HOOK, ""])
    assert TOKEN not in str(out) and HOOK not in str(out)
    assert out["text"] == "posting to %s with %s" % (MASK, MASK)
    assert out["list"] == [MASK, 3, None]


def test_redact_replaces_no_log_results_whole():
    assert redact({"r": {"_ansible_no_log": True, "stdout": TOKEN}}, []) == {"r": {"censored": CENSORED}}
    assert redact({"censored": "x", "msg": TOKEN}, []) == {"censored": CENSORED}


def test_summarize_result_keeps_a_few_keys():
    result = {"changed": True, "rc": 0, "stdout": TOKEN, "msg": "", "invocation": {"module_args": {"t": TOKEN}}}
    assert summarize_result(result) == {"changed": True, "rc": 0, "msg": ""}
    assert summarize_result(result, no_log=True) == {"censored": CENSORED}
    loop = {"changed": True, "results": [{"rc": 1, "stdout": TOKEN, "failed": True}]}
    assert summarize_result(loop) == {"changed": True, "failed": False, "items": [{"rc": 1, "failed": True}]}
    assert summarize_result("not a dict") == {}


def test_events_are_appended_in_time_order_and_redacted():
    rec = record()
    batch = [make_event("sample", "pass " + TOKEN, "2026-11-22T03:01:02.500+00:00"),
             make_event("verify_reset", "FAIL", "2026-11-22T03:01:01+00:00"),
             make_event("verify_held", "held", "2026-11-22T03:01:02.500+00:00")]
    clean = append_events(rec, batch, [TOKEN])
    assert [e["kind"] for e in clean] == ["verify_reset", "sample", "verify_held"]   # stable on ties
    assert TOKEN not in str(rec)


def test_apply_kind():
    rec = record()
    apply_kind(rec, "classified", "t", severity="P0", matched=["service_down == true"])
    assert rec["severity"] == "P0" and rec["classification"]["matched"] == ["service_down == true"]
    apply_kind(rec, "resolved", "2026-11-22T03:20:00+00:00")
    assert rec["status"] == "resolved" and rec["resolved"] == "2026-11-22T03:20:00+00:00"
    with pytest.raises(IncidentError):
        apply_kind(rec, "classified", "t", severity="high")


def test_postmortem_follows_the_template():
    rec = record()
    append_events(rec, [make_event("resolved", "resolved", "2026-11-22T03:17:30+00:00")])
    apply_kind(rec, "resolved", "2026-11-22T03:17:30+00:00")
    text = render_postmortem(rec, ic="kim", root_cause="bad tag | v3", contributing=["no smoke test"],
                             action_items=[{"action": "add smoke test", "owner": "be", "due": "12-01"}],
                             impact={"users": "all"})
    lines = text.splitlines()
    assert lines[0] == "## Post-Mortem: backend down [SEV-P2]"
    assert "**일시**: 2026-11-22" in lines and "**지속 시간**: 18분" in lines and "**IC**: kim" in lines
    headings = [line for line in lines if line.startswith("### ")]
    assert headings == ["### 영향 (Impact)", "### 타임라인 (Timeline)", "### 근본 원인 (Root Cause)",
                        "### 기여 요인 (Contributing Factors)", "### 잘된 것 (What Went Well)",
                        "### 재발 방지 (Action Items)", "### 링크"]
    rows = [line for line in lines if line.startswith("| 1")]
    # KST (+09:00), in the order of the record
    assert rows == ["| 11:59:58 | detected: GET /health: 503 |", "| 12:00:00 | declared: declared |",
                    "| 12:17:30 | resolved: resolved |"]
    assert "| add smoke test | be | 12-01 |" in lines
    assert "- 영향 사용자 수: all" in lines and "- no smoke test" in lines
    assert "bad tag | v3" in text


def test_postmortem_in_another_timezone():
    text = render_postmortem(record(), tz_offset="-05:00", tz_name="EST", end="2026-11-22T03:00:00+00:00")
    assert "| 시각 (EST) | 이벤트 |" in text and "| 21:59:58 | detected: GET /health: 503 |" in text
    with pytest.raises(IncidentError):
        parse_offset("KST")
