# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The remediation budget: N actions per host and symptom in a sliding window."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.remediation_budget import (
    BudgetError,
    check_state,
    consume,
    evaluate,
    key_of,
)

T0 = 1_800_000_000.0


def take(state, key, now, max_actions=2, window=3600):
    used, remaining, allowed, resets_at = evaluate(state, key, max_actions, window, now)
    if allowed:
        state = consume(state, key, "restart", now, window)
    return state, allowed


def test_third_action_in_the_hour_is_refused():
    state = check_state(None, "b.json")
    key = key_of("lab-web", "backend-health")
    state, first = take(state, key, T0)
    state, second = take(state, key, T0 + 600)
    state, third = take(state, key, T0 + 1200)
    assert (first, second, third) == (True, True, False)
    used, remaining, allowed, resets_at = evaluate(state, key, 2, 3600, T0 + 1200)
    assert (used, remaining, allowed) == (2, 0, False)
    assert resets_at == "2027-01-15T09:00:00+00:00"      # T0 + 1 h


def test_window_slides():
    state = check_state(None, "b.json")
    key = key_of("h", "s")
    for t in (T0, T0 + 600):
        state, _ign = take(state, key, t)
    assert take(state, key, T0 + 3599)[1] is False
    assert take(state, key, T0 + 3600)[1] is True        # the first action left the window


def test_keys_are_separate():
    state = check_state(None, "b.json")
    for t in (T0, T0 + 1):
        state, _ign = take(state, key_of("h", "mysql"), t)
    assert take(state, key_of("h", "mysql"), T0 + 2)[1] is False
    assert take(state, key_of("h", "gateway-502"), T0 + 2)[1] is True
    assert take(state, key_of("other", "mysql"), T0 + 2)[1] is True


def test_zero_budget_never_acts():
    assert evaluate(check_state(None, "x"), "h/s", 0, 3600, T0)[2] is False


def test_old_entries_are_pruned():
    state = consume(check_state(None, "x"), "h/s", "a", T0, 3600)
    state = consume(state, "h/t", "b", T0 + 90000, 3600)
    assert list(state["actions"]) == ["h/t"]


@pytest.mark.parametrize("host, symptom", [("", "s"), ("h", ""), ("a/b", "s")])
def test_bad_keys(host, symptom):
    with pytest.raises(BudgetError):
        key_of(host, symptom)


@pytest.mark.parametrize("state", [{"actions": []}, {"actions": {"h/s": [{"at": "yesterday"}]}}, {}])
def test_bad_state_is_refused(state):
    with pytest.raises(BudgetError, match="budget file b.json"):
        check_state(state, "b.json")


def test_bad_limits():
    with pytest.raises(BudgetError, match="max_actions"):
        evaluate(check_state(None, "x"), "h/s", -1, 3600, T0)
    with pytest.raises(BudgetError, match="window"):
        evaluate(check_state(None, "x"), "h/s", 1, 0, T0)
