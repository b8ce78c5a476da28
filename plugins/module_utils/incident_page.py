# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the incident page shows, worked out from an incident record (module_utils/incident):
the timeline with each time in the team's zone (seed 003 writes KST) and in UTC, the
severity and its changes, each action with its result, the exit condition's samples as a
chart, the notifications. The incident role's template draws it beside the post-mortem.

The record is masked already when written; the view is masked again with the run's secrets,
so a template never prints one even from an old record."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import (
    duration_minutes,
    redact,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.page import clock, number, timechart

ACTION_KINDS = ("action", "skipped", "budget")
SAMPLE_KINDS = ("sample", "verify_reset")


def result_line(result):
    """One line for a recorded task result (as summarize_result kept it)."""
    if not isinstance(result, dict) or not result:
        return ""
    if "censored" in result:
        return "output hidden (no_log)"
    if "items" in result:
        items = [result_line(i) for i in result["items"]]
        return "%d item(s): %s" % (len(items), "; ".join(i for i in items if i) or "no detail")
    if result.get("skipped"):
        outcome = "skipped"
    elif result.get("failed"):
        outcome = "FAILED"
    elif result.get("changed"):
        outcome = "changed"
    else:
        outcome = "ok, nothing changed"
    extra = []
    for key in ("rc", "status", "action", "msg", "reason"):
        if result.get(key) not in (None, ""):
            extra.append("%s %s" % (key, result[key]) if key != "msg" else str(result[key]))
    return outcome + (" - " + ", ".join(extra) if extra else "")


def severity_changes(record):
    """The severity over time: as declared, then each classification or escalation that set
    a different one. A record from before the declared event carried its severity starts
    with the first classification."""
    changes = []
    current = None
    for event in record["events"]:
        data = event.get("data") or {}
        wanted = data.get("severity") if event["kind"] in ("declared", "classified", "escalated") else None
        if wanted and wanted != current:
            changes.append({"at": event["at"], "from": current, "to": wanted, "kind": event["kind"],
                            "text": event["text"]})
            current = wanted
    if not changes or changes[-1]["to"] != record["severity"]:
        changes.append({"at": record["started"], "from": current, "to": record["severity"], "kind": "record",
                        "text": "severity in the record"})
    return changes


def samples(record):
    """The exit condition's samples recorded (where the verdict changed, first and last):
    the value charted is how long the condition had held (streak, s), or 1/0 for pass/fail
    in records without it; the threshold is the hold asked for, when recorded."""
    rows = []
    hold = None
    for event in record["events"]:
        data = event.get("data") or {}
        if event["kind"] in SAMPLE_KINDS:
            ok = data.get("ok", str(event["text"]).startswith("pass"))
            value = number(data.get("streak"))
            rows.append({"at": event["at"], "ok": bool(ok), "value": value if value is not None else float(bool(ok)),
                         "text": event["text"]})
        elif event["kind"] in ("verify_held", "verify_timeout") and number(data.get("hold")) is not None:
            hold = number(data["hold"])
    return rows, hold


def view(record, tz_offset="+09:00", tz_name="KST", secrets=()):
    events = []
    for event in record["events"]:
        data = event.get("data") or {}
        events.append({"clock": clock(event["at"], tz_offset, tz_name), "kind": event["kind"],
                       "text": event["text"], "result": result_line(data.get("result"))})
    actions = [e for e in events if e["kind"] in ACTION_KINDS]
    notifications = [e for e in events if e["kind"] == "notification"]
    rows, hold = samples(record)
    severities = [dict(c, clock=clock(c["at"], tz_offset, tz_name)) for c in severity_changes(record)]
    closed = [e["at"] for e in record["events"] if e["kind"] == "closed"]
    end = record.get("resolved") or (closed[-1] if closed else
                                     (record["events"][-1]["at"] if record["events"] else record["started"]))
    page = {"id": record["id"], "title": record["title"], "severity": record["severity"],
            "status": record["status"], "symptom": record.get("symptom") or "", "host": record.get("host") or "",
            "started": clock(record["started"], tz_offset, tz_name),
            "resolved": clock(record["resolved"], tz_offset, tz_name) if record.get("resolved") else None,
            "duration_minutes": duration_minutes(record, end), "tz_name": tz_name,
            "classification": record.get("classification") or {},
            "events": events, "actions": actions, "notifications": notifications, "severities": severities,
            "samples": rows, "hold": hold, "chart": timechart(rows, hold)}
    return redact(page, secrets)
