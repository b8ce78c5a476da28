#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: monitoring_status
short_description: Prometheus targets and alerts, and Alertmanager's alerts, for the daily check
version_added: "0.1.0"
description:
  - Seed 001's daily observability check - are all Prometheus targets up (with the last scrape
    error of those that are not), which alerts are pending or firing in Prometheus, and which are
    active in Alertmanager.
  - Reads only. Reports what it found; the daily check turns it into report rows.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  prometheus_url:
    description: Prometheus' base URL, for example C(http://127.0.0.1:9090).
    type: str
  alertmanager_url:
    description: Alertmanager's base URL, for example C(http://127.0.0.1:9093).
    type: str
  ignore_alerts:
    description: Alert names that are always on by design (for example C(Watchdog)).
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds per request.
    type: float
    default: 10
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Observability stack
  oncall.runbooks.monitoring_status:
    prometheus_url: http://127.0.0.1:9090
    alertmanager_url: http://127.0.0.1:9093
    ignore_alerts: [Watchdog]
  register: mon
"""

RETURN = r"""
targets:
  description: Every active target, C({job, instance, health, last_error}).
  returned: when prometheus_url is given
  type: list
  elements: dict
targets_down:
  description: The targets whose health is not C(up).
  returned: when prometheus_url is given
  type: list
  elements: dict
alerts:
  description: Prometheus' pending and firing alerts, C({name, state, severity}).
  returned: when prometheus_url is given
  type: list
  elements: dict
alertmanager_alerts:
  description: Alertmanager's alerts, C({name, state, severity}), state active, suppressed or unprocessed.
  returned: when alertmanager_url is given
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import monitoring as mon


def main():
    module = AnsibleModule(
        argument_spec=dict(
            prometheus_url=dict(type="str"),
            alertmanager_url=dict(type="str"),
            ignore_alerts=dict(type="list", elements="str", default=[]),
            timeout=dict(type="float", default=10),
            validate_certs=dict(type="bool", default=True),
        ),
        required_one_of=[("prometheus_url", "alertmanager_url")],
        supports_check_mode=True,
    )
    p = module.params
    ignore = set(p["ignore_alerts"])
    result = dict(changed=False)
    try:
        if p["prometheus_url"]:
            base = p["prometheus_url"].rstrip("/")
            targets = mon.parse_targets(mon.get_json(base + "/api/v1/targets", p["timeout"], p["validate_certs"]), base)
            result.update(targets=targets, targets_down=[t for t in targets if t["health"] != "up"],
                          alerts=mon.parse_prometheus_alerts(
                              mon.get_json(base + "/api/v1/alerts", p["timeout"], p["validate_certs"]), ignore, base))
        if p["alertmanager_url"]:
            base = p["alertmanager_url"].rstrip("/")
            result["alertmanager_alerts"] = mon.parse_alertmanager_alerts(
                mon.get_json(base + "/api/v2/alerts", p["timeout"], p["validate_certs"]), ignore)
    except mon.MonitoringError as exc:
        module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
