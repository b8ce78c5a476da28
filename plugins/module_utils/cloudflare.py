# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cloudflare's Pages API (client/v4), as the seed 002 runbook drives it (Soul Lab's front end).

Every answer is the v4 envelope {"success": bool, "errors": [{"code", "message"}],
"messages": [...], "result": ..., "result_info": {...}}; a token goes in
`Authorization: Bearer`.

  GET  /accounts/{account_id}/pages/projects/{project_name}
       result.canonical_deployment is the deployment production serves,
       result.latest_deployment the newest one
  GET  /accounts/{account_id}/pages/projects/{project_name}/deployments?env=production&page=N
  POST /accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/rollback

Only successful production deployments are rollback targets (Cloudflare's rule).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe, last_good

DEFAULT_API_URL = "https://api.cloudflare.com/client/v4"
MAX_PAGES = 10

# Cloudflare's codes that mean "the token is not good for this".
AUTH_CODES = (9106, 9109, 10000, 10001)
# Pages codes for a project or deployment that does not exist.
NOT_FOUND_CODES = (8000007, 8000009)


class CloudflareError(Exception):
    def __init__(self, msg, kind="failed"):
        super(CloudflareError, self).__init__(msg)
        self.kind = kind


def snippet(text):
    return http_probe.snippet(text, limit=120)


def envelope_error(status, doc):
    """(kind, text) for an answer whose envelope says success=false (or HTTP >= 400)."""
    errors = doc.get("errors") if isinstance(doc, dict) else None
    parts, codes = [], []
    for err in errors or []:
        if isinstance(err, dict):
            codes.append(err.get("code"))
            parts.append("%s: %s" % (err.get("code"), err.get("message")))
    text = "; ".join(parts) or "HTTP %s" % status
    if status in (401, 403) or any(c in AUTH_CODES for c in codes):
        return "unauthorized", text
    if status == 404 or any(c in NOT_FOUND_CODES for c in codes):
        return "not_found", text
    return "failed", text


class PagesClient:
    def __init__(self, token, account_id, project_name, api_url=DEFAULT_API_URL, timeout=30.0,
                 validate_certs=True, ca_path=None, request=None):
        if not token:
            raise CloudflareError("api_token is empty", kind="input")
        if not account_id or not project_name:
            raise CloudflareError("account_id and project_name are required", kind="input")
        http_probe.check_url(api_url)
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.base = "%s/accounts/%s/pages/projects/%s" % (
            self.api_url, quote(account_id, safe=""), quote(project_name, safe=""))
        self.project_name = project_name
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self._request = request or http_probe.request
        self.calls = []

    def call(self, method, path="", query=""):
        url = self.base + path + (("?" + query) if query else "")
        self.calls.append("%s %s" % (method, (path or "/") + (("?" + query) if query else "")))
        try:
            status, _headers, data = self._request(
                url, method=method, timeout=self.timeout, validate_certs=self.validate_certs,
                ca_path=self.ca_path,
                headers={"Authorization": "Bearer %s" % self.token, "Accept": "application/json"})
        except http_probe.TRANSPORT_ERRORS as exc:
            raise CloudflareError("Cloudflare API %s unreachable: %s" % (self.api_url, http_probe.transport_reason(exc)),
                                  kind="unreachable")
        text, doc = http_probe.decode_json(data)
        if not isinstance(doc, dict):
            raise CloudflareError("Cloudflare API answered HTTP %s with a body that is not JSON: %s"
                                  % (status, snippet(text)))
        if status >= 400 or doc.get("success") is not True:
            kind, msg = envelope_error(status, doc)
            if kind == "unauthorized":
                msg += " (the API token was refused or lacks Pages access to this account)"
            raise CloudflareError("Cloudflare %s %s failed: %s" % (method, (path or "project " + self.project_name), msg),
                                  kind=kind)
        return doc

    def project(self):
        return self.call("GET")["result"] or {}

    def deployments(self, env="production"):
        found = []
        for page in range(1, MAX_PAGES + 1):
            doc = self.call("GET", "/deployments", "env=%s&page=%d" % (env, page))
            batch = doc.get("result") or []
            found.extend(batch)
            info = doc.get("result_info") or {}
            total = info.get("total_count")
            if not batch or (total is not None and len(found) >= total) or len(batch) < (info.get("per_page") or 0):
                break
        return sort_newest_first(found)

    def rollback(self, deployment_id):
        return self.call("POST", "/deployments/%s/rollback" % quote(deployment_id, safe=""))["result"] or {}


# ---------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------

def sort_newest_first(deployments):
    return sorted(deployments, key=lambda d: (d.get("created_on") or "", d.get("id") or ""), reverse=True)


def is_good(deployment):
    """A successful production build: the only kind Cloudflare rolls back to."""
    stage = deployment.get("latest_stage") or {}
    return (deployment.get("environment") == "production"
            and stage.get("name") == "deploy" and stage.get("status") == "success"
            and not deployment.get("is_skipped"))


def source_of(deployment):
    meta = ((deployment.get("deployment_trigger") or {}).get("metadata")) or {}
    if meta.get("commit_hash"):
        return "commit:%s" % meta["commit_hash"]
    return "id:%s" % deployment.get("id")


def summary(deployment):
    if not deployment:
        return None
    stage = deployment.get("latest_stage") or {}
    meta = ((deployment.get("deployment_trigger") or {}).get("metadata")) or {}
    return {
        "id": deployment.get("id"),
        "short_id": deployment.get("short_id"),
        "environment": deployment.get("environment"),
        "created_on": deployment.get("created_on"),
        "stage": "%s:%s" % (stage.get("name"), stage.get("status")),
        "source": source_of(deployment),
        "commit_message": meta.get("commit_message"),
        "url": deployment.get("url"),
    }


PLATFORM = last_good.Platform(
    CloudflareError, created=lambda d: d.get("created_on"), good=is_good, source=source_of,
    words=dict(
        named_missing="deployment {id} is not among the project's {count} production deployments",
        named_not_good="deployment {id} is not a successful production build and cannot be rolled back to",
        named_live="deployment {id} is already live",
        no_live="the project has no live production deployment to roll back from",
        bad_missing="bad deployment(s) {ids} are not among the project's production deployments",
        found="last good production deployment before {bad}: {id} ({source}, {created})",
        none_found="no earlier successful production deployment to roll back to before {bad}",
    ))


def plan_rollback(deployments, canonical_id, deployment_id=None, bad_deployment_ids=None):
    """(action, target, active, reason); action "none" or "rollback" (last_good's rule: good
    = a successful production build; the live deployment is the project's canonical one)."""
    active = dict((d.get("id"), d) for d in deployments).get(canonical_id)
    if canonical_id and active is None:
        raise CloudflareError("the live deployment %s is not among the project's production deployments"
                              % canonical_id, kind="not_found")
    return last_good.plan_rollback(PLATFORM, deployments, active, deployment_id, bad_deployment_ids)
