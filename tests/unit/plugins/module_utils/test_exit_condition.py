# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hold loop of exit_condition on a fake clock: held, flapping resets, timeouts, cadence."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.exit_condition import (
    ExitConditionError,
    check_timing,
    hold,
    judge_command,
    parse_compare,
    timeline_events,
    transitions,
)


class FakeClock:
    def __init__(self, start=1_800_000_000.0):
        self.now = start
        self.slept = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def scripted(clock, verdicts):
    """A check whose verdict at each call comes from `verdicts` (the last one repeats)."""
    calls = []

    def once():
        ok = verdicts[min(len(calls), len(verdicts) - 1)]
        calls.append(clock.now)
        return ok, "ok" if ok else "503"
    once.calls = calls
    return once


def run(clock, verdicts, interval=1, hold_for=5, timeout=30, **kw):
    check = scripted(clock, verdicts)
    result = hold(check, interval, hold_for, timeout, clock=clock.time, sleep=clock.sleep, **kw)
    return result, check


def test_steady_pass_holds_after_hold_seconds():
    clock = FakeClock()
    result, check = run(clock, [True])
    assert result["held"] is True and result["outcome"] == "held"
    assert result["resets"] == 0
    assert result["elapsed"] == 5 and result["held_for"] == 5
    assert len(check.calls) == 6          # t=0..5
    assert all(s["ok"] for s in result["samples"])


def test_a_failure_resets_the_clock():
    clock = FakeClock()
    # pass 3 s, fail once, then pass: the hold restarts at the first pass after the failure
    result, check = run(clock, [True, True, True, True, False, True])
    assert result["held"] is True
    assert result["resets"] == 1
    assert result["elapsed"] == 10        # failure at t=4, passes from t=5, held at t=10
    assert result["held_for"] == 5
    assert [s["streak"] for s in result["samples"]][:6] == [0, 1, 2, 3, 0, 0]


def test_flapping_never_holds_and_times_out():
    clock = FakeClock()
    result, _check = run(clock, [True, False] * 50, hold_for=3, timeout=20)
    assert result["held"] is False and result["outcome"] == "timeout"
    assert result["resets"] >= 8
    assert result["elapsed"] <= 20


def test_gives_up_when_a_full_hold_no_longer_fits():
    clock = FakeClock()
    result, check = run(clock, [False], hold_for=10, timeout=30)
    assert result["held"] is False
    assert result["elapsed"] == 21        # at t=21 less than 10 s remain
    assert len(check.calls) == 22


def test_hold_zero_is_one_passing_check():
    clock = FakeClock()
    result, check = run(clock, [False, True], hold_for=0, timeout=5)
    assert result["held"] is True and len(check.calls) == 2 and result["resets"] == 0


def test_sleep_never_passes_the_deadline():
    clock = FakeClock()
    result, _check = run(clock, [False, True], interval=7, hold_for=2, timeout=10)
    assert result["held"] is True
    assert clock.slept == [7, 3]          # the second sleep is cut to the deadline


def test_progress_at_the_cadence():
    clock = FakeClock()
    sent = []

    def progress(status):
        sent.append(status)
        return {"at": status["at"], "sent": True, "status": 204, "error": ""}
    result, _check = run(clock, [False] * 40 + [True], interval=1, hold_for=5, timeout=60,
                         progress_every=15, on_progress=progress)
    assert result["held"] is True
    assert [s["elapsed"] for s in sent] == [15, 30]
    assert len(result["progress"]) == 2
    events = timeline_events(result)
    assert [e["kind"] for e in events if e["kind"] == "notification"] == ["notification"] * 2
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_timeline_events_mark_resets():
    clock = FakeClock()
    result, _check = run(clock, [False, True, True, False, True])
    kinds = [(e["kind"], e["text"].split(":")[0]) for e in timeline_events(result)]
    assert kinds == [("sample", "FAIL"), ("sample", "pass"), ("verify_reset", "FAIL"),
                     ("sample", "pass"), ("sample", "pass")]


def test_transitions_keep_first_last_and_changes():
    samples = [{"ok": v, "at": str(i)} for i, v in enumerate([False, False, True, True, True])]
    assert [s["at"] for s in transitions(samples)] == ["0", "2", "4"]


def test_samples_are_capped(monkeypatch):
    from ansible_collections.oncall.runbooks.plugins.module_utils import exit_condition
    monkeypatch.setattr(exit_condition, "MAX_SAMPLES", 10)
    clock = FakeClock()
    result, check = run(clock, [False] * 30 + [True], hold_for=0, timeout=100)
    assert len(result["samples"]) == 10 and result["samples_dropped"] == 21
    assert result["checks"] == len(check.calls) == 31
    assert result["samples"][-1]["ok"] is True and result["samples"][0]["ok"] is False


@pytest.mark.parametrize("args, message", [
    ((0, 5, 10), "interval must be greater than 0"),
    ((1, -1, 10), "hold must be 0 or more"),
    ((1, 60, 30), "timeout (30) must be at least hold (60)"),
    ((1, 5, 10, -1), "progress_every must be 0"),
])
def test_bad_timing(args, message):
    with pytest.raises(ExitConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_timing(*args)


def test_parse_compare():
    assert parse_compare("< 50") == ("<", 50.0)
    assert parse_compare(">=2.5") == (">=", 2.5)
    assert parse_compare(None) is None
    with pytest.raises(ExitConditionError, match="must be an operator"):
        parse_compare("less than 50")


@pytest.mark.parametrize("rc, out, kw, ok, detail", [
    (0, "", {}, True, "rc 0"),
    (1, "", {}, False, "rc 1 (expected 0)"),
    (2, "", {"expect_rc": 2}, True, "rc 2"),
    (0, "mysqld is alive\n", {"stdout_regex": "is alive"}, True, "rc 0, mysqld is alive"),
    (0, "dead\n", {"stdout_regex": "is alive"}, False, "output 'dead' does not match is alive"),
    (0, "42\n", {"compare_expr": ("<", 50)}, True, "42 < 50"),
    (0, "201\n", {"compare_expr": ("<", 50)}, False, "201 (wanted < 50)"),
    (0, "n/a\n", {"compare_expr": ("<", 50)}, False, "output 'n/a' is not a number (wanted < 50)"),
])
def test_judge_command(rc, out, kw, ok, detail):
    assert judge_command(rc, out, "", **kw) == (ok, detail)


def test_judge_command_quotes_the_error():
    ok, detail = judge_command(1, "", "line1\nERROR 2002: Can't connect\n")
    assert not ok and detail == "rc 1 (expected 0): ERROR 2002: Can't connect"


def test_a_late_update_moves_the_next_one():
    clock = FakeClock()
    sent = []

    def progress(status):
        sent.append(status["elapsed"])
        return {"at": status["at"], "sent": True, "status": 204, "error": ""}
    # checks every 4 s, updates every 5 s: the first is due at 5, seen at 8; the next at 13+
    run(clock, [False] * 10 + [True], interval=4, hold_for=0, timeout=60, progress_every=5, on_progress=progress)
    assert sent == [8, 16, 24, 32]            # at 40 the condition held: no update
    assert all(b - a >= 5 for a, b in zip(sent, sent[1:]))
