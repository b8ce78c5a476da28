#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: flyctl_info
short_description: Read the state of a Fly.io app through flyctl - status, checks, releases, scale, secrets, logs
version_added: "0.1.0"
description:
  - Runs the read-only flyctl commands named in O(gather), each with C(--json), and returns
    whitelisted views of what they print. Changes nothing.
  - RV(summary) answers the runbook's daily and weekly questions - is every machine
    C(started), does every health check pass, which release is deployed.
  - RV(secrets) holds names, digests and deploy status only; flyctl never shows values.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.flyctl
attributes:
  check_mode:
    support: full
    details:
      - Runs the same read-only commands as without check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  gather:
    description:
      - What to read. V(status) - C(flyctl status), V(machines) - C(machine list), V(checks) -
        C(checks list), V(releases) - C(releases --image), V(scale) - C(scale show), V(secrets) -
        C(secrets list), V(image) - C(image show), V(logs) - C(logs --no-tail) (bounded by
        O(logs_timeout)).
    type: list
    elements: str
    choices: [status, machines, checks, releases, scale, secrets, image, logs]
    default: [status, releases, scale]
  logs_timeout:
    description:
      - Seconds to wait at most for C(logs --no-tail). flyctl prints the first non-empty batch
        of recent lines and exits, and keeps polling for ever while there is none. The batch is
        returned as soon as it has arrived; with no line after this long the task returns no
        lines and RV(logs_timed_out=true) instead of hanging.
    type: int
    default: 20
  log_error_pattern:
    description:
      - Regular expression marking a log line as an error (in addition to level C(error) or
        C(fatal)). Fly logs whatever the app prints at level C(info), so this is what finds the
        app's own errors.
    type: str
    default: '(?i)\b(error|exception|fatal|panic|unhandled)\b'
  redis_tag:
    description: Text that marks a log line as one about Redis (with V(logs) gathered, see RV(redis)).
    type: str
    default: '[Redis]'
  redis_connected_text:
    description: Text of the line that says Redis is connected.
    type: str
    default: '[Redis] Connected'
  redis_error_pattern:
    description:
      - Regular expression that makes a Redis line an error. A Redis line that is neither
        connected nor an error leaves the machine C(unknown).
    type: str
    default: '(?i)\b(error|err|fail(ed|ure)?|refused|econn\w*|etimedout|timed? ?out|disconnect(ed)?|closed|lost|down)\b'
seealso:
  - module: oncall.runbooks.flyctl_scale
  - module: oncall.runbooks.flyctl_deploy
"""

EXAMPLES = r"""
- name: Daily check of the bridge - state, checks and recent logs
  oncall.runbooks.flyctl_info:
    app: freshchat-bridge
    gather: [status, logs]
    api_token: "{{ fly_api_token }}"
  register: fly

- name: Every machine started and every check passing
  ansible.builtin.assert:
    that:
      - fly.summary.all_started
      - fly.summary.checks_passing
      - fly.log_errors | length == 0

- name: Which release is deployed, with its image
  oncall.runbooks.flyctl_info:
    app: freshchat-bridge
    gather: [releases]
  register: fly_releases
"""

RETURN = r"""
summary:
  description:
    - From C(status --json) - app status, current release version, machines by state, whether
      every machine is started (C(all_started)) and every check passes (C(checks_passing)),
      and the failing checks. Present with V(status) in O(gather).
  returned: when status is gathered
  type: dict
  sample: {"status": "deployed", "version": 42, "machines_total": 2, "machines_started": 2,
           "all_started": true, "checks_passing": true, "failing_checks": [], "machine_states": {"started": 2}}
machines:
  description: Machines (from status, or from C(machine list) with V(machines)) - id, state, region, process_group, image, memory_mb, checks.
  returned: when status or machines is gathered
  type: list
  elements: dict
checks:
  description: Health checks per machine id, from C(checks list --json).
  returned: when checks is gathered
  type: dict
releases:
  description: The 25 most recent releases, newest first - version, status, image, created_at, user.
  returned: when releases is gathered
  type: list
  elements: dict
current_release:
  description: The newest release (the deployed one).
  returned: when releases is gathered
  type: dict
scale:
  description: Per process group - count, memory_mb, cpus, cpu_kind and machines per region.
  returned: when scale is gathered
  type: dict
  sample: {"app": {"count": 2, "memory_mb": 2048, "cpus": 1, "cpu_kind": "shared", "regions": {"nrt": 2}}}
secrets:
  description: Secret names with digest and deploy status (Deployed, Staged, Partial, Unknown). Never values.
  returned: when secrets is gathered
  type: list
  elements: dict
image:
  description: C(image show --json) - the image of every machine.
  returned: when image is gathered
  type: list
  elements: dict
