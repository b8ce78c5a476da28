# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 003 section 6's verdict of a smoke test / checklist run, as pure functions.

    PASS              every item passed, no error
    CONDITIONAL PASS  only non-critical (P2+) items failed, one or two of them: no immediate fix
    FAIL              a critical (P0/P1) item failed -> roll back and declare an incident;
                      also when more non-critical items failed than the seed tolerates (3+)

Items that did not apply to a host (skipped) do not count. A run in which nothing applied has
no verdict (NothingChecked): a checklist that checked nothing must not read as PASS.
"""
from __future__ import annotations

from collections import namedtuple

PASS = "PASS"
CONDITIONAL_PASS = "CONDITIONAL PASS"
FAIL = "FAIL"
# How many non-critical failures the seed still calls a conditional pass ("1~2건").
MAX_NON_CRITICAL_FAILURES = 2
EXIT_CODES = {PASS: 0, FAIL: 1, CONDITIONAL_PASS: 3}
ORDER = (PASS, CONDITIONAL_PASS, FAIL)

# outcome: "passed", "failed" (an assertion or an error: both fail the item) or "skipped"
Result = namedtuple("Result", "host item title critical outcome message")


class NothingChecked(ValueError):
    """No item applied: there is nothing to base a verdict on."""


def verdict(results):
    """PASS / CONDITIONAL PASS / FAIL of a list of Result (one host's, or a whole run's)."""
    counted = [r for r in results if r.outcome != "skipped"]
    if not counted:
        raise NothingChecked("no checklist item applied")
    bad = [r for r in counted if r.outcome != "passed"]
    if any(r.critical for r in bad):
        return FAIL
    if len(bad) > MAX_NON_CRITICAL_FAILURES:
        return FAIL
    return CONDITIONAL_PASS if bad else PASS


def worst(verdicts):
    """The worst of several verdicts (a group is as good as its worst host)."""
    verdicts = list(verdicts)
    if not verdicts:
        raise NothingChecked("no host had an applicable item")
    return max(verdicts, key=ORDER.index)


def per_host(results):
    """{host: verdict or None (nothing applied)}, hosts in first-seen order."""
    hosts = {}
    for r in results:
        hosts.setdefault(r.host, []).append(r)
    out = {}
    for host, rs in hosts.items():
        try:
            out[host] = verdict(rs)
        except NothingChecked:
            out[host] = None
    return out


def report(suite, group, results, show_skipped=False):
    """The lines the command prints, and the run's verdict (None when nothing applied)."""
    lines = []
    label = {"passed": "ok", "failed": "FAILED", "skipped": "n/a"}
    for r in results:
        if r.outcome == "skipped" and not show_skipped:
            continue
        tier = "critical" if r.critical else "P2+"
        line = "%-8s %-16s %-14s %-9s %s" % (label[r.outcome], r.host, r.item, tier, r.title)
        if r.outcome != "passed" and r.message:
            line += "  -- " + r.message
        lines.append(line)
    hosts = per_host(results)
    for host, v in hosts.items():
        lines.append("host %-16s %s" % (host, v or "nothing applied"))
    applied = [v for v in hosts.values() if v]
    overall = worst(applied) if applied else None
    failed = [r for r in results if r.outcome == "failed"]
    summary = "%d passed, %d failed (%d critical), %d not applicable" % (
        sum(r.outcome == "passed" for r in results), len(failed),
        sum(r.critical for r in failed), sum(r.outcome == "skipped" for r in results))
    lines.append("VERDICT: %s (suite %s, group %s; %s)" % (overall or "nothing checked", suite, group, summary))
    return lines, overall
