#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: remediation_budget
short_description: At most N automatic remediations per host and symptom per hour
version_added: "0.1.0"
description:
  - Keeps count of the automatic actions (restarts, rollbacks...) a runbook took per host
    and symptom, in a small JSON state file, over a sliding window (an hour by default).
  - O(state=check) says whether one more action is within the budget; O(state=consumed)
    records one action when it is, and records nothing when it is not. Either way RV(allowed)
    tells the runbook whether to act; past the budget it escalates instead (a restart that
    did not hold twice will not hold the third time).
  - Exceeding the budget is not an error; bad input and a corrupt state file are.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports whether the action would be allowed; records nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  path:
    description: The budget file (JSON). Its directory must exist.
    type: path
    required: true
  host:
    description: The host the action is taken on.
    type: str
    required: true
  symptom:
    description: The symptom it remedies, for example C(backend-health).
    type: str
    required: true
  max_actions:
    description: Actions allowed in O(window).
    type: int
    default: 2
  window:
    description: Seconds of the sliding window.
    type: int
    default: 3600
  state:
    description: V(check) only looks; V(consumed) records one action when allowed.
    type: str
    choices: [check, consumed]
    default: consumed
  action:
    description: What the action is, kept with it (for example C(restart backend-blue)).
    type: str
    default: ""
seealso:
  - module: oncall.runbooks.incident_event
"""

EXAMPLES = r"""
- name: Take one restart from the budget
  oncall.runbooks.remediation_budget:
    path: /var/lib/oncall-runbooks/remediation-budget.json
    host: "{{ inventory_hostname }}"
    symptom: backend-health
    max_actions: 2
    action: restart backend-blue
  register: budget

- name: Restart only within the budget
  ansible.builtin.command:
    argv: [docker, restart, backend-blue]
  when: budget.allowed
  changed_when: true
"""

RETURN = r"""
allowed:
  description: Whether the action is (was) within the budget.
  returned: always
  type: bool
used:
  description: Actions taken in the window, this one included when it was recorded.
  returned: always
  type: int
remaining:
  description: Actions left in the window after this task.
  returned: always
  type: int
resets_at:
  description: When the oldest counted action leaves the window (UTC), when none is left; else null.
  returned: always
  type: str
key:
  description: C(<host>/<symptom>).
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import IncidentError, locked
from ansible_collections.oncall.runbooks.plugins.module_utils.remediation_budget import (
    BudgetError,
    check_state,
    consume,
    evaluate,
    key_of,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    read_state,
    write_state,
)


def run(module, now):
    p = module.params
    key = key_of(p["host"], p["symptom"])
    with locked(p["path"]):
        state = check_state(read_state(p["path"]), p["path"])
        used, remaining, allowed, resets_at = evaluate(state, key, p["max_actions"], p["window"], now)
        changed = False
        if p["state"] == "consumed" and allowed:
            changed = True
            if not module.check_mode:
                write_state(p["path"], consume(state, key, p["action"], now, p["window"]), mode=0o600)
            used, remaining = used + 1, remaining - 1
            if remaining == 0:
                resets_at = evaluate(consume(state, key, p["action"], now, p["window"]), key,
                                     p["max_actions"], p["window"], now)[3]
    return dict(changed=changed, allowed=allowed, used=used, remaining=remaining,
                resets_at=resets_at, key=key)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            host=dict(type="str", required=True),
            symptom=dict(type="str", required=True),
            max_actions=dict(type="int", default=2),
            window=dict(type="int", default=3600),
            state=dict(type="str", default="consumed", choices=["check", "consumed"]),
            action=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**run(module, time.time()))
    except (BudgetError, IncidentError, StateFileError) as exc:
        module.fail_json(msg=str(exc))


if __name__ == "__main__":
    main()
