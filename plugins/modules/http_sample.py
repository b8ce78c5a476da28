#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: http_sample
short_description: Measure an endpoint's error rate and latency over several requests
version_added: "0.1.0"
description:
  - Sends O(samples) requests to O(url) from the managed node, each on a fresh connection, and
    returns the signals runbooks classify severity by - the share of 5xx answers, the share of
    requests answered at all, how many were healthy, and latency percentiles.
  - Judges each answer like M(oncall.runbooks.http_check) (status codes, JSON checks), but
    never fails because of what it measured; feed the result to the
    P(oncall.runbooks.severity#filter) filter.
  - Needs only the Python standard library on the managed node.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Only C(GET) and C(HEAD) are offered, so sampling runs in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  url:
    description: Absolute http(s) URL.
    type: str
    required: true
  method:
    description: HTTP method (safe ones only).
    type: str
    choices: [GET, HEAD]
    default: GET
  samples:
    description: Requests to send.
    type: int
    default: 20
  interval:
    description: Seconds between requests (between rounds when O(concurrency) > 1).
    type: float
    default: 0.1
  concurrency:
    description:
      - Requests sent at once, each on its own connection. A service that accepts and never
        answers then costs one O(timeout) per round, not one per request.
    type: int
    default: 1
  stop_when_all_fail:
    description:
      - Stop as soon as this many requests were sent and none was healthy (the service is
        plainly down, measuring longer only delays the response); C(signals.samples) is then
        the number sent and C(signals.stopped_early) is true. V(0) never stops early.
    type: int
    default: 0
  status_codes:
    description: Status codes that count as healthy.
    type: list
    elements: int
    default: [200]
  json_checks:
    description: JSON assertions, as in M(oncall.runbooks.http_check).
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds per request.
    type: float
    default: 5
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
  ca_path:
    description: CA bundle to verify TLS with.
    type: path
"""

EXAMPLES = r"""
- name: Measure the AI service for 20 requests
  oncall.runbooks.http_sample:
    url: http://127.0.0.1:8080/actuator/health
    json_checks: [status == UP]
  register: ai_signals

- name: Classify
  ansible.builtin.debug:
    msg: "{{ ai_signals.signals | oncall.runbooks.severity(my_table) }}"
"""

RETURN = r"""
signals:
  description: What was measured.
  returned: always
  type: dict
  contains:
    samples: {description: "Requests sent.", type: int, sample: 20}
    healthy: {description: "Whether the last request was judged healthy: the service as it is now.", type: bool, sample: false}
    reason: {description: "Why the last request was unhealthy; empty when healthy.", type: str}
    answered: {description: "Requests that got an HTTP answer.", type: int, sample: 20}
    answered_pct: {description: "Share answered, in percent.", type: float, sample: 100.0}
    error_rate_pct: {description: "Share of 5xx among answers, in percent; null when nothing answered.", type: float, sample: 55.0}
    healthy_pct: {description: "Share judged healthy, in percent.", type: float, sample: 45.0}
    statuses: {description: "Count per status code.", type: dict, sample: {"200": 9, "500": 11}}
    p50_ms: {description: "Median latency of the answers.", type: float}
    p95_ms: {description: "95th percentile latency.", type: float}
    max_ms: {description: "Slowest answer.", type: float}
    reasons: {description: "Distinct reasons of unhealthy answers (at most 5).", type: list, elements: str}
    stopped_early: {description: "Whether sampling stopped at O(stop_when_all_fail) requests, none healthy.", type: bool}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import Probe, ProbeError, sample


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            method=dict(type="str", default="GET", choices=["GET", "HEAD"]),
            samples=dict(type="int", default=20),
            interval=dict(type="float", default=0.1),
            concurrency=dict(type="int", default=1),
            stop_when_all_fail=dict(type="int", default=0),
            status_codes=dict(type="list", elements="int", default=[200]),
            json_checks=dict(type="list", elements="str", default=[]),
            timeout=dict(type="float", default=5),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        if p["interval"] < 0:
            raise ProbeError("interval must be 0 or more, got %r" % p["interval"])
        probe = Probe(p["url"], method=p["method"], status_codes=p["status_codes"],
                      json_checks=p["json_checks"], timeout=p["timeout"],
                      validate_certs=p["validate_certs"], ca_path=p["ca_path"])
        signals = sample(probe.once, p["samples"], p["interval"], concurrency=p["concurrency"],
                         stop_when_all_fail=p["stop_when_all_fail"])
    except ProbeError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, url=p["url"], signals=signals)


if __name__ == "__main__":
    main()
