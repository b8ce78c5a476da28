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

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe, last_good

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


def _good(deployment):
    return deployment.get("status") in GOOD_STATUSES and deployment.get("canRollback") is not False


PLATFORM = last_good.Platform(
    RailwayError, created=lambda d: d.get("createdAt"), good=_good, source=source_of, same_code_is_live=True,
    words=dict(
        named_missing="deployment {id} is not among the service's last {count} deployments",
        named_not_good="deployment {id} has status {status} and cannot be rolled back to",
        named_live="deployment {id} ({source}) is already live",
        no_live="the service has no live (SUCCESS) deployment to roll back from",
        bad_missing="bad deployment(s) {ids} are not among the service's last {count} deployments",
        found="last good deployment before {bad}: {id} ({source}, {created})",
        none_found="no earlier deployment to roll back to: none of the {count} deployments before {bad} ran other code",
    ))


def plan_rollback(deployments, deployment_id=None, bad_deployment_ids=None):
    """(action, target, active, reason) with action "none" or "rollback" (last_good's rule:
    good = ran, SUCCESS or REMOVED, and Railway allows the rollback; the live deployment is
    the newest SUCCESS one; a named deployment already runs when the live one runs its code)."""
    return last_good.plan_rollback(PLATFORM, deployments, active_of(deployments), deployment_id,
                                   bad_deployment_ids)


def plan_variables(current, wanted):
    """{name: "add"|"update"} for the variables whose value differs."""
    changes = {}
    for name, value in wanted.items():
        if name not in current:
            changes[name] = "add"
        elif str(current[name]) != str(value):
            changes[name] = "update"
    return changes
