# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 001 section 7.1, before a deploy: the items a host can answer.

Blue-green host (bluegreen_server_root): the Docker daemon answers, the compose files are in
place, deploy-state.json names a colour (the expected one: bluegreen_expected_color) and the
gateway routes to it, the gateway answers healthy, monitoring answers (bluegreen_monitoring_urls).
TLS host (certbot_watch_endpoints): the served certificate is not expiring.
"""
from __future__ import annotations

import pytest

from tests.checklists import probes
from tests.checklists.common import bg_path, certificate_days, deploy_state, gateway_upstream, need
from tests.checklists.plugin import item


@item("7.1-docker", "Docker daemon answers")
def test_docker_daemon(target, host):
    need(target, "bluegreen_server_root")
    res = host.run("docker info --format '{{.ServerVersion}}'")
    assert res.rc == 0, "docker info failed: %s" % (res.stderr.strip() or res.stdout.strip())[-300:]


@item("7.1-compose", "compose files present")
def test_compose_files(target, host):
    need(target, "bluegreen_server_root")
    gateway = target.var("bluegreen_gateway", {})
    files = [bg_path(target, target.var("bluegreen_compose_file", "application/docker-compose.application.prod.yml")),
             bg_path(target, gateway.get("compose_file", "gateway/docker-compose.gateway.prod.yml"))]
    missing = [f for f in files if not host.file(f).is_file]
    assert not missing, "missing: %s" % ", ".join(missing)


@item("7.1-state", "deploy-state.json activeColor as expected, gateway routes to it")
def test_deploy_state(target, host):
    need(target, "bluegreen_server_root", "bluegreen_backends")
    state = deploy_state(target, host)
    active = state["activeColor"]
    expected = target.var("bluegreen_expected_color", "")
    assert not expected or active == expected, "deploy-state.json says activeColor=%s, expected %s" % (active, expected)
    upstream, path = gateway_upstream(target, host)
    if upstream is not None:
        want = target.var("bluegreen_backends")[active]
        assert upstream == want, "activeColor=%s (%s) but %s routes to %s" % (active, want, path, upstream)


@item("7.1-gateway", "gateway answers healthy")
def test_gateway(target):
    need(target, "bluegreen_gateway")
    url = target.var("bluegreen_gateway")["url"]
    why = probes.judge_http("gateway %s" % url, probes.http_get(target, url), json_checks=["status == UP"])
    assert why is None, why


@item("7.1-monitoring", "monitoring answers (Prometheus, Grafana...)", critical=False)
def test_monitoring(target):
    need(target, "bluegreen_monitoring_urls")
    urls = target.var("bluegreen_monitoring_urls")
    if not urls:
        pytest.skip("not applicable: bluegreen_monitoring_urls is empty")
    bad = [why for why in (probes.judge_http(u, probes.http_get(target, u)) for u in urls) if why]
    assert not bad, "; ".join(bad)


@item("7.1-cert", "TLS certificate not expired nor within the critical days")
def test_certificate_critical(target):
    certificate_days(target, critical=True)


@item("7.1-cert-renew", "TLS certificate not within the renewal-warning days", critical=False)
def test_certificate_warn(target):
    certificate_days(target, critical=False)
