# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: smoke_verdict
short_description: PASS, CONDITIONAL PASS or FAIL for a smoke test (seed 003 §6)
version_added: "0.1.0"
description:
  - Judges a list of smoke-test checks by the rules of seed 003 §6.
  - V(PASS) when every check passed; V(CONDITIONAL PASS) when only non-core issues (P2 or P3)
    failed, at most O(max_minor_issues) of them; V(FAIL) on any P0 or P1 issue (roll back at
    once and declare the incident) or on more non-core issues than that.
  - The logic lives in C(plugins/module_utils/verdict.py) so that modules and tests share it.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
options:
  _input:
    description:
      - The checks, each C({id, passed, severity, reason}); C(severity) (P0-P3) is what a
        failure of that check means.
      - Registered results of a looped C(oncall.runbooks.http_check) are taken as they are when
        each loop item carries C(id) and C(severity).
    type: list
    elements: dict
    required: true
  max_minor_issues:
    description: How many non-core issues a conditional pass allows.
    type: int
    default: 2
"""

EXAMPLES = r"""
- name: Judge the Quick 7
  ansible.builtin.set_fact:
    smoke: "{{ checks | oncall.runbooks.smoke_verdict }}"
  vars:
    checks:
      - {id: T1, passed: true, severity: P1}
      - {id: T5, passed: false, severity: P2, reason: "share button 500"}
# smoke.verdict == "CONDITIONAL PASS"
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    verdict: {description: "PASS, CONDITIONAL PASS or FAIL.", type: str}
    reason: {description: "Why, in one line.", type: str}
    issues: {description: "Failed checks with id, severity and reason.", type: list, elements: dict}
    blocking: {description: "Ids of failed P0/P1 checks.", type: list, elements: str}
    minor: {description: "Ids of failed P2/P3 checks.", type: list, elements: str}
    passed: {description: "Checks that passed.", type: int}
    total: {description: "Checks judged.", type: int}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.module_utils.verdict import VerdictError, smoke_verdict as _verdict


def smoke_verdict(checks, max_minor_issues=2):
    try:
        return _verdict(checks, max_minor_issues=max_minor_issues)
    except VerdictError as exc:
        raise AnsibleFilterError("smoke_verdict: %s" % exc)


class FilterModule:
    def filters(self):
        return {"smoke_verdict": smoke_verdict}
