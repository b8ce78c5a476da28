# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: daily_item
short_description: One row of the daily report from a health verdict, a certificate or a scheduled job
version_added: "0.1.0"
description:
  - Turns what the daily check gathered into the C({host, check, status, detail}) rows that
    M(oncall.runbooks.daily_report) takes, with status C(ok), C(warn) or C(fail).
  - A health verdict (from the C(oncall.runbooks.health_summary) filter) is ok or fail.
  - A certificate (from M(oncall.runbooks.certificate_info)) fails when expired or at or under
    O(critical_days) days left, warns at or under O(warn_days).
  - A scheduled job (from M(oncall.runbooks.job_freshness)) fails when overdue.
  - A Prometheus target (from M(oncall.runbooks.monitoring_status)) fails when not up; an alert
    fails when firing (Prometheus) or active (Alertmanager) and warns when pending or suppressed.
  - Any other check given as C({name, ok, detail}) (for example the checks of the
    C(oncall.runbooks.flyio_app) role's report) is ok or fail; its C(value), C(unit) and
    C(threshold), when it has them, are kept.
  - The row carries the number the check measured when there is one, so the report can draw
    it over the runs - C(value) with C(unit), and C(threshold) where the status changes -
    a health probe's response time (ms), a certificate's days left (threshold O(warn_days)),
    a job's hours since its last success (threshold its allowed period).
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
options:
  _input:
    description: The verdict, certificate or job.
    type: dict
    required: true
  host:
    description: Host it was seen on.
    type: str
    required: true
  warn_days:
    description: Certificates - warn at or under this many days left.
    type: float
    default: 21
  critical_days:
    description: Certificates - fail at or under this many days left.
    type: float
    default: 7
"""

EXAMPLES = r"""
- name: Rows of the report
  ansible.builtin.set_fact:
    rows: "{{ health_check_results | map('oncall.runbooks.daily_item', inventory_hostname) | list }}"
"""

RETURN = r"""
_value:
  description: The row, C({host, check, status, detail}), with C(value), C(unit) and C(threshold) when measured.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.filter.certificate_line import certificate_line


def measured(row, value, unit, threshold=None):
    """The row with the number the check measured, when it measured one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        row.update(value=value, unit=unit)
        if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
            row["threshold"] = threshold
    return row


def daily_item(value, host, warn_days=21, critical_days=7):
    if not isinstance(value, dict):
        raise AnsibleFilterError("daily_item expects a dict, got %s" % type(value).__name__)
    if "healthy" in value and "line" in value:
        return measured({"host": host, "check": "health: %s" % value.get("name"), "detail": value["line"].strip(),
                         "status": "ok" if value["healthy"] else "fail"}, value.get("elapsed_ms"), "ms")
    if "days_remaining" in value:
        days = value["days_remaining"]
        status = "fail" if value.get("expired") or days <= float(critical_days) else (
            "warn" if days <= float(warn_days) else "ok")
        return measured({"host": host, "check": "certificate: %s" % value.get("source"), "status": status,
                         "detail": certificate_line(value)}, days, "days left", float(warn_days))
    if "job" in value and "stale" in value:
        last = value.get("last_success") or "never"
        return measured({"host": host, "check": "scheduled job: %s" % value["job"], "status": "fail" if value["stale"] else "ok",
                         "detail": "last success %s (allowed every %s h)" % (last, value.get("max_age_hours"))},
                        value.get("age_hours"), "h since last success", value.get("max_age_hours"))
    if "health" in value and "instance" in value:
        return {"host": host, "check": "prometheus target %s %s" % (value.get("job"), value["instance"]),
                "status": "ok" if value["health"] == "up" else "fail",
                "detail": value.get("last_error") or value["health"]}
    if "name" in value and "state" in value:
        status = {"firing": "fail", "active": "fail", "pending": "warn", "suppressed": "warn"}.get(value["state"], "ok")
        return {"host": host, "check": "alert %s" % value["name"], "status": status,
                "detail": "%s (severity %s)" % (value["state"], value.get("severity") or "-")}
    if "name" in value and "ok" in value:
        return measured({"host": host, "check": str(value["name"]), "status": "ok" if value["ok"] else "fail",
                         "detail": str(value.get("detail") or "").strip()},
                        value.get("value"), str(value.get("unit") or ""), value.get("threshold"))
    raise AnsibleFilterError("daily_item does not know this kind of result (keys: %s)" % ", ".join(sorted(value)))


class FilterModule:
    def filters(self):
        return {"daily_item": daily_item}
