# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: health_summary
short_description: Summarize one registered http_check result as a report row
version_added: "0.1.0"
description:
  - Turns the registered result of M(oncall.runbooks.http_check) (one item of a looped
    C(register)) into a small dict with a one-line report.
  - The endpoint's name is taken from the loop item's C(name) when there is one, else the URL.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
options:
  _input:
    description: One registered http_check result, for example an item of C(register.results).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Probe endpoints
  oncall.runbooks.http_check:
    url: "{{ item.url }}"
    fail_on_unhealthy: false
  loop: "{{ endpoints }}"
  register: probes

- name: One line per endpoint
  ansible.builtin.debug:
    msg: "{{ probes.results | map('oncall.runbooks.health_summary') | map(attribute='line') | list }}"
"""

RETURN = r"""
_value:
  description: The row.
  type: dict
  contains:
    name:
      description: Endpoint name (the loop item's C(name)), else its URL.
      type: str
    url:
      description: URL probed.
      type: str
    healthy:
      description: The verdict; false when the probe itself failed.
      type: bool
    status:
      description: HTTP status, or null when no answer came.
      type: int
    elapsed_ms:
      description: Duration of the last request.
      type: float
    reason:
      description: Why it is unhealthy; empty when healthy.
      type: str
    line:
      description: C(OK|UNHEALTHY <name> <status> <ms> [reason]).
      type: str
"""

from ansible.errors import AnsibleFilterError


def health_summary(result):
    if not isinstance(result, dict):
        raise AnsibleFilterError("health_summary expects a registered http_check result, got %s"
                                 % type(result).__name__)
    item = result.get(result.get("ansible_loop_var", "item"))
    url = result.get("url") or (item.get("url") if isinstance(item, dict) else None) or "?"
    name = item.get("name") if isinstance(item, dict) and item.get("name") else url
    healthy = bool(result.get("healthy")) and not result.get("failed")
    reason = "" if healthy else (result.get("reason") or result.get("msg") or "probe failed")
    status = result.get("status")
    elapsed = result.get("elapsed_ms")
    line = "%-9s %s  %s  %s" % (
        "OK" if healthy else "UNHEALTHY", name,
        status if status is not None else "---",
        "%.0f ms" % elapsed if isinstance(elapsed, (int, float)) else "- ms")
    if reason:
        line += "  " + reason
    return dict(name=name, url=url, healthy=healthy, status=status, elapsed_ms=elapsed,
                reason=reason, line=line)


class FilterModule:
    def filters(self):
        return {"health_summary": health_summary}