logs:
  description: Recent log lines - timestamp, machine, region, level, message.
  returned: when logs is gathered
  type: list
  elements: dict
log_errors:
  description: The lines of RV(logs) that are errors (level error or fatal, or matching O(log_error_pattern)).
  returned: when logs is gathered
  type: list
  elements: dict
logs_timed_out:
  description: C(logs --no-tail) returned no line within O(logs_timeout) (never true when lines were read).
  returned: when logs is gathered
  type: bool
logs_read:
  description:
    - How the log read went - C(read) (lines), C(timed_out), C(note) (for example V(12 lines read)
      or V(no log lines within 20s)) and C(seconds) it took.
  returned: when logs is gathered
  type: dict
  sample: {"read": 12, "timed_out": false, "note": "12 lines read", "seconds": 0.4}
redis:
  description:
    - Per machine, what its newest Redis line says (C(connected), C(error) or C(unknown)), with
      that line's time and text; C(ok) when no machine is in error and one at least is
      connected; C(error), C(connected), C(unknown) list the machine ids; C(detail) says it in words.
    - With V(status) or V(machines) gathered, only the started machines are judged (the log buffer
      still holds lines of destroyed ones), and a started machine without any Redis line is C(unknown).
  returned: when logs is gathered
  type: dict
  sample: {"ok": false, "error": ["e8247d3a652e98"], "connected": [], "unknown": [],
           "machines": {"e8247d3a652e98": {"state": "error", "timestamp": "2026-08-20T10:04:01Z",
                                           "message": "[Redis] error: connect ECONNREFUSED"}},
           "detail": "e8247d3a652e98 error since 2026-08-20T10:04:01Z ([Redis] error: connect ECONNREFUSED)"}
calls:
  description: The flyctl command lines run (without the binary, never with a token).
  returned: always
  type: list
  elements: list
error_kind:
  description: On failure, which case it was (not_found, unauthorized, missing_binary, timeout...).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    REDIS_ERROR_PATTERN,
    FlyctlError,
    common_argument_spec,
    fail,
    log_view,
    machine_view,
    redis_summary,
    redis_verdicts,
    release_view,
    runner,
    status_summary,
)

GATHER = ["status", "machines", "checks", "releases", "scale", "secrets", "image", "logs"]


def gather(fly, what, p):
    result = {}
    if "status" in what:
        summary = status_summary(fly.status())
        result["machines"] = summary.pop("machines")
        result["summary"] = summary
    if "machines" in what:
        result["machines"] = [machine_view(m) for m in fly.machines() or []]
    if "checks" in what:
        result["checks"] = fly.checks() or {}
    if "releases" in what:
        releases = [release_view(r) for r in fly.releases() or []]
        result["releases"] = releases
        result["current_release"] = releases[0] if releases else None
    if "scale" in what:
        result["scale"] = fly.scale()
    if "secrets" in what:
        result["secrets"] = fly.secrets()
    if "image" in what:
        result["image"] = fly.image() or []
    if "logs" in what:
        entries, outcome = fly.logs(timeout=p["logs_timeout"])
        result["logs"], result["log_errors"] = log_view(entries, p["log_error_pattern"])
        result["logs_timed_out"] = outcome["timed_out"]
        result["logs_read"] = outcome
        verdicts = redis_verdicts(result["logs"], tag=p["redis_tag"], connected_text=p["redis_connected_text"],
                                  error_pattern=p["redis_error_pattern"])
        if "machines" in result:
            # Only the machines running now: the buffer still holds lines of destroyed ones.
            started = [m["id"] for m in result["machines"] if m["state"] == "started"]
            verdicts = redis_verdicts(result["logs"], started, tag=p["redis_tag"],
                                      connected_text=p["redis_connected_text"], error_pattern=p["redis_error_pattern"])
            verdicts = dict((k, v) for k, v in verdicts.items() if k in started)
        result["redis"] = redis_summary(verdicts)
    return result


def main():
    spec = common_argument_spec()
    spec.update(
        gather=dict(type="list", elements="str", choices=GATHER, default=["status", "releases", "scale"]),
        logs_timeout=dict(type="int", default=20),
        log_error_pattern=dict(type="str", default=r"(?i)\b(error|exception|fatal|panic|unhandled)\b"),
        redis_tag=dict(type="str", default="[Redis]"),
        redis_connected_text=dict(type="str", default="[Redis] Connected"),
        redis_error_pattern=dict(type="str", default=REDIS_ERROR_PATTERN),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    fly = None
    try:
        fly = runner(module)
        result = gather(fly, module.params["gather"], module.params)
    except FlyctlError as exc:
        fail(module, exc, calls=fly.calls if fly else [])
    module.exit_json(changed=False, calls=fly.calls, **result)


if __name__ == "__main__":
    main()
