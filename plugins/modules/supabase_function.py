#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: supabase_function
short_description: Trigger a Supabase Edge Function by hand, with its secret header
version_added: "0.1.0"
description:
  - Seed 003's manual trigger of C(scheduled-dispatcher) (§3-C recovery, cron.md §4) - a
    C(POST {base_url}/functions/v1/{name}) with the shared secret in O(secret_header), plus
    an optional the C(Authorization) header (Bearer) key.
  - A C(401) is reported as the seed's known failure - the caller's secret (Vault) differs from
    the function's (Edge secret).
  - The secret and the key are never returned or logged.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is sent in check mode; the task reports that it would trigger the function.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  base_url:
    description: The project's URL, for example C(https://<ref>.supabase.co).
    type: str
    required: true
  name:
    description: The function, for example C(scheduled-dispatcher).
    type: str
    required: true
  secret:
    description: The shared secret the function checks.
    type: str
    required: true
  secret_header:
    description: Header that carries O(secret).
    type: str
    default: x-dispatcher-secret
  api_key:
    description: Key sent as the C(Authorization) header (Bearer) (Supabase's gateway wants the anon or service key).
    type: str
  body:
    description: JSON body to send.
    type: dict
    default: {}
  timeout:
    description: Seconds the call may take.
    type: float
    default: 60
  validate_certs:
    description: Verify the TLS certificate.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Trigger scheduled-dispatcher by hand (seed 003 §3-C)
  oncall.runbooks.supabase_function:
    base_url: "{{ supabase_url }}"
    name: scheduled-dispatcher
    secret: "{{ supabase_dispatcher_secret }}"
    api_key: "{{ supabase_service_key }}"
  register: dispatch
"""

RETURN = r"""
status:
  description: HTTP status of the function's answer.
  returned: when a request was sent
  type: int
json:
  description: The answer's JSON body, if it is JSON.
  returned: when a request was sent
  type: raw
elapsed_ms:
  description: Time taken.
  returned: when a request was sent
  type: float
"""

import json
import re
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            base_url=dict(type="str", required=True),
            name=dict(type="str", required=True),
            secret=dict(type="str", required=True, no_log=True),
            secret_header=dict(type="str", default="x-dispatcher-secret", no_log=False),
            api_key=dict(type="str", no_log=True),
            body=dict(type="dict", default={}),
            timeout=dict(type="float", default=60),
            validate_certs=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not NAME_RE.match(p["name"]):
        module.fail_json(msg="name %r is not a function name" % p["name"])
    url = "%s/functions/v1/%s" % (p["base_url"].rstrip("/"), p["name"])
    try:
        http_probe.check_url(url)
    except http_probe.ProbeError as exc:
        module.fail_json(msg="base_url: %s" % exc)
    if module.check_mode:
        module.exit_json(changed=True, msg="would POST %s" % url)
    headers = {"Content-Type": "application/json", p["secret_header"]: p["secret"]}
    if p["api_key"]:
        headers["Authorization"] = "Bearer %s" % p["api_key"]
    started = time.monotonic()
    try:
        status, _headers, data = http_probe.request(url, method="POST", headers=headers,
                                                    body=json.dumps(p["body"]).encode("utf-8"),
                                                    timeout=p["timeout"], validate_certs=p["validate_certs"])
    except http_probe.TRANSPORT_ERRORS as exc:
        module.fail_json(msg="POST %s: %s" % (url, http_probe.transport_reason(exc)))
    elapsed = round((time.monotonic() - started) * 1000.0, 1)
    text = data.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    result = dict(changed=True, status=status, json=doc, elapsed_ms=elapsed)
    if status == 401:
        module.fail_json(msg="%s answered 401: the secret in %s was refused - the caller's secret (Vault) and the "
                             "function's (Edge secret) differ (seed 003 §3-C)" % (p["name"], p["secret_header"]), **result)
    if not 200 <= status < 300:
        module.fail_json(msg="%s answered HTTP %s: %s" % (p["name"], status, " ".join(text.split())[:200]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
