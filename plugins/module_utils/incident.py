# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The incident record of seed 003's procedure (declare -> classify -> mitigate -> verify ->
notify -> close) as a small JSON state file, its timeline of timestamped events, and the
post-mortem rendered from it in seed 003's template.

Every text that is written is first passed through `redact()`: the values listed as secrets
are replaced, and results of tasks that ran with no_log are replaced by Ansible's own
"censored" text, so a secret never reaches the timeline or the post-mortem.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import fcntl
import os
import re

from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    read_state,
    write_state,
)

SCHEMA = 1
SEVERITIES = ("P0", "P1", "P2", "P3")
STATUSES = ("open", "resolved", "escalated")
EVENT_KINDS = ("detected", "declared", "classified", "diagnosis", "action", "skipped", "budget",
               "escalated", "verify_started", "sample", "verify_reset", "verify_held",
               "verify_timeout", "notification", "resolved", "closed", "note")
MASK = "********"
CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
# Keys of a registered task result worth keeping in a timeline; the rest (stdout, invocation
# with its arguments...) is left out.
RESULT_KEYS = ("changed", "failed", "skipped", "rc", "msg", "action", "status", "sent",
               "held", "allowed", "reason")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class IncidentError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------------------

def redact(value, secrets):
    """`value` with every secret string replaced by MASK, recursively; results that carry
    Ansible's no_log marker (or were censored already) are replaced whole."""
    secrets = sorted((s for s in (secrets or ()) if s), key=len, reverse=True)
    return _redact(value, secrets)


