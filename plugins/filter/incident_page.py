# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: incident_page
short_description: What an incident's HTML page shows, from its record
version_added: "0.1.0"
description:
  - Takes an incident record (the JSON file M(oncall.runbooks.incident_event) keeps) and returns
    what the C(oncall.runbooks.incident) role's page template draws - the head (id, title,
    severity, status, start and resolution, duration), the timeline with every time in the
    team's zone and in UTC, the severity's changes, each action with its result, the exit
    condition's samples with chart coordinates, and the notifications.
  - The values in O(secrets) are masked in everything returned (the record is masked already
    when written; this covers an older record and a template that prints more).
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
options:
  _input:
    description: The incident record.
    type: dict
    required: true
  timezone:
    description: C(offset) and C(name) of the zone shown beside UTC.
    type: dict
    default: {offset: "+09:00", name: KST}
  secrets:
    description: Values masked wherever they appear.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The page's data
  ansible.builtin.set_fact:
    page: "{{ record | oncall.runbooks.incident_page({'offset': '+09:00', 'name': 'KST'}, [webhook_url]) }}"
"""

RETURN = r"""
_value:
  description:
    - C(id), C(title), C(severity), C(status), C(symptom), C(host), C(started) and C(resolved)
      (each C({date, local, utc, iso})), C(duration_minutes), C(events) (each C({clock, kind,
      text, result})), C(actions), C(notifications), C(severities) (the changes), C(samples),
      C(hold), C(chart) (coordinates, or null without samples).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.module_utils import incident_page as page
from ansible_collections.oncall.runbooks.plugins.module_utils.incident import IncidentError, check_record
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError


def incident_page(record, timezone=None, secrets=None):
    if not isinstance(record, dict):
        raise AnsibleFilterError("incident_page expects an incident record (a dict), got %s" % type(record).__name__)
    tz = timezone or {}
    try:
        check_record(record, "(given)")
        return page.view(record, tz.get("offset", "+09:00"), tz.get("name", "KST"), secrets or ())
    except (IncidentError, StateFileError) as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self):
        return {"incident_page": incident_page}
