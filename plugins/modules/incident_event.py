#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: incident_event
short_description: Declare an incident and record the timestamped events of its timeline
version_added: "0.1.0"
description:
  - Keeps the incident record of seed 003's procedure as a small JSON file - id, title,
    severity, symptom, host, status, start time - and its timeline, the events of the run
    (detected, classified, each action, verify samples, notifications, resolved) with their
    timestamps. M(oncall.runbooks.incident_postmortem) renders the post-mortem from it.
  - O(kind=declared) creates the record (and records a C(detected) event at O(detected_at)
    when given); declaring an incident whose file exists adds nothing.
  - Every other kind appends events. O(kind=classified) also sets the severity,
    O(kind=resolved) and O(kind=escalated) the status.
  - Secrets never reach the file - the values in O(secrets) are masked in every text, and
    O(result) (a registered task result) is reduced to a few keys, or to Ansible's
    "censored" text when O(censor_result=true) or the result carries the no_log marker.
  - Works the same under ansible-playbook, ansible-runner and AWX, since the timeline is
    written by tasks of the run itself, on the host the incident is about.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the events that would be recorded; writes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  path:
    description:
      - The incident file (JSON). O(kind=declared) creates its directory (mode 0700) when
        missing; other kinds need the file.
    type: path
    required: true
  kind:
    description: What happened.
    type: str
    required: true
    choices: [declared, detected, classified, diagnosis, action, skipped, budget, escalated, verify_started,
              sample, verify_reset, verify_held, verify_timeout, notification, resolved, closed, note]
  text:
    description: One line for the timeline.
    type: str
  at:
    description: When it happened (ISO 8601); now when unset.
    type: str
  data:
    description: Facts kept with the event (redacted like O(text)).
    type: dict
  result:
    description:
      - A registered task result recorded with the event; only C(changed), C(failed), C(rc),
        C(msg), C(action), C(status) and a few other keys are kept.
    type: raw
  censor_result:
    description:
      - The task whose result this event records ran with C(no_log) - record only that its
        output was censored. Leave O(result) unset then, so that it does not travel in this
        task's arguments either.
    type: bool
    default: false
  events:
    description:
      - Several events at once, each C({kind, text, at, data}) (for example the samples of
        M(oncall.runbooks.exit_condition)); recorded after the event of O(kind), in time order.
    type: list
    elements: dict
    default: []
  incident_id:
    description: With O(kind=declared) - the id; derived from O(symptom) and the start time when unset.
    type: str
  title:
    description: With O(kind=declared) - the incident's title. Required then.
    type: str
  severity:
    description: Severity with O(kind=declared) (default P2 until classified) and O(kind=classified).
    type: str
    choices: [P0, P1, P2, P3]
  matched:
    description: With O(kind=classified) - the rules that matched (from the P(oncall.runbooks.severity#filter) filter).
    type: list
    elements: str
    default: []
  symptom:
    description: With O(kind=declared) - the symptom, for example C(backend-health).
    type: str
  host:
    description: With O(kind=declared) - the host the incident is about.
    type: str
  started:
    description: With O(kind=declared) - the start time (ISO 8601); now when unset.
    type: str
  detected_at:
    description:
      - With O(kind=declared) - when the symptom was detected; adds a C(detected) event (also
        added, at the start time, when only O(detected_text) is given).
    type: str
  detected_text:
    description: With O(kind=declared) - what was detected.
    type: str
  secrets:
    description: Values masked wherever they appear (tokens, webhook URLs, passwords).
    type: list
    elements: str
    default: []
seealso:
  - module: oncall.runbooks.incident_postmortem
  - module: oncall.runbooks.exit_condition
  - module: oncall.runbooks.remediation_budget
"""

EXAMPLES = r"""
- name: Declare
  oncall.runbooks.incident_event:
    path: /var/lib/oncall-runbooks/incidents/current-backend-health.json
    kind: declared
    title: "backend-blue fails its health check"
    symptom: backend-health
    host: "{{ inventory_hostname }}"
    detected_at: "{{ detected_at }}"
    detected_text: "GET /api/actuator/health: 503"
  register: incident

- name: Record an action and its (censored) result
  oncall.runbooks.incident_event:
    path: "{{ incident.path }}"
    kind: action
    text: "restarted backend-blue"
    censor_result: true          # the restart ran with no_log
    secrets: ["{{ db_password }}"]
"""

RETURN = r"""
path:
  description: The incident file.
  returned: always
  type: str
incident:
  description: The incident record after the task (without its events).
  returned: always
  type: dict
  sample: {"id": "INC-20261122T030000Z-backend-health", "severity": "P1", "status": "open"}
recorded:
  description: The events recorded by this task, as written (redacted).
  returned: always
  type: list
  elements: dict
event_count:
  description: Events in the timeline after the task.
  returned: always
  type: int
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import (
    EVENT_KINDS,
    IncidentError,
    append_events,
    apply_kind,
    load,
    locked,
    make_event,
    make_id,
    now_precise,
    new_record,
    redact,
    save,
    summarize_result,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError


def build_events(p):
    events = []
    if p["kind"] == "declared":
        if p["detected_at"] or p["detected_text"]:
            events.append(make_event("detected", p["detected_text"] or "symptom detected",
                                     p["detected_at"] or p["started"]))
        # the severity declared, so a page can show how classification changed it
        events.append(make_event("declared", p["text"] or "declared: %s" % p["title"], p["started"],
                                 {"severity": p["severity"] or "P2"}))
    else:
        data = dict(p["data"] or {})
        if p["result"] is not None:
            data["result"] = summarize_result(p["result"], no_log=p["censor_result"])
        elif p["censor_result"]:
            data["result"] = summarize_result({}, no_log=True)
        if p["kind"] == "classified" and p["severity"]:
            data.setdefault("severity", p["severity"])
            if p["matched"]:
                data.setdefault("matched", p["matched"])
    for item in p["events"]:
        if not isinstance(item, dict) or "kind" not in item:
            raise IncidentError("each of events must be a dict with kind, text, at, got %r" % (item,))
        events.append(make_event(item["kind"], item.get("text"), item.get("at"), item.get("data")))
    if p["kind"] != "declared":
        # after the batch: an event at the same time as the last of it comes after it
        events.append(make_event(p["kind"], p["text"], p["at"], data or None))
    return events


def run(module):
    p = module.params
    secrets = p["secrets"]
    path = p["path"]
    directory = os.path.dirname(os.path.abspath(path))
    if p["kind"] == "declared" and not os.path.isdir(directory):
        if module.check_mode:
            return dict(changed=True, path=path, incident=None, recorded=[], event_count=0)
        os.makedirs(directory, 0o700)
    with locked(path):
        record = load(path)
        if p["kind"] == "declared":
            if record is not None:
                return dict(changed=False, path=path, incident=_head(record), recorded=[],
                            event_count=len(record["events"]))
            if not p["title"]:
                raise IncidentError("title is required to declare an incident")
            started = p["started"] or now_precise()
            record = new_record(p["incident_id"] or make_id(p["symptom"], started),
                                redact(p["title"], secrets), p["severity"] or "P2",
                                p["symptom"], p["host"], started)
            p["started"] = record["started"]
        elif record is None:
            raise IncidentError("no incident declared at %s: declare it first (kind=declared)" % path)
        events = build_events(p)
        recorded = append_events(record, events, secrets)
        apply_kind(record, p["kind"], recorded[-1]["at"],
                   severity=p["severity"], matched=p["matched"])
        if not module.check_mode:
            save(path, record)
    return dict(changed=True, path=path, incident=_head(record), recorded=recorded,
                event_count=len(record["events"]))


def _head(record):
    return dict((k, v) for k, v in record.items() if k != "events")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            kind=dict(type="str", required=True, choices=list(EVENT_KINDS)),
            text=dict(type="str"),
            at=dict(type="str"),
            data=dict(type="dict"),
            result=dict(type="raw"),
            censor_result=dict(type="bool", default=False),
            events=dict(type="list", elements="dict", default=[]),
            incident_id=dict(type="str"),
            title=dict(type="str"),
            severity=dict(type="str", choices=["P0", "P1", "P2", "P3"]),
            matched=dict(type="list", elements="str", default=[]),
            symptom=dict(type="str"),
            host=dict(type="str"),
            started=dict(type="str"),
            detected_at=dict(type="str"),
            detected_text=dict(type="str"),
            secrets=dict(type="list", elements="str", default=[], no_log=True),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**run(module))
    except (IncidentError, StateFileError) as exc:
        module.fail_json(msg=str(exc))


if __name__ == "__main__":
    main()
