#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: exit_condition
short_description: Wait until an exit condition has held for N seconds, or time out
version_added: "0.1.0"
description:
  - The exit condition of seed 003's runbooks - "message delay < 2 s, held for 5 minutes",
    "login success >= 95 %, held for 10 minutes" - as a check polled every O(interval) seconds.
  - The clock starts at the first passing check and is reset by any failing one. The
    condition is met when it has passed continuously for O(hold) seconds. When O(timeout)
    seconds go by first, or too little time is left for a full hold, it is not met - the
    task fails (or, with O(fail_on_timeout=false), returns RV(held=false)) so that the
    runbook escalates.
  - The check is an HTTP request judged like M(oncall.runbooks.http_check) (O(http)), or a
    command given as an argument list - a script, or SQL through C(psql -tAc) or C(mysql -e)
    - judged by its exit code, its output, or its output read as a number (O(command)).
  - While waiting, a progress update is posted every O(progress.every) seconds - the update
    cadence of the severity (seed 003 - P0 every 15 minutes, P1 every 30).
  - Returns the checks made, with timestamps, for the incident's timeline.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Only observes; runs in check mode as it does otherwise.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  name:
    description: What the condition is, for messages - for example C(gateway answers 200).
    type: str
    default: exit condition
  http:
    description: An HTTP check. Exactly one of O(http) and O(command) is required.
    type: dict
    suboptions:
      url:
        description: URL to request from the managed node.
        type: str
        required: true
      method:
        description: HTTP method.
        type: str
        default: GET
      headers:
        description: Request headers. Values of headers named like credentials are secrets.
        type: dict
        default: {}
      status_codes:
        description: Status codes that pass.
        type: list
        elements: int
        default: [200]
      json_checks:
        description: JSON assertions as in M(oncall.runbooks.http_check), for example C(status == UP).
        type: list
        elements: str
        default: []
      max_response_ms:
        description: Slower answers fail the check.
        type: float
      timeout:
        description: Seconds per request.
        type: float
        default: 5
      validate_certs:
        description: Verify TLS certificates.
        type: bool
        default: true
  command:
    description: A command as an argument list, never through a shell.
    type: dict
    suboptions:
      argv:
        description: The command and its arguments.
        type: list
        elements: str
        required: true
      expect_rc:
        description: Exit code that passes.
        type: int
        default: 0
      stdout_regex:
        description: The output must match this regular expression.
        type: str
      compare:
        description: The first word of the output, read as a number, must compare so - for example C(< 50).
        type: str
      timeout:
        description: Seconds one run may take (it is run under coreutils C(timeout)).
        type: int
        default: 30
  interval:
    description: Seconds between checks.
    type: float
    default: 10
  hold:
    description: Seconds the condition must pass without a failure in between.
    type: float
    required: true
  timeout:
    description: Seconds to wait in all; at least O(hold).
    type: float
    required: true
  fail_on_timeout:
    description: Fail the task when the condition was not held in time.
    type: bool
    default: true
  progress:
    description: Progress updates while waiting, through M(oncall.runbooks.notify)'s services.
    type: dict
    suboptions:
      url:
        description: Webhook URL (a secret).
        type: str
        required: true
      service:
        description: Payload format.
        type: str
        choices: [discord, slack, webhook]
        default: discord
      every:
        description: Seconds between updates; V(0) sends none.
        type: float
        required: true
      title:
        description: Headline of the updates.
        type: str
        default: incident update
      severity:
        description: Severity of the updates.
        type: str
        choices: [P0, P1, P2, P3, info, success]
        default: info
      fields:
        description: Extra facts shown with every update.
        type: dict
        default: {}
      timeout:
        description: Seconds per request.
        type: float
        default: 10
      validate_certs:
        description: Verify the webhook's TLS certificate.
        type: bool
        default: true
seealso:
  - module: oncall.runbooks.http_check
  - module: oncall.runbooks.incident_event
