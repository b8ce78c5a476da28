#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: http_check
short_description: Probe an HTTP health endpoint and judge the answer
version_added: "0.1.0"
description:
  - Sends a request to O(url) from the managed node and decides whether the answer is healthy
    - the status is one of O(status_codes), every assertion of O(json_checks) holds, and the
    answer came within O(max_response_ms).
  - The probe every runbook of this collection uses, for example C(GET /) = 200 on Fly.io,
    C(/health) returning C({"status":"ok"}), or a Spring C(/actuator/health).
  - Either one verdict (retrying only when no HTTP answer came at all), or, with
    O(until_healthy=true), waits until the service answers healthy O(consecutive) times in a row.
  - Needs only the Python standard library on the managed node.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details:
      - Probes with C(GET), C(HEAD) and C(OPTIONS) run in check mode, since they change nothing.
      - Other methods are not sent in check mode; the module returns RV(skipped_in_check_mode=true).
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  url:
    description: Absolute C(http://) or C(https://) URL to probe.
    type: str
    required: true
  method:
    description: HTTP method.
    type: str
    default: GET
    choices: [GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS]
  headers:
    description:
      - Request headers.
      - Values of headers whose names look like credentials (C(Authorization), C(Cookie),
        anything with C(token), C(secret), C(key), C(auth)) are masked in every output of the
        task. Use C(no_log) on the task for anything else secret.
    type: dict
    default: {}
  body:
    description: Request body. A string is sent as it is; with O(body_format=json), any data is serialized.
    type: raw
  body_format:
    description: How to send O(body). V(json) also sets C(Content-Type) unless O(headers) sets it.
    type: str
    choices: [raw, json]
    default: raw
  status_codes:
    description: Status codes that count as healthy.
    type: list
    elements: int
    default: [200]
  json_checks:
    description:
      - Assertions on the JSON body, each C(<path> <op> <value>) or C(<path> exists|absent).
      - C(<path>) is names separated by dots, with C([n]) for list items, for example
        C(status), C(components.db.status), C(checks[0].state).
      - C(<op>) is one of C(==), C(!=), C(<), C(<=), C(>), C(>=) (numbers) or C(=~)
        (regular expression, searched).
      - C(<value>) is read as JSON when it parses (C(200), C(true), C("ok")), else as a bare
        string, so C(status == ok) and C(status == "ok") mean the same.
      - A body that is not JSON fails every check.
    type: list
    elements: str
    default: []
  max_response_ms:
    description: Slowest acceptable answer, in milliseconds (whole request, body included). No limit when unset.
    type: int
  timeout:
    description: Seconds to wait for the connection and for each read.
    type: float
    default: 10
  retries:
    description:
      - How many more attempts after the first.
      - With O(until_healthy=false), only attempts that got no HTTP answer at all (refused,
        reset, timed out) are retried.
    type: int
    default: 0
  delay:
    description: Seconds between attempts.
    type: float
    default: 1
  until_healthy:
    description:
      - V(false) - one verdict on one answer.
      - V(true) - keep probing (up to O(retries) more times) until the answer is healthy
        O(consecutive) times in a row. Use this after a restart, deploy or rollback.
    type: bool
    default: false
  consecutive:
    description: Healthy answers in a row that O(until_healthy=true) needs. An unhealthy answer restarts the count.
    type: int
    default: 1
  fail_on_unhealthy:
    description:
      - Fail the task when the verdict is unhealthy.
      - Set V(false) to act on RV(healthy) and RV(reason) yourself, for example to classify severity.
    type: bool
    default: true
  validate_certs:
    description: Verify the server's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: PEM file of CA certificates to verify the server with, instead of the system store.
    type: path
  follow_redirects:
    description: Follow redirects of C(GET) and C(HEAD). When V(false), a redirect is judged by its own status code.
    type: bool
    default: false
  use_proxy:
    description: Honour C(http_proxy)/C(https_proxy)/C(no_proxy) from the environment.
    type: bool
    default: true
  return_content:
    description: Return the body as RV(content).
    type: bool
    default: false
seealso:
  - module: ansible.builtin.uri
    description: General HTTP requests, when you need more than a verdict.
notes:
  - The module never changes anything, so it always reports C(changed=false).
"""

EXAMPLES = r"""
- name: The bridge answers on / (seed 000 daily check)
  oncall.runbooks.http_check:
    url: https://teams-bridge.fly.dev/

- name: /health says ok within 500 ms (seed 002)
  oncall.runbooks.http_check:
    url: https://api.example.com/health
    json_checks:
      - status == ok
    max_response_ms: 500

- name: Spring actuator is UP, database included (seed 001)
  oncall.runbooks.http_check:
    url: http://127.0.0.1:8080/api/actuator/health
    json_checks:
      - status == UP
      - components.db.status == UP

- name: After a rollback, wait for 5 healthy answers in a row (at most 30 probes)
  oncall.runbooks.http_check:
    url: http://127.0.0.1:8080/actuator/health
    until_healthy: true
    consecutive: 5
    retries: 29
    delay: 2

- name: Probe without failing, then decide what to do
  oncall.runbooks.http_check:
    url: http://127.0.0.1:8080/actuator/health
    fail_on_unhealthy: false
  register: ai_health

- name: Call an authenticated debug endpoint (the token is masked in all output)
  oncall.runbooks.http_check:
    url: https://teams-bridge.fly.dev/debug/mappings
    headers:
      Authorization: "Bearer {{ bridge_debug_token }}"
"""

RETURN = r"""
healthy:
  description: Whether the last answer was healthy; null when check mode kept the request from being sent.
  returned: always
  type: bool
  sample: true
reason:
  description: One line saying why the answer was unhealthy; empty when healthy.
  returned: always
  type: str
  sample: "status 503 (expected 200); status is \"DOWN\" (wanted == \"UP\")"
status:
  description: HTTP status of the last answer; null when none came.
  returned: always
  type: int
  sample: 200
elapsed_ms:
  description: Milliseconds the last request took, body included.
  returned: always
  type: float
  sample: 12.4
json:
  description: The last body parsed as JSON; null when it is not JSON.
  returned: always
  type: raw
  sample: {"status": "ok"}
headers:
  description: Response headers of the last answer, names in lower case.
  returned: always
  type: dict
  sample: {"content-type": "application/json"}
attempts:
  description: How many requests were made.
  returned: always
  type: int
  sample: 1
history:
  description: One entry per attempt, oldest first.
  returned: always
  type: list
  elements: dict
  sample: [{"healthy": false, "status": null, "elapsed_ms": 0.4, "reason": "GET http://127.0.0.1:8080/: connection refused"}]
content:
  description: Body of the last answer (first MiB).
  returned: when O(return_content=true)
  type: str
url:
  description: The URL probed.
  returned: always
  type: str
skipped_in_check_mode:
  description: True when check mode kept a non-safe method from being sent.
  returned: always
  type: bool
  sample: false
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    SAFE_METHODS,
    SECRET_HEADER_RE,
    Probe,
    ProbeError,
    check_policy,
    run_probes,
)


