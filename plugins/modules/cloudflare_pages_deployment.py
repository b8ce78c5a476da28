#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudflare_pages_deployment
short_description: Roll a Cloudflare Pages project back to its last good production deployment
version_added: "0.1.0"
description:
  - Seed 002's rollback of the front end (Cloudflare Dashboard, Pages, Deployments, "Rollback to
    this deployment") through Cloudflare's API
    (C(POST /accounts/{account_id}/pages/projects/{project_name}/deployments/{id}/rollback)).
  - The live deployment is the project's C(canonical_deployment). Only successful production
    builds are rollback targets.
  - O(state=rolled_back) with O(deployment_id) makes that deployment live; nothing is done when it
    already is. Without it, the last good deployment is made live - the newest successful
    production build older than the bad ones, with another commit. Bad are O(bad_deployment_ids),
    or the live deployment when none are given (call it when the live one is known broken).
    Nothing is done when the live deployment is not a bad one.
  - To only read the deployments, run the task in check mode; RV(deployments) and RV(active) are always returned.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the project and reports what would be done; sends no rollback.
  diff_mode:
    support: full
    details:
      - The live deployment before and after.
  platform:
    platforms: posix
options:
  state:
    description: What to do.
    type: str
    choices: [rolled_back]
    default: rolled_back
  account_id:
    description: Cloudflare account id.
    type: str
    required: true
  project_name:
    description: Pages project name (for example C(soul-lab)).
    type: str
    required: true
  deployment_id:
    description: Deployment to make live.
    type: str
  bad_deployment_ids:
    description: Deployments known to be bad; the live one when empty.
    type: list
    elements: str
    default: []
  api_token:
    description: Cloudflare API token with Pages edit permission, sent as the C(Authorization) header (Bearer). Never returned or logged.
    type: str
    required: true
  api_url:
    description: Base URL of Cloudflare's API (v4); point it at a local double in tests.
    type: str
    default: https://api.cloudflare.com/client/v4
  timeout:
    description: Seconds each API request may take.
    type: float
    default: 30
  validate_certs:
    description: Verify the API's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: CA bundle to verify the API's certificate with.
    type: path
"""

EXAMPLES = r"""
- name: Roll the front end back to the last good deployment (seed 002)
  oncall.runbooks.cloudflare_pages_deployment:
    account_id: "{{ cloudflare_account_id }}"
    project_name: soul-lab
    api_token: "{{ cloudflare_api_token }}"
  when: not frontend_health.healthy
"""

RETURN = r"""
action:
  description: What was (or in check mode would be) done - none or rollback.
  returned: always
  type: str
reason:
  description: Why.
  returned: always
  type: str
active:
  description: The live deployment before the task (id, short_id, environment, created_on, stage, source, commit_message, url).
  returned: always
  type: dict
target:
  description: The deployment made (or that would be made) live.
  returned: when state is rolled_back
  type: dict
live:
  description: The live deployment after the task, read back from the project.
  returned: when something changed and not in check mode
  type: dict
deployments:
  description: Production deployments, newest first (summaries).
  returned: always
  type: list
  elements: dict
calls:
  description: The API requests sent (method and path below the project).
  returned: always
  type: list
  elements: str
error_kind:
  description: On failure, V(unauthorized), V(not_found), V(unreachable), V(input) or V(failed).
  returned: on failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import cloudflare as cf
from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe


def diff_line(dep):
    return "%s %s (%s)\n" % (dep["id"], dep["source"], dep["stage"]) if dep else "(none)\n"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["rolled_back"], default="rolled_back"),
            account_id=dict(type="str", required=True),
            project_name=dict(type="str", required=True),
            deployment_id=dict(type="str"),
            bad_deployment_ids=dict(type="list", elements="str", default=[]),
            api_token=dict(type="str", required=True, no_log=True),
            api_url=dict(type="str", default=cf.DEFAULT_API_URL),
            timeout=dict(type="float", default=30),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
        ),
        mutually_exclusive=[("deployment_id", "bad_deployment_ids")],
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False, action="none", reason="", active=None, deployments=[], calls=[])
    client = None
    try:
        client = cf.PagesClient(p["api_token"], p["account_id"], p["project_name"], api_url=p["api_url"],
                                timeout=p["timeout"], validate_certs=p["validate_certs"], ca_path=p["ca_path"])
        project = client.project()
        canonical = (project.get("canonical_deployment") or {}).get("id")
        deps = client.deployments()
        by_id = dict((d.get("id"), d) for d in deps)
        result.update(active=cf.summary(by_id.get(canonical)), deployments=[cf.summary(d) for d in deps])
        action, target, active, reason = cf.plan_rollback(deps, canonical, p["deployment_id"], p["bad_deployment_ids"])
        result.update(action=action, reason=reason, target=cf.summary(target))
        if action != "none":
            result["changed"] = True
            if module._diff:
                result["diff"] = dict(before=diff_line(cf.summary(active)), after=diff_line(cf.summary(target)))
            if not module.check_mode:
                client.rollback(target["id"])
                now = (client.project().get("canonical_deployment") or {})
                result["live"] = cf.summary(now)
                if now.get("id") != target["id"]:
                    raise cf.CloudflareError("Cloudflare accepted the rollback to %s but production serves %s"
                                             % (target["id"], now.get("id")))
    except cf.CloudflareError as exc:
        result["calls"] = client.calls if client else []
        module.fail_json(msg=str(exc), error_kind=exc.kind, **result)
    except http_probe.ProbeError as exc:
        module.fail_json(msg="api_url: %s" % exc, error_kind="input", **result)
    result["calls"] = client.calls
    module.exit_json(**result)


if __name__ == "__main__":
    main()