"""

EXAMPLES = r"""
- name: "Seed 003 3-E: ops-manage answers 200, held 5 minutes"
  oncall.runbooks.exit_condition:
    name: ops-manage HTTP 200
    http:
      url: http://127.0.0.1:8080/functions/v1/ops-manage/health
    interval: 10
    hold: 300
    timeout: 1800
    progress:
      url: "{{ slack_webhook_url }}"
      service: slack
      every: 900          # P0: every 15 minutes
      severity: P0
      title: "INC-42: waiting for the exit condition"

- name: "Seed 003 3-C: scheduled-message backlog below 50, held 5 minutes (SQL)"
  oncall.runbooks.exit_condition:
    name: scheduled backlog < 50
    command:
      argv: [psql, -tAc, "SELECT COUNT(*) FROM messages WHERE scheduled_status = 'pending' AND scheduled_at < NOW()"]
      compare: "< 50"
    interval: 15
    hold: 300
    timeout: 1800
    fail_on_timeout: false
  register: backlog
"""

RETURN = r"""
held:
  description: Whether the condition held for O(hold) seconds.
  returned: always
  type: bool
outcome:
  description: C(held) or C(timeout).
  returned: always
  type: str
elapsed:
  description: Seconds waited.
  returned: always
  type: float
held_for:
  description: Seconds the condition had passed without interruption at the end.
  returned: always
  type: float
resets:
  description: How many times a failing check reset the clock.
  returned: always
  type: int
checks:
  description: Checks made.
  returned: always
  type: int
samples:
  description: The checks, each C({at, ok, detail, streak}) (the first and newest when there were more than 500).
  returned: always
  type: list
  elements: dict
progress:
  description: Progress updates sent, each C({at, sent, status, error}).
  returned: always
  type: list
  elements: dict
events:
  description:
    - The wait as timeline events for M(oncall.runbooks.incident_event) - each C({kind, at, text}),
      kind C(sample) for the first and last check and each change of verdict, C(verify_reset)
      for a failure that reset the clock, C(notification) for a progress update.
  returned: always
  type: list
  elements: dict
started:
  description: When the wait began (UTC, ISO 8601).
  returned: always
  type: str
