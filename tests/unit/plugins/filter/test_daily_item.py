# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.filter.daily_item import daily_item


def test_health_verdicts():
    ok = daily_item({"name": "gateway", "healthy": True, "line": "OK        gateway  200  12 ms"}, "web-1")
    assert ok == {"host": "web-1", "check": "health: gateway", "status": "ok", "detail": "OK        gateway  200  12 ms"}
    assert daily_item({"name": "gw", "healthy": False, "line": "UNHEALTHY gw"}, "web-1")["status"] == "fail"


@pytest.mark.parametrize("days, expired, status", [
    (90, False, "ok"), (21, False, "warn"), (7.5, False, "warn"), (7, False, "fail"), (-1, True, "fail")])
def test_certificates_by_threshold(days, expired, status):
    cert = {"source": "127.0.0.1:443 (example.com)", "names": ["example.com"], "days_remaining": days,
            "expired": expired, "not_after": "x", "serial": "ab"}
    row = daily_item(cert, "web-1", warn_days=21, critical_days=7)
    assert row["status"] == status and row["check"] == "certificate: 127.0.0.1:443 (example.com)"


def test_jobs():
    row = daily_item({"job": "mysql_backup", "stale": True, "last_success": None, "max_age_hours": 26.0}, "web-1")
    assert row == {"host": "web-1", "check": "scheduled job: mysql_backup", "status": "fail",
                   "detail": "last success never (allowed every 26.0 h)"}


def test_named_checks():
    row = daily_item({"name": "fly: GET / answers 200", "ok": False, "detail": " status 503 "}, "lab-fly")
    assert row == {"host": "lab-fly", "check": "fly: GET / answers 200", "status": "fail", "detail": "status 503"}


def test_prometheus_targets_and_alerts():
    down = daily_item({"job": "node", "instance": "127.0.0.1:9", "health": "down", "last_error": "connection refused"}, "mon")
    assert down == {"host": "mon", "check": "prometheus target node 127.0.0.1:9", "status": "fail", "detail": "connection refused"}
    assert daily_item({"job": "p", "instance": "i", "health": "up", "last_error": ""}, "mon")["status"] == "ok"
    assert [daily_item({"name": "X", "state": s}, "mon")["status"] for s in ("firing", "active", "pending", "suppressed")] == \
        ["fail", "fail", "warn", "warn"]


def test_unknown_input():
    with pytest.raises(AnsibleFilterError, match="does not know this kind"):
        daily_item({"x": 1}, "h")


@pytest.mark.parametrize("given, measured", [
    ({"name": "gw", "healthy": True, "line": "OK gw", "elapsed_ms": 41.5}, {"value": 41.5, "unit": "ms"}),
    ({"name": "gw", "healthy": False, "line": "UNHEALTHY gw", "elapsed_ms": None}, {}),
    ({"source": "s", "days_remaining": 12.5, "expired": False, "names": ["a"], "not_after": "x", "serial": "1"},
     {"value": 12.5, "unit": "days left", "threshold": 21.0}),
    ({"job": "backup", "stale": False, "last_success": "t", "age_hours": 3.2, "max_age_hours": 26.0},
     {"value": 3.2, "unit": "h since last success", "threshold": 26.0}),
    ({"job": "backup", "stale": True, "last_success": None, "age_hours": None, "max_age_hours": 26.0}, {}),
    ({"name": "backlog", "ok": True, "value": 12, "unit": "rows", "threshold": 50}, {"value": 12, "unit": "rows", "threshold": 50}),
    ({"name": "flag", "ok": True, "value": True}, {}),
    ({"job": "node", "instance": "i", "health": "up", "last_error": ""}, {}),
])
def test_the_number_each_check_measured(given, measured):
    row = daily_item(given, "h", warn_days=21, critical_days=7)
    assert dict((k, row[k]) for k in ("value", "unit", "threshold") if k in row) == measured