def _redact(value, secrets):
    if isinstance(value, dict):
        if value.get("_ansible_no_log") or "censored" in value:
            return {"censored": CENSORED}
        return dict((str(k), _redact(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    return value


def summarize_result(result, no_log=False):
    """What a timeline keeps of a registered task result: a few keys, or the censored text."""
    if not isinstance(result, dict):
        return {}
    if no_log or result.get("_ansible_no_log") or "censored" in result:
        return {"censored": CENSORED}
    if "results" in result and isinstance(result["results"], list):
        return {"changed": bool(result.get("changed")), "failed": bool(result.get("failed")),
                "items": [summarize_result(r) for r in result["results"]]}
    return dict((k, result[k]) for k in RESULT_KEYS if k in result)


# ---------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------

def parse_time(text):
    """An ISO 8601 timestamp (as state_file.now_iso writes) as an aware datetime."""
    if isinstance(text, (int, float)):
        return datetime.datetime.fromtimestamp(text, datetime.timezone.utc)
    try:
        value = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise IncidentError("timestamp %r is not ISO 8601 (like 2026-11-22T03:00:00+00:00)" % (text,))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def now_precise():
    """UTC now to the millisecond: events of one second keep their order when sorted."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def iso(value):
    """Normalised: UTC offset kept, milliseconds always shown (so stored times sort as text too)."""
    return parse_time(value).isoformat(timespec="milliseconds")


def parse_offset(text):
    """'+09:00' -> timezone(+9h)."""
    m = re.match(r"^([+-])(\d{2}):?(\d{2})$", str(text or ""))
    if not m:
        raise IncidentError("timezone offset %r must look like +09:00" % (text,))
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return datetime.timezone(datetime.timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


# ---------------------------------------------------------------------------------------
# The record
# ---------------------------------------------------------------------------------------

def make_id(symptom, started):
    stamp = parse_time(started).astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", symptom or "incident").strip("-")[:40] or "incident"
    return "INC-%s-%s" % (stamp, slug)


def check_id(incident_id):
    if not ID_RE.match(incident_id or ""):
        raise IncidentError("incident id %r: use letters, digits, '.', '_' and '-' (at most 128)"
                            % (incident_id,))
    return incident_id


def new_record(incident_id, title, severity, symptom, host, started):
    if severity not in SEVERITIES:
        raise IncidentError("severity must be one of %s, got %r" % (", ".join(SEVERITIES), severity))
    if not title or not str(title).strip():
        raise IncidentError("title must not be empty")
    return {"schema": SCHEMA, "id": check_id(incident_id), "title": str(title), "severity": severity,
            "symptom": symptom or "", "host": host or "", "status": "open",
            "started": iso(started), "resolved": None, "classification": None, "events": []}


def check_record(record, path):
    for key in ("id", "title", "severity", "status", "started", "events"):
        if key not in record:
            raise StateFileError("incident file %s has no %r: not an incident record" % (path, key))
    if not isinstance(record["events"], list):
        raise StateFileError("incident file %s: events must be a list" % path)
    return record


def make_event(kind, text, at=None, data=None):
    if kind not in EVENT_KINDS:
        raise IncidentError("event kind must be one of %s, got %r" % (", ".join(EVENT_KINDS), kind))
    event = {"at": iso(at) if at else now_precise(), "kind": kind, "text": str(text or kind)}
    if data:
        event["data"] = data
    return event


def append_events(record, events, secrets=()):
    """Append events (sorted by time among themselves, stable) after redacting them."""
    ordered = sorted(events, key=lambda e: parse_time(e["at"]))
    clean = [redact(e, secrets) for e in ordered]
    record["events"].extend(clean)
    return clean


def apply_kind(record, kind, at, severity=None, matched=None):
    """What an event changes in the record besides the timeline."""
    if kind == "classified" and severity:
        if severity not in SEVERITIES:
            raise IncidentError("severity must be one of %s, got %r" % (", ".join(SEVERITIES), severity))
        record["severity"] = severity
        record["classification"] = {"severity": severity, "matched": list(matched or [])}
    elif kind == "resolved":
        record["status"] = "resolved"
        record["resolved"] = at
    elif kind == "escalated":
        record["status"] = "escalated"


@contextlib.contextmanager
def locked(path):
    """An exclusive lock beside `path` for read-modify-write of the record."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise IncidentError("directory %s does not exist" % directory)
    fd = os.open(path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def load(path):
    record = read_state(path)
    return None if record is None else check_record(record, path)


def save(path, record):
    return write_state(path, record, mode=0o600)


# ---------------------------------------------------------------------------------------
# Post-mortem (seed 003 section 1 template)
# ---------------------------------------------------------------------------------------

def duration_minutes(record, end=None):
    start = parse_time(record["started"])
    stop = parse_time(end or record.get("resolved") or now_precise())
    return max(0, int(round((stop - start).total_seconds() / 60.0)))


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def _lines(items, empty="..."):
    items = [i for i in (items or []) if str(i).strip()]
    return "\n".join("- %s" % _cell(i) for i in items) if items else empty


def timeline_rows(record, tz):
    rows = []
    for event in record["events"]:
        at = parse_time(event["at"]).astimezone(tz)
        rows.append((at.strftime("%H:%M:%S"), event["kind"], event["text"]))
    return rows


def render_postmortem(record, tz_offset="+09:00", tz_name="KST", ic="", scribe="", impact=None,
                      root_cause="", contributing=(), went_well=(), action_items=(), links=None,
                      end=None):
    """Seed 003's general post-mortem, in Markdown, with the timeline from the record."""
    tz = parse_offset(tz_offset)
    started = parse_time(record["started"]).astimezone(tz)
    impact = impact or {}
    links = links or {}
    out = [
        "## Post-Mortem: %s [SEV-%s]" % (record["title"], record["severity"]),
        "",
        "**일시**: %s" % started.strftime("%Y-%m-%d"),
        "**지속 시간**: %d분" % duration_minutes(record, end),
        "**심각도**: %s" % record["severity"],
        "**IC**: %s" % (ic or "-"),
        "**Scribe**: %s" % (scribe or "-"),
        "**Incident**: %s (%s, host %s, status %s)" % (record["id"], record.get("symptom") or "-",
                                                       record.get("host") or "-", record["status"]),
        "",
        "### 영향 (Impact)",
        "- 영향 사용자 수: %s" % _cell(impact.get("users", "-")),
        "- 매출 영향: %s" % _cell(impact.get("revenue", "-")),
        "- 데이터 영향: %s" % _cell(impact.get("data", "-")),
        "",
        "### 타임라인 (Timeline)",
        "| 시각 (%s) | 이벤트 |" % tz_name,
        "|-----------|--------|",
    ]
    for hhmmss, kind, text in timeline_rows(record, tz):
        out.append("| %s | %s: %s |" % (hhmmss, kind, _cell(text)))
    out += [
        "",
        "### 근본 원인 (Root Cause)",
        root_cause.strip() if root_cause and root_cause.strip() else "...",
        "",
        "### 기여 요인 (Contributing Factors)",
        _lines(contributing),
        "",
        "### 잘된 것 (What Went Well)",
        _lines(went_well),
        "",
        "### 재발 방지 (Action Items)",
        "| 조치 | 담당 | 기한 |",
        "|------|------|------|",
    ]
    items = [i for i in (action_items or []) if isinstance(i, dict)]
    for item in items or [{}]:
        out.append("| %s | %s | %s |" % (_cell(item.get("action", "")), _cell(item.get("owner", "")),
                                         _cell(item.get("due", ""))))
    out += [
        "",
        "### 링크",
        "- Notion WI: %s" % links.get("notion", ""),
        "- Slack Thread: %s" % links.get("slack", ""),
        "- PR: %s" % links.get("pr", ""),
        "- Deploy: %s" % links.get("deploy", ""),
        "",
    ]
    return "\n".join(out)
