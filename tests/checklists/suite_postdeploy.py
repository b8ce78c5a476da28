# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 001 section 7.2, after a deploy: the items a host can answer.

finalize completed (deploy-state.json back to phase idle), the active colour's backend
healthy, the gateway answering from the active colour, the standby colour scaled down
(Prometheus' "up except the standby colour"), monitoring answering.
"""
from __future__ import annotations

import json

import pytest

from tests.checklists import probes
from tests.checklists.common import COLORS, deploy_state, health_url, need
from tests.checklists.plugin import item


@item("7.2-finalize", "finalize completed (deploy-state.json idle)")
def test_finalized(target, host):
    need(target, "bluegreen_server_root")
    state = deploy_state(target, host)
    phase = state.get("phase", "idle")          # the seed's own script writes no phase
    assert phase == "idle", "deploy-state.json is in phase %s (target %s): run the finalize phase (or cancel)" % (
        phase, state.get("targetColor"))


@item("7.2-active", "active colour healthy")
def test_active_colour(target, host):
    need(target, "bluegreen_server_root", "bluegreen_backends")
    active = deploy_state(target, host)["activeColor"]
    url = health_url(target, active)
    why = probes.judge_http("active colour %s at %s" % (active, url), probes.http_get(target, url, timeout=5),
                            json_checks=["status == UP"])
    assert why is None, why


@item("7.2-gateway", "gateway serves the active colour")
def test_gateway_serves_active(target, host):
    need(target, "bluegreen_server_root", "bluegreen_gateway")
    active = deploy_state(target, host)["activeColor"]
    url = target.var("bluegreen_gateway")["url"]
    answer = probes.http_get(target, url)
    why = probes.judge_http("gateway %s" % url, answer, json_checks=["status == UP"])
    assert why is None, why
    try:
        color = json.loads(answer["body"]).get("color")
    except (ValueError, AttributeError):
        color = None
    assert color in (None, active), "gateway %s is answered by %s, but activeColor is %s" % (url, color, active)


@item("7.2-standby", "standby colour scaled down", critical=False)
def test_standby_down(target, host):
    need(target, "bluegreen_server_root", "bluegreen_backends")
    active = deploy_state(target, host)["activeColor"]
    standby = [c for c in COLORS if c != active][0]
    url = health_url(target, standby)
    answer = probes.http_get(target, url, timeout=3)
    assert answer["status"] is None, "standby colour %s still answers at %s (status %s): scale it down (finalize)" % (
        standby, url, answer["status"])


@item("7.2-monitoring", "monitoring answers (Prometheus, Grafana...)", critical=False)
def test_monitoring(target):
    need(target, "bluegreen_monitoring_urls")
    urls = target.var("bluegreen_monitoring_urls")
    if not urls:
        pytest.skip("not applicable: bluegreen_monitoring_urls is empty")
    bad = [why for why in (probes.judge_http(u, probes.http_get(target, u)) for u in urls) if why]
    assert not bad, "; ".join(bad)
