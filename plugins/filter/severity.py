# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: severity
short_description: Classify measured signals as P0-P3 by a table of rules
version_added: "0.1.0"
description:
  - Takes measured signals (for example C(healthy), C(error_rate_pct), C(answered_pct),
    C(p95_ms)) and a table of rules, and returns the first severity whose rule matches.
  - The table is data, so a team changes its thresholds in variables, not in code. Rules are
    tried in order; a rule matches when any of its conditions holds. A condition on a signal
    that was not measured is skipped.
  - Returns severity C(none) when no rule matches.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
options:
  _input:
    description: Measured signals, name to value.
    type: dict
    required: true
  table:
    description:
      - Rules, most severe first. Each is C({severity, any}) where C(any) is a list of
        C({signal, op, value}) and C(op) is one of C(==), C(!=), C(<), C(<=), C(>), C(>=).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Classify (seed 004 thresholds)
  ansible.builtin.set_fact:
    incident: "{{ signals | oncall.runbooks.severity(table) }}"
  vars:
    signals: {healthy: true, error_rate_pct: 12.5, answered_pct: 100}
    table:
      - severity: P0
        any: [{signal: healthy, op: "==", value: false}, {signal: error_rate_pct, op: ">", value: 50}]
      - severity: P1
        any: [{signal: error_rate_pct, op: ">=", value: 10}, {signal: answered_pct, op: "<", value: 50}]
# incident == {"severity": "P1", "matched": ["error_rate_pct >= 10 (measured 12.5)"]}
"""

RETURN = r"""
_value:
  description: The classification.
  type: dict
  contains:
    severity:
      description: The first matching rule's severity, or C(none).
      type: str
    matched:
      description: The conditions of that rule that held, with the measured values.
      type: list
      elements: str
"""

import operator

from ansible.errors import AnsibleFilterError

OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
       ">": operator.gt, ">=": operator.ge}


def _check_table(table):
    if not isinstance(table, list) or not table:
        raise AnsibleFilterError("severity: table must be a non-empty list of rules")
    for i, rule in enumerate(table):
        if not isinstance(rule, dict) or not rule.get("severity") or not isinstance(rule.get("any"), list):
            raise AnsibleFilterError("severity: rule %d must have severity and a list 'any', got %r"
                                     % (i, rule))
        for cond in rule["any"]:
            if not isinstance(cond, dict) or "signal" not in cond or "value" not in cond:
                raise AnsibleFilterError("severity: rule %s: condition %r needs signal, op and value"
                                         % (rule["severity"], cond))
            if cond.get("op", "==") not in OPS:
                raise AnsibleFilterError("severity: rule %s: unknown op %r (use %s)"
                                         % (rule["severity"], cond.get("op"), ", ".join(OPS)))


def _holds(cond, signals):
    name = cond["signal"]
    if name not in signals or signals[name] is None:
        return None
    measured, wanted, op = signals[name], cond["value"], cond.get("op", "==")
    try:
        ok = OPS[op](measured, wanted)
    except TypeError:
        raise AnsibleFilterError("severity: cannot compare %s=%r %s %r" % (name, measured, op, wanted))
    if not ok:
        return None
    text = "%s %s %s" % (name, op, _show(wanted))
    return text if isinstance(measured, bool) else "%s (measured %s)" % (text, _show(measured))


def _show(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def severity(signals, table):
    if not isinstance(signals, dict):
        raise AnsibleFilterError("severity expects a dict of signals, got %s" % type(signals).__name__)
    _check_table(table)
    for rule in table:
        matched = [m for m in (_holds(c, signals) for c in rule["any"]) if m]
        if matched:
            return {"severity": rule["severity"], "matched": matched}
    return {"severity": "none", "matched": []}


class FilterModule:
    def filters(self):
        return {"severity": severity}
