#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: railway_deployment
short_description: Roll a Railway service back to its last good deployment, or redeploy it
version_added: "0.1.0"
description:
  - Seed 002's rollback of the API server (Railway Dashboard, Deployments, previous stable
    deployment, Rollback) through Railway's public GraphQL API.
  - O(state=rolled_back) makes a good deployment live with C(deploymentRollback). With
    O(deployment_id), that one; nothing is done when it, or a deployment of the same image or
    commit, is already live.
  - Without O(deployment_id), the last good deployment - the newest one that ran (C(SUCCESS)
    or C(REMOVED)), older than the bad ones and running other code than they do. Bad are
    O(bad_deployment_ids), or the live deployment when none are given (call it when the live
    one is known broken, for example after a failed health check). Nothing is done when the
    live deployment is not a bad one.
  - O(state=redeployed) redeploys the live deployment (C(deploymentRedeploy), a new deployment
    of the same code and configuration); it always changes something.
  - To only read the deployments, run the task in check mode; RV(deployments) and RV(active) are always returned.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.soul_lab.railway
attributes:
  check_mode:
    support: full
    details:
      - Reads the deployments and reports what would be done; sends no mutation.
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
    choices: [rolled_back, redeployed]
    default: rolled_back
  deployment_id:
    description: Deployment to make live (O(state=rolled_back)).
    type: str
  bad_deployment_ids:
    description: Deployments known to be bad; the live one when empty (O(state=rolled_back) without O(deployment_id)).
    type: list
    elements: str
    default: []
  history:
    description: How many of the newest deployments to read.
    type: int
    default: 20
"""

EXAMPLES = r"""
- name: Roll the API back to the last good deployment (seed 002, P0)
  oncall.runbooks.railway_deployment:
    api_token: "{{ railway_api_token }}"
    project_id: "{{ railway_project_id }}"
    environment_id: "{{ railway_environment_id }}"
    service_id: "{{ railway_service_id }}"
    state: rolled_back
  when: not api_health.healthy

- name: Back to a known deployment
  oncall.runbooks.railway_deployment:
    api_token: "{{ railway_api_token }}"
    project_id: "{{ railway_project_id }}"
    environment_id: "{{ railway_environment_id }}"
    service_id: "{{ railway_service_id }}"
    deployment_id: 8a7f2c1e-0000-0000-0000-000000000000
"""

RETURN = r"""
action:
  description: What was (or in check mode would be) done - none, rollback or redeploy.
  returned: always
  type: str
reason:
  description: Why.
  returned: always
  type: str
active:
  description: The live deployment before the task (id, status, created_at, source, commit_message).
  returned: always
  type: dict
target:
  description: The deployment made (or that would be made) live.
  returned: when state is rolled_back
  type: dict
live:
  description: The live deployment after the task (as read back from Railway).
  returned: when something changed and not in check mode
  type: dict
deployments:
  description: The deployments read, newest first (summaries).
  returned: always
  type: list
  elements: dict
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe
from ansible_collections.oncall.runbooks.plugins.module_utils import railway as rw


def diff_line(dep):
    return "%s %s (%s)\n" % (dep["id"], dep["source"], dep["status"]) if dep else "(none)\n"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["rolled_back", "redeployed"], default="rolled_back"),
            deployment_id=dict(type="str"),
            bad_deployment_ids=dict(type="list", elements="str", default=[]),
            history=dict(type="int", default=20),
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
        mutually_exclusive=[("deployment_id", "bad_deployment_ids")],
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False, action="none", reason="", active=None, deployments=[], calls=[])
    if p["history"] < 1:
        module.fail_json(msg="history must be 1 or more", error_kind="input", **result)
    client = None
    try:
        client = rw.RailwayClient(p["api_token"], api_url=p["api_url"], token_type=p["token_type"],
                                  timeout=p["timeout"], validate_certs=p["validate_certs"], ca_path=p["ca_path"])
        client.service(p["service_id"])
        deps = client.deployments(p["project_id"], p["environment_id"], p["service_id"], first=p["history"])
        active = rw.active_of(deps)
        result.update(active=rw.summary(active), deployments=[rw.summary(d) for d in deps])
        if p["state"] == "redeployed":
            if active is None:
                raise rw.RailwayError("the service has no live deployment to redeploy", kind="not_found")
            action, target, reason = "redeploy", active, "redeploy the live deployment %s" % active["id"]
        else:
            action, target, active, reason = rw.plan_rollback(deps, p["deployment_id"], p["bad_deployment_ids"])
        result.update(action=action, reason=reason)
        if p["state"] == "rolled_back":
            result["target"] = rw.summary(target)
        if action == "none":
            result["calls"] = client.calls
            module.exit_json(**result)
        result["changed"] = True
        if module._diff:
            after = "(a new deployment of %s)\n" % rw.source_of(target) if action == "redeploy" else diff_line(rw.summary(target))
            result["diff"] = dict(before=diff_line(rw.summary(active)), after=after)
        if module.check_mode:
            result["calls"] = client.calls
            module.exit_json(**result)
        if action == "redeploy":
            client.redeploy(target["id"])
        else:
            client.rollback(target["id"])
        after = rw.active_of(client.deployments(p["project_id"], p["environment_id"], p["service_id"], first=p["history"]))
        result["live"] = rw.summary(after)
        result["calls"] = client.calls
        if action == "rollback" and (after is None or rw.source_of(after) != rw.source_of(target)):
            module.fail_json(msg="Railway accepted the rollback to %s but the live deployment is now %s"
                             % (target["id"], after and after["id"]), error_kind="failed", **result)
    except rw.RailwayError as exc:
        result["calls"] = client.calls if client else []
        module.fail_json(msg=str(exc), error_kind=exc.kind, **result)
    except http_probe.ProbeError as exc:
        module.fail_json(msg="api_url: %s" % exc, error_kind="input", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
