# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Seed 001's observability stack as the daily check reads it: Prometheus' targets and alerts
(HTTP API v1) and Alertmanager's alerts (API v2). Parsing is pure, for unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    TRANSPORT_ERRORS,
    decode_json,
    request,
    transport_reason,
)


class MonitoringError(Exception):
    pass


def get_json(url, timeout, validate_certs):
    try:
        status, _headers, body = request(url, timeout=timeout, validate_certs=validate_certs)
    except TRANSPORT_ERRORS as exc:
        raise MonitoringError("GET %s: %s" % (url, transport_reason(exc)))
    if status != 200:
        raise MonitoringError("GET %s: status %s" % (url, status))
    doc = decode_json(body)[1]
    if doc is None:
        raise MonitoringError("GET %s: the answer is not JSON" % url)
    return doc


def _data(doc, url):
    if not isinstance(doc, dict) or doc.get("status") != "success":
        raise MonitoringError("%s: %s" % (url, (doc or {}).get("error") if isinstance(doc, dict) else "unexpected answer"))
    return doc.get("data") or {}


def parse_targets(doc, url="targets"):
    """/api/v1/targets -> [{job, instance, health, last_error}]."""
    return [{"job": t.get("labels", {}).get("job") or t.get("scrapePool"),
             "instance": t.get("labels", {}).get("instance") or t.get("scrapeUrl"),
             "health": t.get("health", "unknown"),
             "last_error": t.get("lastError") or ""}
            for t in _data(doc, url).get("activeTargets", [])]


def parse_prometheus_alerts(doc, ignore=(), url="alerts"):
    """/api/v1/alerts -> [{name, state, severity}] (state pending or firing)."""
    return [{"name": a.get("labels", {}).get("alertname"), "state": a.get("state"),
             "severity": a.get("labels", {}).get("severity")}
            for a in _data(doc, url).get("alerts", []) if a.get("labels", {}).get("alertname") not in ignore]


def parse_alertmanager_alerts(doc, ignore=()):
    """/api/v2/alerts -> [{name, state, severity}] (state active, suppressed or unprocessed)."""
    if not isinstance(doc, list):
        raise MonitoringError("Alertmanager's /api/v2/alerts did not answer a list")
    return [{"name": a.get("labels", {}).get("alertname"), "state": (a.get("status") or {}).get("state"),
             "severity": a.get("labels", {}).get("severity")}
            for a in doc if a.get("labels", {}).get("alertname") not in ignore]
