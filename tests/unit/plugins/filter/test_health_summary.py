# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.filter.health_summary import health_summary


def test_healthy_row_uses_loop_item_name():
    row = health_summary({"ansible_loop_var": "ep", "ep": {"name": "api", "url": "http://x/"},
                          "url": "http://x/", "healthy": True, "status": 200, "elapsed_ms": 12.4,
                          "reason": ""})
    assert row == {"name": "api", "url": "http://x/", "healthy": True, "status": 200,
                   "elapsed_ms": 12.4, "reason": "", "line": "OK        api  200  12 ms"}


def test_unhealthy_row_carries_reason():
    row = health_summary({"item": {"name": "api"}, "url": "http://x/", "healthy": False,
                          "status": None, "elapsed_ms": 0.4, "reason": "GET http://x/: connection refused"})
    assert row["healthy"] is False
    assert row["line"] == "UNHEALTHY api  ---  0 ms  GET http://x/: connection refused"


def test_failed_probe_is_unhealthy_with_its_msg():
    row = health_summary({"item": {"url": "bad"}, "failed": True, "msg": "url 'bad' must start with http://"})
    assert row["healthy"] is False
    assert row["name"] == "bad"
    assert row["reason"] == "url 'bad' must start with http://"


def test_rejects_non_dict():
    with pytest.raises(AnsibleFilterError):
        health_summary("nope")
