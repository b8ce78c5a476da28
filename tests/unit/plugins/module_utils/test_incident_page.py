# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The incident page's view of a record: result lines, severity changes, samples, masking."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.filter.incident_page import incident_page
from ansible_collections.oncall.runbooks.plugins.module_utils import incident
from ansible_collections.oncall.runbooks.plugins.module_utils import incident_page as page

TOKEN = "tok-3c9d1e"


@pytest.mark.parametrize("result, line", [
    (None, ""),
    ({}, ""),
    ({"changed": True, "rc": 0}, "changed - rc 0"),
    ({"changed": False}, "ok, nothing changed"),
    ({"failed": True, "msg": "timeout"}, "FAILED - timeout"),
    ({"skipped": True, "changed": False}, "skipped"),
    ({"changed": True, "status": 200, "msg": "done"}, "changed - status 200, done"),
    ({"censored": incident.CENSORED}, "output hidden (no_log)"),
    ({"changed": True, "items": [{"changed": True}, {"censored": "x"}]}, "2 item(s): changed; output hidden (no_log)"),
])
def test_result_line(result, line):
    assert page.result_line(result) == line


def record(events, severity="P2"):
    rec = incident.new_record("INC-1", "t", severity, "s", "h", "2026-11-22T03:00:00+00:00")
    rec["events"] = [incident.make_event(k, t, "2026-11-22T03:00:%02d+00:00" % i, d)
                     for i, (k, t, d) in enumerate(events)]
    return rec


@pytest.mark.parametrize("events, severity, changes", [
    ([("declared", "d", {"severity": "P2"})], "P2", [(None, "P2")]),
    ([("declared", "d", {"severity": "P2"}), ("classified", "c", {"severity": "P0"})], "P0", [(None, "P2"), ("P2", "P0")]),
    ([("declared", "d", {"severity": "P1"}), ("classified", "c", {"severity": "P1"})], "P1", [(None, "P1")]),  # no change
    ([("declared", "d", None), ("classified", "c", {"severity": "P1"})], "P1", [(None, "P1")]),  # an older record
    ([("declared", "d", None)], "P3", [(None, "P3")]),                                          # only the record says
])
def test_severity_changes(events, severity, changes):
    rec = record(events, severity)
    assert [(c["from"], c["to"]) for c in page.severity_changes(rec)] == changes


def test_samples_chart_the_streak_and_the_hold():
    rec = record([("verify_started", "w", None), ("sample", "pass: ok", {"ok": True, "streak": 0.0}),
                  ("verify_reset", "FAIL: 503", {"ok": False, "streak": 0.0}), ("sample", "pass: ok", {"ok": True, "streak": 12.5}),
                  ("verify_held", "held", {"hold": 10}),
                  ("sample", "pass: older record", None), ("sample", "FAIL: older record", None)])
    rows, hold = page.samples(rec)
    assert [(r["ok"], r["value"]) for r in rows] == [(True, 0.0), (False, 0.0), (True, 12.5), (True, 1.0), (False, 0.0)]
    assert hold == 10.0


def test_view_masks_secrets_and_reads_in_order():
    rec = record([("declared", "declared", {"severity": "P2"}),
                  ("action", "restart with " + TOKEN, {"result": {"changed": True, "msg": "used " + TOKEN}}),
                  ("notification", "sent", None), ("resolved", "resolved", None), ("closed", "pm", None)])
    rec["status"], rec["resolved"] = "resolved", "2026-11-22T03:02:00+00:00"
    v = page.view(rec, "+09:00", "KST", [TOKEN])
    assert TOKEN not in repr(v)
    assert v["actions"][0]["text"] == "restart with " + incident.MASK
    assert v["actions"][0]["result"] == "changed - used " + incident.MASK
    assert [e["kind"] for e in v["events"]] == ["declared", "action", "notification", "resolved", "closed"]
    assert [n["text"] for n in v["notifications"]] == ["sent"]
    assert v["events"][1]["clock"]["local"] == "12:00:01 KST" and v["events"][1]["clock"]["utc"] == "03:00:01 UTC"
    assert v["duration_minutes"] == 2 and v["chart"] is None


def test_filter_refuses_what_is_not_a_record():
    from ansible.errors import AnsibleFilterError
    with pytest.raises(AnsibleFilterError, match="not an incident record"):
        incident_page({"id": "x"})
    with pytest.raises(AnsibleFilterError, match="expects an incident record"):
        incident_page([])
    assert incident_page(record([("declared", "d", None)]), {"offset": "+00:00", "name": "UTC"})["tz_name"] == "UTC"
