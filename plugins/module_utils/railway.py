# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Railway's public GraphQL API, as the seed 002 runbook drives it (Soul Lab's API server).

One POST per operation to the API URL with a JSON body {"query", "variables"}; an account or
team token goes in `Authorization: Bearer`, a project token in `Project-Access-Token`.
GraphQL answers HTTP 200 even for errors: {"data": null, "errors": [{"message": ...}]}.

Operations used: deployments(input: {projectId, environmentId, serviceId}, first),
deploymentRollback(id), deploymentRedeploy(id), variables(projectId, environmentId,
serviceId), variableUpsert(input: {..., name, value, skipDeploys}),
serviceInstanceRedeploy(environmentId, serviceId), service(id).

The decisions (which deployment is the last good one, which variables change) are pure
functions here, so they are unit-tested without any HTTP.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe

DEFAULT_API_URL = "https://backboard.railway.com/graphql/v2"

# A deployment Railway can roll back to: it ran (SUCCESS is the live one, REMOVED an older one
# that was replaced). FAILED / CRASHED never served or stopped serving.
GOOD_STATUSES = ("SUCCESS", "REMOVED")
ACTIVE_STATUS = "SUCCESS"


class RailwayError(Exception):
    """An answer that is not what was asked: transport, HTTP or GraphQL error."""

    def __init__(self, msg, kind="failed"):
        super(RailwayError, self).__init__(msg)
        self.kind = kind


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------

Q_SERVICE = "query service($id: String!) { service(id: $id) { id name projectId } }"
Q_DEPLOYMENTS = (
    "query deployments($input: DeploymentListInput!, $first: Int) {"
    " deployments(input: $input, first: $first) {"
    " edges { node { id status createdAt staticUrl canRollback meta } } } }")
M_ROLLBACK = "mutation deploymentRollback($id: String!) { deploymentRollback(id: $id) }"
M_REDEPLOY = ("mutation deploymentRedeploy($id: String!) {"
              " deploymentRedeploy(id: $id) { id status createdAt } }")
Q_VARIABLES = ("query variables($projectId: String!, $environmentId: String!, $serviceId: String) {"
               " variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) }")
M_VARIABLE_UPSERT = "mutation variableUpsert($input: VariableUpsertInput!) { variableUpsert(input: $input) }"
M_SERVICE_REDEPLOY = ("mutation serviceInstanceRedeploy($environmentId: String!, $serviceId: String!) {"
                      " serviceInstanceRedeploy(environmentId: $environmentId, serviceId: $serviceId) }")


def snippet(text):
    return http_probe.snippet(text, limit=120)


def classify_errors(errors):
    """(kind, text) for a GraphQL errors list."""
    messages = []
    for err in errors or []:
        if isinstance(err, dict):
            messages.append(str(err.get("message") or err))
        else:
            messages.append(str(err))
    text = "; ".join(messages) or "unknown error"
    low = text.lower()
    if "not authorized" in low or "unauthorized" in low or "unauthenticated" in low:
        return "unauthorized", text
    if "not found" in low:
        return "not_found", text
    return "failed", text


