#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: flyctl_restart
short_description: Restart a Fly.io app, or some of its machines, and wait for their health checks
version_added: "0.1.0"
description:
  - Without O(machines), runs C(flyctl apps restart APP) (the app is a positional argument -
    C(apps restart) has no C(-a) flag). flyctl restarts, one after another, B(only the machines
    that are started); stopped, suspended and standby machines are skipped and listed in RV(skipped).
  - With O(machines), runs C(flyctl machine restart ID... -a APP) for those of them that are
    started, after checking that each belongs to the app. A named machine that is not started
    (stopped, suspended...) cannot be restarted - the Machines API refuses it and flyctl fails -
    so it is skipped and listed in RV(skipped) with its state, as the whole-app restart does.
  - flyctl waits for the health checks of each restarted machine (unless
    O(skip_health_checks)); a machine that does not become healthy fails the task with
    flyctl's message.
  - A restart is an action, not a state - it always reports C(changed) when something was restarted.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.flyctl
attributes:
  check_mode:
    support: full
    details:
      - Lists the machines that would be restarted and those that would be skipped; restarts nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  machines:
    description: Ids of the machines to restart. Empty - the whole app (its started machines).
    type: list
    elements: str
    default: []
  skip_health_checks:
    description: Do not wait for health checks after the restart.
    type: bool
    default: false
  force_stop:
    description: With the whole app, stop the machines forcibly (C(--force-stop)).
    type: bool
    default: false
seealso:
  - module: oncall.runbooks.flyctl_info
"""

EXAMPLES = r"""
- name: Restart the bridge (its started machines, one after another)
  oncall.runbooks.flyctl_restart:
    app: freshchat-bridge

- name: Restart one machine
  oncall.runbooks.flyctl_restart:
    app: freshchat-bridge
    machines: [e8247d3a652e98]
"""

RETURN = r"""
restarted:
  description: Ids of the machines restarted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
skipped:
  description:
    - Machines not restarted, with their state - the whole-app restart leaves every machine that is
      not started alone; with O(machines), the named machines that are not started.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "5683977a6d1d48", "state": "stopped"}]
calls:
  description: The flyctl command lines run.
  returned: always
  type: list
  elements: list
error_kind:
  description: On failure, which case it was (not_found, unauthorized, failed - for example health checks not passing).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    FlyctlError,
    common_argument_spec,
    fail,
    machine_view,
    runner,
)


def run(module, fly):
    p = module.params
    machines = [machine_view(m) for m in fly.machines() or []]
    by_id = dict((m["id"], m) for m in machines)
    if p["machines"]:
        unknown = [i for i in p["machines"] if i not in by_id]
        if unknown:
            raise FlyctlError("machine %s was not found in app '%s' (its machines: %s)"
                              % (", ".join(unknown), p["app"], ", ".join(sorted(by_id)) or "none"), kind="not_found")
        named = list(dict.fromkeys(p["machines"]))
        targets = [i for i in named if by_id[i]["state"] == "started"]
        skipped = [{"id": i, "state": by_id[i]["state"]} for i in named if i not in targets]
        args = ["machine", "restart"] + targets + ["-a", p["app"]]
    else:
        targets = sorted(m["id"] for m in machines if m["state"] == "started" and m["managed"])
        skipped = [{"id": m["id"], "state": m["state"]} for m in machines if m["id"] not in targets]
        args = ["apps", "restart", p["app"]]
        if p["force_stop"]:
            args.append("--force-stop")
    if p["skip_health_checks"]:
        args.append("--skip-health-checks")
    if skipped:
        module.warn("%s restarts only started machines; not restarted: %s"
                    % ("machine restart" if p["machines"] else "apps restart",
                       ", ".join("%s (%s)" % (s["id"], s["state"]) for s in skipped)))
    result = dict(changed=bool(targets), restarted=targets, skipped=skipped)
    if targets and not module.check_mode:
        fly.run(args)
    return result


def main():
    spec = common_argument_spec()
    spec.update(
        machines=dict(type="list", elements="str", default=[]),
        skip_health_checks=dict(type="bool", default=False),
        force_stop=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    fly = None
    try:
        fly = runner(module)
        result = run(module, fly)
    except FlyctlError as exc:
        fail(module, exc, calls=fly.calls if fly else [])
    module.exit_json(calls=fly.calls, **result)


if __name__ == "__main__":
    main()
