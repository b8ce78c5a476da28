# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A remediation budget: at most N automatic actions per host and symptom in a sliding
window (an hour by default). Past it, a runbook stops acting and escalates to a human: a
restart that has not held twice will not hold the third time either.

State: one JSON file, {"schema": 1, "actions": {"<host>/<symptom>": [{"at": epoch, "action": "..."}]}},
pruned of entries older than the window on every write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

SCHEMA = 1
KEEP_SECONDS = 86400


class BudgetError(Exception):
    pass


def key_of(host, symptom):
    if not host or not symptom:
        raise BudgetError("host and symptom must not be empty")
    if "/" in host or "/" in symptom:
        raise BudgetError("host and symptom must not contain '/'")
    return "%s/%s" % (host, symptom)


def check_state(state, path):
    if state is None:
        return {"schema": SCHEMA, "actions": {}}
    actions = state.get("actions")
    if not isinstance(actions, dict):
        raise BudgetError("budget file %s: 'actions' must be an object" % path)
    for key, entries in actions.items():
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("at"), (int, float)) for e in entries):
            raise BudgetError("budget file %s: actions[%r] must be a list of {at: epoch seconds}" % (path, key))
    return state


def _iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(microsecond=0).isoformat()


def evaluate(state, key, max_actions, window, now):
    """(used, remaining, allowed, resets_at) for `key` at `now` (epoch seconds)."""
    if max_actions < 0:
        raise BudgetError("max_actions must be 0 or more, got %r" % (max_actions,))
    if window <= 0:
        raise BudgetError("window must be greater than 0, got %r" % (window,))
    recent = sorted(e["at"] for e in state["actions"].get(key, []) if now - e["at"] < window)
    used = len(recent)
    remaining = max(0, max_actions - used)
    # when the oldest action that counts leaves the window, one more is allowed
    resets_at = _iso(recent[0] + window) if recent and remaining == 0 else None
    return used, remaining, remaining > 0, resets_at


def consume(state, key, action, now, window):
    """A copy of `state` with one action recorded for `key`, and entries older than the window
    (and than a day, since other keys may use longer windows) pruned."""
    keep_for = max(window, KEEP_SECONDS)
    new = {"schema": SCHEMA, "actions": {}}
    for k, entries in state["actions"].items():
        kept = [e for e in entries if now - e["at"] < keep_for]
        if kept:
            new["actions"][k] = kept
    new["actions"].setdefault(key, []).append({"at": round(now, 3), "iso": _iso(now), "action": action or ""})
    return new