class RailwayClient:
    def __init__(self, token, api_url=DEFAULT_API_URL, token_type="account", timeout=30.0,
                 validate_certs=True, ca_path=None, request=None):
        if not token:
            raise RailwayError("api_token is empty", kind="input")
        http_probe.check_url(api_url)
        self.api_url = api_url
        self.token = token
        self.token_type = token_type
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self._request = request or http_probe.request
        self.calls = []   # operation names sent, for the module's return value

    def headers(self):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token_type == "project":
            headers["Project-Access-Token"] = self.token
        else:
            headers["Authorization"] = "Bearer %s" % self.token
        return headers

    def graphql(self, operation, query, variables):
        body = json.dumps({"query": query, "variables": variables, "operationName": operation})
        self.calls.append(operation)
        try:
            status, _headers, data = self._request(
                self.api_url, method="POST", headers=self.headers(), body=body.encode("utf-8"),
                timeout=self.timeout, validate_certs=self.validate_certs, ca_path=self.ca_path)
        except http_probe.TRANSPORT_ERRORS as exc:
            raise RailwayError("Railway API %s unreachable: %s" % (self.api_url, http_probe.transport_reason(exc)),
                               kind="unreachable")
        text, doc = http_probe.decode_json(data)
        if status in (401, 403):
            raise RailwayError("Railway refused the API token (HTTP %s): check the token and its type "
                               "(token_type=%s)" % (status, self.token_type), kind="unauthorized")
        if not isinstance(doc, dict):
            raise RailwayError("Railway API answered HTTP %s with a body that is not JSON: %s"
                               % (status, snippet(text)), kind="failed")
        if doc.get("errors"):
            kind, msg = classify_errors(doc["errors"])
            if kind == "unauthorized":
                msg = "%s (the API token was refused or lacks access to this project)" % msg
            raise RailwayError("Railway %s failed: %s" % (operation, msg), kind=kind)
        if status != 200:
            raise RailwayError("Railway API answered HTTP %s: %s" % (status, snippet(text)))
        if not isinstance(doc.get("data"), dict):
            raise RailwayError("Railway %s answered without data" % operation)
        return doc["data"]

    # -- reads -----------------------------------------------------------------------------

    def service(self, service_id):
        data = self.graphql("service", Q_SERVICE, {"id": service_id})
        if not data.get("service"):
            raise RailwayError("Railway service %s not found" % service_id, kind="not_found")
        return data["service"]

    def deployments(self, project_id, environment_id, service_id, first=20):
        data = self.graphql("deployments", Q_DEPLOYMENTS, {
            "input": {"projectId": project_id, "environmentId": environment_id, "serviceId": service_id},
            "first": first})
        edges = ((data.get("deployments") or {}).get("edges")) or []
        nodes = [e["node"] for e in edges if isinstance(e, dict) and isinstance(e.get("node"), dict)]
        return sort_newest_first(nodes)

    def variables(self, project_id, environment_id, service_id):
        data = self.graphql("variables", Q_VARIABLES, {
            "projectId": project_id, "environmentId": environment_id, "serviceId": service_id})
        values = data.get("variables")
        if not isinstance(values, dict):
            raise RailwayError("Railway variables answered %r, expected an object" % (values,))
        return values

    # -- changes ---------------------------------------------------------------------------

    def rollback(self, deployment_id):
        data = self.graphql("deploymentRollback", M_ROLLBACK, {"id": deployment_id})
        if data.get("deploymentRollback") is not True:
            raise RailwayError("Railway did not roll back to %s (answer %r)"
                               % (deployment_id, data.get("deploymentRollback")))

    def redeploy(self, deployment_id):
        data = self.graphql("deploymentRedeploy", M_REDEPLOY, {"id": deployment_id})
        return data.get("deploymentRedeploy") or {}

    def upsert_variable(self, project_id, environment_id, service_id, name, value, skip_deploys):
        data = self.graphql("variableUpsert", M_VARIABLE_UPSERT, {"input": {
            "projectId": project_id, "environmentId": environment_id, "serviceId": service_id,
            "name": name, "value": value, "skipDeploys": skip_deploys}})
        if data.get("variableUpsert") is not True:
            raise RailwayError("Railway did not set variable %s (answer %r)" % (name, data.get("variableUpsert")))

    def redeploy_service(self, environment_id, service_id):
        data = self.graphql("serviceInstanceRedeploy", M_SERVICE_REDEPLOY,
                            {"environmentId": environment_id, "serviceId": service_id})
        if data.get("serviceInstanceRedeploy") is not True:
            raise RailwayError("Railway did not redeploy service %s" % service_id)


# ---------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------

def sort_newest_first(deployments):
    return sorted(deployments, key=lambda d: (d.get("createdAt") or "", d.get("id") or ""), reverse=True)


