# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The smoke-test verdict of seed 003 §6 (판단 기준), as a pure function.

    PASS              every core test passed, no errors
    CONDITIONAL PASS  only non-core (P2 or P3) issues, 1 or 2 of them; no immediate fix needed
    FAIL              a P0 or P1 issue (-> roll back at once and declare in #ops-incidents),
                      or more non-core issues than a conditional pass allows

Each check is {"id", "passed", "severity"}: the severity is what a failure of that check
means (P0-P3), kept as data beside the check.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PASS, CONDITIONAL, FAIL = "PASS", "CONDITIONAL PASS", "FAIL"
SEVERITIES = ("P0", "P1", "P2", "P3")
BLOCKING = ("P0", "P1")


class VerdictError(Exception):
    pass


def normalize(check):
    """A check as {id, passed, severity, reason}. Also takes one result of a looped
    oncall.runbooks.http_check whose loop item carries id and severity."""
    if isinstance(check, dict) and "passed" not in check and isinstance(check.get("item"), dict) and "healthy" in check:
        item = check["item"]
        return {"id": item.get("id"), "passed": bool(check["healthy"]), "severity": item.get("severity"),
                "reason": check.get("reason") or ""}
    return check


def smoke_verdict(checks, max_minor_issues=2):
    """{verdict, issues, blocking, minor, passed, total, reason} for a list of checks."""
    if not isinstance(checks, list) or not checks:
        raise VerdictError("smoke_verdict needs a non-empty list of checks")
    if not isinstance(max_minor_issues, int) or max_minor_issues < 0:
        raise VerdictError("max_minor_issues must be 0 or more")
    issues, seen = [], set()
    for i, check in enumerate(checks):
        check = normalize(check)
        if not isinstance(check, dict) or "passed" not in check or not isinstance(check["passed"], bool):
            raise VerdictError("check %d must be a dict with a boolean 'passed', got %r" % (i, check))
        ident = str(check.get("id") or "check %d" % i)
        if ident in seen:
            raise VerdictError("check id %s appears twice" % ident)
        seen.add(ident)
        severity = str(check.get("severity", "")).upper()
        if severity not in SEVERITIES:
            raise VerdictError("check %s: severity must be one of %s, got %r"
                               % (ident, ", ".join(SEVERITIES), check.get("severity")))
        if not check["passed"]:
            issues.append({"id": ident, "severity": severity, "reason": str(check.get("reason") or "")})
    blocking = [x for x in issues if x["severity"] in BLOCKING]
    minor = [x for x in issues if x["severity"] not in BLOCKING]
    if blocking:
        verdict = FAIL
        reason = "%s issue(s): %s - roll back now and declare in #ops-incidents" % (
            "/".join(sorted(set(x["severity"] for x in blocking))), ", ".join(x["id"] for x in blocking))
    elif len(minor) > max_minor_issues:
        verdict = FAIL
        reason = "%d non-core issues (%s), more than the %d a conditional pass allows" % (
            len(minor), ", ".join(x["id"] for x in minor), max_minor_issues)
    elif minor:
        verdict = CONDITIONAL
        reason = "%d non-core issue(s): %s; no immediate fix needed" % (len(minor), ", ".join(x["id"] for x in minor))
    else:
        verdict = PASS
        reason = "all %d checks passed" % len(checks)
    return {
        "verdict": verdict, "reason": reason, "issues": issues,
        "blocking": [x["id"] for x in blocking], "minor": [x["id"] for x in minor],
        "passed": len(checks) - len(issues), "total": len(checks),
    }
