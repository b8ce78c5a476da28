#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: flyctl_scale
short_description: Scale a Fly.io app's machine count and memory, and stop or restore it in an emergency
version_added: "0.1.0"
description:
  - O(state=scaled) brings one process group to O(count) machines and O(memory) MB, with
    C(flyctl scale count N --process-group G --yes) and C(flyctl scale memory M --process-group G).
    It reads C(scale show --json) first and calls nothing when the group is already there.
    Count and memory are independent - an option not given is left as it is - and the memory is
    checked before any call. The memory of machines that exist is changed first, so that a
    memory the API refuses leaves the count alone; on a failure RV(applied) and the message
    say which steps flyctl had already carried out.
  - O(state=stopped) is the runbook's emergency stop (C(scale count 0)). B(It destroys the
    machines, it does not stop them) - flyctl has no "stop the app" that scale count could mean.
    Before destroying anything it records, per process group, the machine count per region and
    the memory in O(state_dir); the task returns the destroyed machine ids.
  - O(state=restored) brings back exactly what that record says, one C(scale count) per group
    and region (with C(--region), the count is the total of the listed regions only), then the
    memory. The machines are B(new machines with new IDs); volumes are not re-attached by this.
  - A count of 0 with O(state=scaled) is refused, so that every destroy goes through
    O(state=stopped) and leaves a record to restore from.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.flyctl
  - oncall.runbooks.flyctl.state
attributes:
  check_mode:
    support: full
    details:
      - Reads the current scale and returns the plan (RV(plan)); runs no scale command and writes no record.
  diff_mode:
    support: full
    details:
      - Count, memory and machines per region of each process group, before and after.
  platform:
    platforms: posix
options:
  state:
    description:
      - V(scaled) - O(process_group) has O(count) machines of O(memory).
      - V(stopped) - every machine of O(process_groups) destroyed, counts recorded first.
      - V(restored) - the machines recorded by the last V(stopped) are back.
    type: str
    choices: [scaled, stopped, restored]
    default: scaled
  count:
    description: Machines wanted in O(process_group), 1 or more (0 only through O(state=stopped)).
    type: int
  memory:
    description: Memory per machine - MB (V(2048)) or a size such as V(2gb) or V(512mb).
    type: str
  process_group:
    description: Process group for O(state=scaled). flyctl's own default is C(app), not all groups.
    type: str
    default: app
  process_groups:
    description: Groups to stop with O(state=stopped). Default - every group that has machines.
    type: list
    elements: str
seealso:
  - module: oncall.runbooks.flyctl_info
"""

EXAMPLES = r"""
- name: Two machines of 2 GB (no call when already so)
  oncall.runbooks.flyctl_scale:
    app: freshchat-bridge
    count: 2
    memory: 2048

- name: Emergency stop - destroys every machine, after recording the counts
  oncall.runbooks.flyctl_scale:
    app: freshchat-bridge
    state: stopped
  register: stop

- name: Restore exactly what was there before the stop (new machine ids)
  oncall.runbooks.flyctl_scale:
    app: freshchat-bridge
    state: restored
"""

RETURN = r"""
plan:
  description: The scale calls made (or that would be, in check mode) - verb, process group, value, region.
  returned: always
  type: list
  elements: dict
  sample: [{"verb": "count", "process_group": "app", "value": 2, "region": "nrt"}]
scale:
  description: Per process group after the task (as flyctl_info's RV(oncall.runbooks.flyctl_info#module:scale)).
  returned: always
  type: dict
record:
  description: The record of the machines before the emergency stop (state stopped and restored).
  returned: when state is stopped or restored
  type: dict
  sample: {"groups": {"app": {"count": 2, "regions": {"nrt": 2}, "memory_mb": 2048}}, "stopped_at": "2026-11-21T03:12:00+00:00"}
destroyed_machines:
  description: Ids of the machines destroyed by the stop (they do not come back; restore creates new ones).
  returned: when state is stopped
  type: list
  elements: str
applied:
  description: On failure, the scale calls flyctl had already carried out (they are kept), as RV(plan).
  returned: failure
  type: list
  elements: dict
new_machines:
  description: Ids of machines that did not exist before the task.
  returned: always
  type: list
  elements: str
warning:
  description: What an emergency stop really does, in words.
  returned: when state is stopped
  type: str
calls:
  description: The flyctl command lines run.
  returned: always
  type: list
  elements: list
error_kind:
  description: On failure, which case it was.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    FlyctlError,
    common_argument_spec,
    ensure_dir,
    fail,
    order_plan,
    parse_memory,
    plan_scale,
    restore_plan,
    runner,
    state_path,
    stop_record,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    now_iso,
    read_state,
    write_state,
)

STOP_WARNING = ("scale count 0 DESTROYS the machines (it does not stop them); restore creates new "
                "machines with new IDs from the recorded counts")


def machine_ids(fly):
    return sorted(m["id"] for m in fly.machines() or [])


def execute(fly, plan):
    for step in plan:
        verb, group, value = step[0], step[1], step[2]
        region = step[3] if len(step) > 3 else None
        if verb == "count":
            args = ["scale", "count", str(value), "-a", fly.app, "--process-group", group, "--yes"]
            if region:
                args += ["--region", region]
        else:
            args = ["scale", "memory", str(value), "-a", fly.app, "--process-group", group]
        fly.run(args)