def build_probe(params):
    headers = dict((str(k), str(v)) for k, v in params["headers"].items())
    body = params["body"]
    if params["body_format"] == "json" and body is not None:
        body = json.dumps(body)
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    elif body is not None and not isinstance(body, str):
        raise ProbeError("body must be a string unless body_format=json")
    return Probe(
        params["url"], method=params["method"], headers=headers, body=body,
        status_codes=params["status_codes"], json_checks=params["json_checks"],
        max_response_ms=params["max_response_ms"], timeout=params["timeout"],
        validate_certs=params["validate_certs"], ca_path=params["ca_path"],
        follow_redirects=params["follow_redirects"], use_proxy=params["use_proxy"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            method=dict(type="str", default="GET",
                        choices=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
            headers=dict(type="dict", default={}),
            body=dict(type="raw"),
            body_format=dict(type="str", default="raw", choices=["raw", "json"]),
            status_codes=dict(type="list", elements="int", default=[200]),
            json_checks=dict(type="list", elements="str", default=[]),
            max_response_ms=dict(type="int"),
            timeout=dict(type="float", default=10),
            retries=dict(type="int", default=0),
            delay=dict(type="float", default=1),
            until_healthy=dict(type="bool", default=False),
            consecutive=dict(type="int", default=1),
            fail_on_unhealthy=dict(type="bool", default=True),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
            follow_redirects=dict(type="bool", default=False),
            use_proxy=dict(type="bool", default=True),
            return_content=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    # Mask credential headers everywhere, the invocation echo included.
    for name, value in params["headers"].items():
        if SECRET_HEADER_RE.search(str(name)) and value not in (None, ""):
            module.no_log_values.add(str(value))

    try:
        probe = build_probe(params)
        check_policy(params["retries"], params["delay"], params["until_healthy"],
                     params["consecutive"])
    except ProbeError as exc:
        module.fail_json(msg=str(exc), url=params["url"])

    base = dict(changed=False, url=params["url"])
    if module.check_mode and probe.method not in SAFE_METHODS:
        module.exit_json(skipped_in_check_mode=True, healthy=None, status=None, elapsed_ms=0.0,
                         json=None, headers={}, attempts=0, history=[],
                         reason="not sent in check mode: %s is not a safe method" % probe.method,
                         **base)

    result, history = run_probes(
        probe.once, retries=params["retries"], delay=params["delay"],
        until_healthy=params["until_healthy"], consecutive=params["consecutive"])

    out = dict(base, skipped_in_check_mode=False, healthy=result["healthy"], reason=result["reason"], status=result["status"],
               elapsed_ms=result["elapsed_ms"], json=result["json"], headers=result["headers"],
               attempts=len(history), history=history)
    if params["return_content"]:
        out["content"] = result["content"]
    if not result["healthy"] and params["fail_on_unhealthy"]:
        module.fail_json(msg="unhealthy: %s" % result["reason"], **out)
    module.exit_json(**out)


if __name__ == "__main__":
    main()
