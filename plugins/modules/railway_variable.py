#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: railway_variable
short_description: Set variables of a Railway service, idempotently, with one redeploy
version_added: "0.1.0"
description:
  - Seed 002's P2 answer to rate limiting (C(INVITE_LIMIT_PER_IP), C(REWARD_LIMIT_PER_USER))
    and its "change an environment variable, then Redeploy" procedure, through Railway's public
    GraphQL API.
  - Reads the service's variables and upserts (C(variableUpsert)) only those whose value
    differs, each with C(skipDeploys), then redeploys the service once
    (C(serviceInstanceRedeploy)) when O(redeploy=true), so that the new values take effect.
    Nothing is sent when every value is already set.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.soul_lab.railway
attributes:
  check_mode:
    support: full
    details:
      - Reads the variables and reports which would change; sends no mutation.
  diff_mode:
    support: full
    details:
      - Names and values before and after; values of O(secret=true) variables are masked.
  platform:
    platforms: posix
options:
  variables:
    description: Variables to set, name to value (values are sent as strings).
    type: dict
    required: true
  secret:
    description:
      - The values are secrets. They are masked in the diff and in every output of the task;
        only names are reported. Rate limits are not secret; API keys are.
    type: bool
    default: false
  redeploy:
    description: Redeploy the service once after a change, so the service runs with the new values.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Raise the rate limits for normal traffic (seed 002, P2)
  oncall.runbooks.railway_variable:
    api_token: "{{ railway_api_token }}"
    project_id: "{{ railway_project_id }}"
    environment_id: "{{ railway_environment_id }}"
    service_id: "{{ railway_service_id }}"
    variables:
      INVITE_LIMIT_PER_IP: 100
      REWARD_LIMIT_PER_USER: 50
"""

RETURN = r"""
changes:
  description: Variables that were (or in check mode would be) set, name to V(add) or V(update).
  returned: always
  type: dict
  sample: {"INVITE_LIMIT_PER_IP": "update"}
values:
  description: The wanted variables' values before the task; only when O(secret=false).
  returned: when secret is false
  type: dict
redeployed:
  description: Whether the service was redeployed.
  returned: always
  type: bool
calls:
  description: The GraphQL operations sent.
  returned: always
  type: list
  elements: str
error_kind:
  description: On failure, V(unauthorized), V(not_found), V(unreachable), V(input) or V(failed).
  returned: on failure
  type: str
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe
from ansible_collections.oncall.runbooks.plugins.module_utils import railway as rw

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def render(names, values, secret):
    return "".join("%s=%s\n" % (n, "********" if secret else values.get(n, "(unset)")) for n in sorted(names))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            variables=dict(type="dict", required=True),
            secret=dict(type="bool", default=False),
            redeploy=dict(type="bool", default=True),
            api_token=dict(type="str", required=True, no_log=True),
            token_type=dict(type="str", choices=["account", "project"], default="account"),
            api_url=dict(type="str", default=rw.DEFAULT_API_URL),
            project_id=dict(type="str", required=True),
            environment_id=dict(type="str", required=True),
            service_id=dict(type="str", required=True),
            timeout=dict(type="float", default=30),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    wanted = {}
    for name, value in (p["variables"] or {}).items():
        if value is None or isinstance(value, (dict, list)):
            module.fail_json(msg="variable %s: give a string or number, got %r" % (name, type(value).__name__),
                             error_kind="input")
        wanted[name] = str(value).lower() if isinstance(value, bool) else str(value)
    if p["secret"]:
        for value in wanted.values():
            if value:
                module.no_log_values.add(value)
    bad = [n for n in wanted if not NAME_RE.match(n)]
    if not wanted or bad:
        module.fail_json(msg="variables must name at least one variable, with names of letters, digits and _ (bad: %s)"
                         % ", ".join(bad), error_kind="input")
    result = dict(changed=False, changes={}, redeployed=False, calls=[])
    client = None
    try:
        client = rw.RailwayClient(p["api_token"], api_url=p["api_url"], token_type=p["token_type"],
                                  timeout=p["timeout"], validate_certs=p["validate_certs"], ca_path=p["ca_path"])
        current = client.variables(p["project_id"], p["environment_id"], p["service_id"])
        changes = rw.plan_variables(current, wanted)
        result["changes"] = changes
        if not p["secret"]:
            result["values"] = dict((n, current.get(n)) for n in wanted)
        if changes:
            result["changed"] = True
            if module._diff:
                result["diff"] = dict(before=render(changes, current, p["secret"]),
                                      after=render(changes, wanted, p["secret"]))
            if not module.check_mode:
                for name in sorted(changes):
                    client.upsert_variable(p["project_id"], p["environment_id"], p["service_id"], name, wanted[name],
                                           skip_deploys=True)
                if p["redeploy"]:
                    client.redeploy_service(p["environment_id"], p["service_id"])
                    result["redeployed"] = True
                after = client.variables(p["project_id"], p["environment_id"], p["service_id"])
                still = rw.plan_variables(after, wanted)
                if still:
                    raise rw.RailwayError("Railway accepted the upserts but %s still differ" % ", ".join(sorted(still)))
    except rw.RailwayError as exc:
        result["calls"] = client.calls if client else []
        module.fail_json(msg=str(exc), error_kind=exc.kind, **result)
    except http_probe.ProbeError as exc:
        module.fail_json(msg="api_url: %s" % exc, error_kind="input", **result)
    result["calls"] = client.calls
    module.exit_json(**result)


if __name__ == "__main__":
    main()