def apply_plan(fly, plan, before, done):
    """Run the plan in the order of order_plan(), appending each step to `done` once flyctl
    has taken it; returns the scale after."""
    first, then = order_plan(plan, before)
    for step in first:
        execute(fly, [step])
        done.append(step)
    after = fly.scale() if first else before
    if then:
        counts = [s for s in then if s[0] == "count"]
        for step in counts:
            execute(fly, [step])
            done.append(step)
        after = fly.scale() if counts else after
        # New machines copy the config of the group's machines (or the app's): a memory step
        # may be needed no longer.
        for step in then:
            if step[0] == "memory" and after.get(step[1], {}).get("memory_mb") != step[2]:
                execute(fly, [step])
                done.append(step)
                after = fly.scale()
    return after


def describe(plan):
    return [{"verb": s[0], "process_group": s[1], "value": s[2], "region": s[3] if len(s) > 3 else None}
            for s in plan]


def run(module, fly):
    p = module.params
    result = dict(changed=False, new_machines=[])
    before = fly.scale()
    ids_before = machine_ids(fly) if p["state"] != "scaled" else None
    path = state_path(p["state_dir"], p["app"], "scale")

    if p["state"] == "scaled":
        if p["count"] is None and p["memory"] is None:
            raise FlyctlError("state=scaled needs count, memory or both", kind="input")
        if p["count"] is not None and p["count"] < 0:
            raise FlyctlError("count must be 0 or more, got %d" % p["count"], kind="input")
        if p["count"] == 0:
            raise FlyctlError("count 0 destroys every machine of process group %s; use state=stopped, which "
                              "records the counts so that state=restored can bring them back" % p["process_group"],
                              kind="input")
        memory = parse_memory(p["memory"]) if p["memory"] is not None else None
        plan = plan_scale(before, p["process_group"], p["count"], memory)
    elif p["state"] == "stopped":
        record = read_state(path)
        groups = p["process_groups"] or sorted(before)
        unknown = [g for g in groups if g not in before]
        live = dict((g, before[g]) for g in groups if g in before)
        new_record = stop_record(live, previous=record, when=now_iso())
        plan = [("count", g, 0) for g in sorted(live) if live[g]["count"] > 0]
        result.update(record=new_record, warning=STOP_WARNING, destroyed_machines=[])
        if unknown:
            module.warn("process groups without machines, nothing to stop: %s" % ", ".join(unknown))
        if plan and not module.check_mode:
            # The record first: a stop that fails half-way must still be restorable.
            ensure_dir(path)
            write_state(path, new_record, mode=0o600)
        module.warn(STOP_WARNING)
    else:
        record = read_state(path)
        plan = restore_plan(record, before)
        result["record"] = record

    result["plan"] = describe(plan)
    after = before
    if plan:
        result["changed"] = True
        if not module.check_mode:
            done = []
            try:
                after = apply_plan(fly, plan, before, done)
            except FlyctlError as exc:
                extras = dict(exc.extras, applied=describe(done))
                msg = str(exc)
                if done:
                    msg += " (applied before this failure, and kept: %s)" % ", ".join(
                        "%s %s of %s%s" % (s[0], s[2], s[1], " in %s" % s[3] if len(s) > 3 and s[3] else "")
                        for s in done)
                else:
                    msg += " (nothing was applied)"
                raise FlyctlError(msg, kind=exc.kind, **extras)
            result["plan"] = describe(done)
    result["scale"] = after
    if p["state"] != "scaled" and plan and not module.check_mode:
        ids_after = machine_ids(fly)
        result["new_machines"] = sorted(set(ids_after) - set(ids_before))
        if p["state"] == "stopped":
            result["destroyed_machines"] = sorted(set(ids_before) - set(ids_after))
    if module._diff:
        result["diff"] = {"before": before, "after": after if not module.check_mode else _predict(before, plan)}
    return result


def _predict(before, plan):
    after = dict((g, dict(v, regions=dict(v["regions"]))) for g, v in before.items())
    for step in plan:
        group = after.setdefault(step[1], {"count": 0, "memory_mb": None, "regions": {}})
        if step[0] == "memory":
            group["memory_mb"] = step[2]
        elif len(step) > 3 and step[3]:
            group["regions"][step[3]] = step[2]
            group["count"] = sum(group["regions"].values())
        else:
            group["count"] = step[2]
            if step[2] == 0:
                group["regions"] = {}
    return after


def main():
    spec = common_argument_spec()
    spec.update(
        state=dict(type="str", default="scaled", choices=["scaled", "stopped", "restored"]),
        count=dict(type="int"),
        memory=dict(type="str"),
        process_group=dict(type="str", default="app"),
        process_groups=dict(type="list", elements="str"),
        state_dir=dict(type="path", default="~/.local/state/oncall-runbooks/flyio"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    fly = None
    try:
        fly = runner(module)
        result = run(module, fly)
    except StateFileError as exc:
        fail(module, FlyctlError(str(exc), kind="state_file"), calls=fly.calls if fly else [])
    except FlyctlError as exc:
        fail(module, exc, calls=fly.calls if fly else [])
    module.exit_json(calls=fly.calls, **result)


if __name__ == "__main__":
    main()