def source_of(deployment):
    """What a deployment runs: its image or commit, so a redeploy of the same code compares equal."""
    meta = deployment.get("meta") or {}
    if isinstance(meta, dict):
        for key in ("image", "imageDigest", "commitHash"):
            if meta.get(key):
                return "%s:%s" % (key, meta[key])
    return "id:%s" % deployment.get("id")


def summary(deployment):
    if not deployment:
        return None
    meta = deployment.get("meta") or {}
    return {
        "id": deployment.get("id"),
        "status": deployment.get("status"),
        "created_at": deployment.get("createdAt"),
        "source": source_of(deployment),
        "commit_message": meta.get("commitMessage") if isinstance(meta, dict) else None,
    }


def active_of(deployments):
    """The live deployment: the newest one in status SUCCESS (Railway marks replaced ones REMOVED)."""
    for dep in sort_newest_first(deployments):
        if dep.get("status") == ACTIVE_STATUS:
            return dep
    return None


def plan_rollback(deployments, deployment_id=None, bad_deployment_ids=None):
    """(action, target, active, reason) with action "none" or "rollback".

    deployment_id given: that deployment is wanted live; nothing to do when it (or a redeploy
    of the same image/commit) already is.
    Otherwise the last good deployment is wanted: bad are `bad_deployment_ids`, or the active
    deployment when none are given (the runbook rolls back because the live one is broken).
    Nothing to do when the active deployment is not bad. The target is the newest deployment
    that ran (SUCCESS/REMOVED), is older than the newest bad one, and runs other code than
    every bad one.
    """
    deployments = sort_newest_first(deployments)
    by_id = dict((d.get("id"), d) for d in deployments)
    active = active_of(deployments)
    if deployment_id:
        target = by_id.get(deployment_id)
        if target is None:
            raise RailwayError("deployment %s is not among the service's last %d deployments"
                               % (deployment_id, len(deployments)), kind="not_found")
        if target.get("status") not in GOOD_STATUSES or target.get("canRollback") is False:
            raise RailwayError("deployment %s has status %s and cannot be rolled back to"
                               % (deployment_id, target.get("status")), kind="input")
        if active is not None and (active.get("id") == deployment_id or source_of(active) == source_of(target)):
            return "none", target, active, "deployment %s (%s) is already live" % (active.get("id"), source_of(target))
        return "rollback", target, active, "roll back to deployment %s as asked" % deployment_id

    if active is None:
        raise RailwayError("the service has no live (SUCCESS) deployment to roll back from", kind="not_found")
    bad_ids = list(bad_deployment_ids or [active.get("id")])
    unknown = [i for i in bad_ids if i not in by_id]
    if unknown:
        raise RailwayError("bad deployment(s) %s are not among the service's last %d deployments"
                           % (", ".join(unknown), len(deployments)), kind="not_found")
    bad = [by_id[i] for i in bad_ids]
    bad_sources = set(source_of(d) for d in bad)
    if active.get("id") not in bad_ids and source_of(active) not in bad_sources:
        return "none", active, active, "the live deployment %s (%s) is not a bad one" % (active.get("id"), source_of(active))
    newest_bad = max(d.get("createdAt") or "" for d in bad)
    for dep in deployments:
        if (dep.get("createdAt") or "") >= newest_bad:
            continue
        if dep.get("status") not in GOOD_STATUSES or dep.get("canRollback") is False:
            continue
        if source_of(dep) in bad_sources:
            continue
        return "rollback", dep, active, "last good deployment before %s: %s (%s, %s)" % (
            ", ".join(bad_ids), dep.get("id"), source_of(dep), dep.get("createdAt"))
    raise RailwayError("no earlier deployment to roll back to: none of the %d deployments before %s ran other code"
                       % (len(deployments), ", ".join(bad_ids)), kind="not_found")


def plan_variables(current, wanted):
    """{name: "add"|"update"} for the variables whose value differs."""
    changes = {}
    for name, value in wanted.items():
        if name not in current:
            changes[name] = "add"
        elif str(current[name]) != str(value):
            changes[name] = "update"
    return changes
