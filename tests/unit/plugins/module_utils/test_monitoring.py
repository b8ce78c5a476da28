# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing of Prometheus' and Alertmanager's answers, in the shapes their HTTP APIs document
(Prometheus /api/v1/targets and /api/v1/alerts, Alertmanager /api/v2/alerts). The real
Prometheus and Alertmanager answer in tests/integration/test_lab_maintenance.py."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils import monitoring as mon

TARGETS = {"status": "success", "data": {"activeTargets": [
    {"labels": {"job": "prometheus", "instance": "127.0.0.1:9090"}, "scrapeUrl": "http://127.0.0.1:9090/metrics",
     "health": "up", "lastError": ""},
    {"labels": {"job": "backend", "instance": "127.0.0.1:9"}, "scrapeUrl": "http://127.0.0.1:9/metrics",
     "health": "down", "lastError": "Get \"http://127.0.0.1:9/metrics\": dial tcp 127.0.0.1:9: connect: connection refused"}],
    "droppedTargets": []}}
ALERTS = {"status": "success", "data": {"alerts": [
    {"labels": {"alertname": "BackendDown", "severity": "critical"}, "state": "firing", "activeAt": "2026-11-22T03:00:00Z"},
    {"labels": {"alertname": "Watchdog"}, "state": "firing"},
    {"labels": {"alertname": "DiskFilling"}, "state": "pending"}]}}


def test_targets():
    targets = mon.parse_targets(TARGETS)
    assert [t["health"] for t in targets] == ["up", "down"]
    assert targets[1]["job"] == "backend" and "connection refused" in targets[1]["last_error"]


def test_alerts_without_the_ignored_ones():
    assert mon.parse_prometheus_alerts(ALERTS, ignore={"Watchdog"}) == [
        {"name": "BackendDown", "state": "firing", "severity": "critical"},
        {"name": "DiskFilling", "state": "pending", "severity": None}]


def test_alertmanager_v2():
    doc = [{"labels": {"alertname": "BackendDown", "severity": "critical"}, "status": {"state": "active"}}]
    assert mon.parse_alertmanager_alerts(doc) == [{"name": "BackendDown", "state": "active", "severity": "critical"}]
    with pytest.raises(mon.MonitoringError):
        mon.parse_alertmanager_alerts({"status": "error"})


def test_error_answer():
    with pytest.raises(mon.MonitoringError, match="bad_data"):
        mon.parse_targets({"status": "error", "errorType": "bad_data", "error": "bad_data: nope"})
