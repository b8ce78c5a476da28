# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An exit condition held for N seconds (seed 003: "message delay < 2 s, held for 5 minutes").

Poll a check every `interval` seconds. The clock starts at the first passing sample and is
reset by any failing one; the condition is met when it has passed continuously for `hold`
seconds. When `timeout` seconds go by first (or too little time is left for a full hold),
it has not been met: the caller escalates. While waiting, `on_progress` is called every
`progress_every` seconds (the update cadence of the severity: P0 15 min, P1 30 min).

The clock and sleep are injected so that the loop is tested with a fake clock.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
import time

OPS = ("==", "!=", "<", "<=", ">", ">=")
MAX_SAMPLES = 500


class ExitConditionError(Exception):
    """Bad input: raised before the first check."""


def check_timing(interval, hold, timeout, progress_every=0):
    if interval <= 0:
        raise ExitConditionError("interval must be greater than 0, got %r" % (interval,))
    if hold < 0:
        raise ExitConditionError("hold must be 0 or more, got %r" % (hold,))
    if timeout < hold:
        raise ExitConditionError("timeout (%r) must be at least hold (%r): the condition could never "
                                 "be held that long" % (timeout, hold))
    if progress_every < 0:
        raise ExitConditionError("progress_every must be 0 (no updates) or more, got %r" % (progress_every,))


def parse_compare(expr):
    """'< 50' -> ('<', 50.0): a comparison of a command's output, read as a number."""
    if expr is None:
        return None
    m = re.match(r"^\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$", str(expr))
    if not m:
        raise ExitConditionError("compare %r must be an operator (%s) and a number, like '< 50'"
                                 % (expr, ", ".join(OPS)))
    return m.group(1), float(m.group(2))


def compare(op, left, right):
    return {"==": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
            ">": left > right, ">=": left >= right}[op]


def judge_command(rc, stdout, stderr, expect_rc=0, stdout_regex=None, compare_expr=None):
    """(ok, detail) for one run of a command (or SQL through a client) as an exit check."""
    text = (stdout or "").strip()
    if rc != expect_rc:
        tail = (stderr or stdout or "").strip().splitlines()
        return False, "rc %s (expected %s)%s" % (rc, expect_rc, ": %s" % tail[-1][:200] if tail else "")
    if stdout_regex is not None and not re.search(stdout_regex, text):
        return False, "output %r does not match %s" % (text[:80], stdout_regex)
    if compare_expr is not None:
        op, wanted = compare_expr
        first = text.split()[0] if text.split() else ""
        try:
            value = float(first)
        except ValueError:
            return False, "output %r is not a number (wanted %s %g)" % (text[:80], op, wanted)
        if not compare(op, value, wanted):
            return False, "%g (wanted %s %g)" % (value, op, wanted)
        return True, "%g %s %g" % (value, op, wanted)
    return True, "rc %d%s" % (rc, ", %s" % text[:80] if text else "")


def _iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat(timespec="milliseconds")


def hold(check_once, interval, hold_for, timeout, clock=time.time, sleep=time.sleep,
         progress_every=0, on_progress=None):
    """Run the hold loop. `check_once()` returns (ok, detail). Returns a dict:
    held, elapsed, held_for, resets, samples [{at, ok, detail, streak}], progress [...]."""
    check_timing(interval, hold_for, timeout, progress_every)
    started = clock()
    deadline = started + timeout
    streak_start = None
    resets = 0
    samples = []
    dropped = 0
    progress = []
    next_progress = started + progress_every if progress_every else None
    outcome = None
    while True:
        now = clock()
        ok, detail = check_once()
        now = clock()
        if ok:
            if streak_start is None:
                streak_start = now
        elif streak_start is not None:
            resets += 1
            streak_start = None
        streak = round(now - streak_start, 3) if streak_start is not None else 0.0
        sample = {"at": _iso(now), "ok": bool(ok), "detail": detail, "streak": streak}
        if len(samples) < MAX_SAMPLES:
            samples.append(sample)
        else:
            # keep the first ones and the newest: drop from the middle
            samples.pop(MAX_SAMPLES // 2)
            samples.append(sample)
            dropped += 1
        if streak_start is not None and now - streak_start >= hold_for:
            outcome = "held"
            break
        if now >= deadline:
            outcome = "timeout"
            break
        # A failing check with less than `hold_for` left cannot be held in time any more.
        if streak_start is None and deadline - now < hold_for:
            outcome = "timeout"
            break
        if next_progress is not None and now >= next_progress and on_progress is not None:
            progress.append(on_progress({"at": _iso(now), "elapsed": round(now - started, 1),
                                         "streak": streak, "resets": resets, "last": detail}))
            next_progress = now + progress_every      # never two updates closer than the cadence
        sleep(max(0.0, min(interval, deadline - clock())))
    end = clock()
    return {
        "held": outcome == "held",
        "outcome": outcome,
        "started": _iso(started),
        "ended": _iso(end),
        "elapsed": round(end - started, 3),
        "held_for": round(end - streak_start, 3) if streak_start is not None else 0.0,
        "resets": resets,
        "checks": len(samples) + dropped,
        "samples": samples,
        "samples_dropped": dropped,
        "progress": progress,
    }


def timeline_events(result):
    """The wait as timeline events for an incident record: the checks where the verdict
    changed (a failure after passing checks is a reset of the clock), the first and last
    check, and the progress updates sent."""
    events = []
    last = None
    for sample in transitions(result["samples"]):
        reset = not sample["ok"] and last is True
        # ok and streak kept as data: the incident page charts how long the condition had held
        events.append({"kind": "verify_reset" if reset else "sample", "at": sample["at"],
                       "text": "%s: %s%s" % ("pass" if sample["ok"] else "FAIL", sample["detail"],
                                             " (clock reset)" if reset else ""),
                       "data": {"ok": sample["ok"], "streak": sample["streak"]}})
        last = sample["ok"]
    for update in result["progress"]:
        events.append({"kind": "notification", "at": update["at"],
                       "text": "progress update %s" % ("sent (HTTP %s)" % update["status"] if update["sent"]
                                                       else "not delivered: %s" % update["error"])})
    return sorted(events, key=lambda e: e["at"])


def transitions(samples):
    """The samples where the verdict changed (and the first and last): what a timeline shows."""
    out = []
    last = None
    for i, sample in enumerate(samples):
        if i == 0 or sample["ok"] != last or i == len(samples) - 1:
            out.append(sample)
        last = sample["ok"]
    return out