ended:
  description: When it ended.
  returned: always
  type: str
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.exit_condition import (
    ExitConditionError,
    check_timing,
    hold,
    judge_command,
    parse_compare,
    timeline_events,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    SECRET_HEADER_RE,
    Probe,
    ProbeError,
    check_url,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.notify import build_payload, send


def http_check(module, spec):
    for name, value in (spec["headers"] or {}).items():
        if SECRET_HEADER_RE.search(name) and value:
            module.no_log_values.add(str(value))
    probe = Probe(spec["url"], method=spec["method"], headers=spec["headers"],
                  status_codes=spec["status_codes"], json_checks=spec["json_checks"],
                  max_response_ms=spec["max_response_ms"], timeout=spec["timeout"],
                  validate_certs=spec["validate_certs"])

    def once():
        result = probe.once()
        if result["healthy"]:
            return True, "%s %s in %d ms" % (result["status"], probe.url, result["elapsed_ms"])
        return False, result["reason"]
    return once


def command_check(module, spec):
    argv = [str(a) for a in spec["argv"]]
    if not argv or not argv[0]:
        raise ExitConditionError("command.argv must name a command")
    if spec["timeout"] < 1:
        raise ExitConditionError("command.timeout must be 1 or more, got %r" % spec["timeout"])
    if spec["stdout_regex"] is not None:
        try:
            re.compile(spec["stdout_regex"])
        except re.error as exc:
            raise ExitConditionError("command.stdout_regex: %s" % exc)
    compare_expr = parse_compare(spec["compare"])
    exe = argv[0] if os.path.isabs(argv[0]) else module.get_bin_path(argv[0])
    if not exe:
        raise ExitConditionError("command %s not found on PATH" % argv[0])
    timeout_bin = module.get_bin_path("timeout")
    full = ([timeout_bin, str(spec["timeout"])] if timeout_bin else []) + [exe] + argv[1:]

    def once():
        rc, out, err = module.run_command(full, expand_user_and_vars=False, environ_update={"LC_ALL": "C"})
        if rc == 124 and timeout_bin:
            return False, "timed out after %ds" % spec["timeout"]
        return judge_command(rc, out, err, spec["expect_rc"], spec["stdout_regex"], compare_expr)
    return once


def progress_sender(module, spec, name, hold_for):
    if not spec or not spec["every"]:
        return 0, None
    try:
        check_url(spec["url"])
    except ProbeError:
        raise ExitConditionError("progress.url must be an absolute http(s) URL with a host")

    def send_update(status):
        text = "Waiting for the exit condition %s to hold for %ds: %.0fs elapsed, held %.0fs so far, %d reset(s); last check: %s" % (
            name, hold_for, status["elapsed"], status["streak"], status["resets"], status["last"])
        payload = build_payload(spec["service"], spec["title"], text, spec["severity"], spec["fields"])
        outcome = send(spec["url"], payload, retries=1, timeout=spec["timeout"],
                       validate_certs=spec["validate_certs"], max_wait=10)
        if not outcome["sent"]:
            module.warn("progress update not delivered: %s" % outcome["error"])
        return {"at": status["at"], "sent": outcome["sent"], "status": outcome["status"],
                "error": outcome["error"], "text": text}
    return spec["every"], send_update


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", default="exit condition"),
            http=dict(type="dict", options=dict(
                url=dict(type="str", required=True),
                method=dict(type="str", default="GET"),
                headers=dict(type="dict", default={}),
                status_codes=dict(type="list", elements="int", default=[200]),
                json_checks=dict(type="list", elements="str", default=[]),
                max_response_ms=dict(type="float"),
                timeout=dict(type="float", default=5),
                validate_certs=dict(type="bool", default=True),
            )),
            command=dict(type="dict", options=dict(
                argv=dict(type="list", elements="str", required=True),
                expect_rc=dict(type="int", default=0),
                stdout_regex=dict(type="str"),
                compare=dict(type="str"),
                timeout=dict(type="int", default=30),
            )),
            interval=dict(type="float", default=10),
            hold=dict(type="float", required=True),
            timeout=dict(type="float", required=True),
            fail_on_timeout=dict(type="bool", default=True),
            progress=dict(type="dict", options=dict(
                url=dict(type="str", required=True, no_log=True),
                service=dict(type="str", default="discord", choices=["discord", "slack", "webhook"]),
                every=dict(type="float", required=True),
                title=dict(type="str", default="incident update"),
                severity=dict(type="str", default="info", choices=["P0", "P1", "P2", "P3", "info", "success"]),
                fields=dict(type="dict", default={}),
                timeout=dict(type="float", default=10),
                validate_certs=dict(type="bool", default=True),
            )),
        ),
        required_one_of=[("http", "command")],
        mutually_exclusive=[("http", "command")],
        supports_check_mode=True,
    )
    p = module.params
    try:
        check_timing(p["interval"], p["hold"], p["timeout"])
        once = http_check(module, p["http"]) if p["http"] else command_check(module, p["command"])
        every, on_progress = progress_sender(module, p["progress"], p["name"], p["hold"])
        check_timing(p["interval"], p["hold"], p["timeout"], every)
        result = hold(once, p["interval"], p["hold"], p["timeout"], progress_every=every,
                      on_progress=on_progress)
    except (ExitConditionError, ProbeError) as exc:
        module.fail_json(msg=str(exc))
    result["changed"] = False
    result["events"] = timeline_events(result)
    if not result["held"]:
        last = result["samples"][-1]["detail"] if result["samples"] else "no check made"
        msg = ("%s did not hold for %gs within %gs (%d reset(s), held %gs at the end); last check: %s"
               % (p["name"], p["hold"], p["timeout"], result["resets"], result["held_for"], last))
        if p["fail_on_timeout"]:
            module.fail_json(msg=msg, **result)
        result["msg"] = msg
    else:
        result["msg"] = "%s held for %gs after %gs (%d reset(s))" % (
            p["name"], p["hold"], result["elapsed"], result["resets"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
