# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pieces the suites share: applicability, the blue-green layout of seed 001, certificates."""
from __future__ import annotations

import json
import posixpath
import re

import pytest

from tests.checklists import probes

COLORS = ("blue", "green")


def need(target, *names):
    """Skip (not applicable) unless the host has every variable in `names`."""
    missing = [n for n in names if not target.has(n)]
    if missing:
        pytest.skip("not applicable: no %s for %s" % (", ".join(missing), target.name))


def bg_path(target, relative):
    return posixpath.join(target.var("bluegreen_server_root"), relative)


def deploy_state(target, host):
    """deploy-state.json of seed 001, parsed and checked; the failure names what is wrong."""
    path = bg_path(target, "deploy-state.json")
    state_file = host.file(path)
    assert state_file.exists, "%s is missing" % path
    try:
        state = json.loads(state_file.content_string)
    except ValueError as exc:
        raise AssertionError("%s is not JSON: %s" % (path, exc)) from None
    assert isinstance(state, dict) and state.get("activeColor") in COLORS, \
        "%s: activeColor is %r, expected blue or green" % (path, state.get("activeColor") if isinstance(state, dict) else state)
    return state


def gateway_upstream(target, host):
    """The backend address the gateway's upstream file names (reload mode), or None."""
    gateway = target.var("bluegreen_gateway", {})
    path = bg_path(target, gateway.get("upstream_file", "gateway/nginx/conf.d/upstream.conf"))
    conf = host.file(path)
    if not conf.exists:
        return None, path
    m = re.search(r"^\s*server\s+([^;\s]+)", conf.content_string, re.M)
    return (m.group(1) if m else ""), path


def health_url(target, color):
    return "http://%s%s" % (target.var("bluegreen_backends")[color],
                            target.var("bluegreen_health_path", "/api/actuator/health"))


def certificate_days(target, critical):
    """Check every served certificate of certbot_watch_endpoints against a minimum of days:
    certbot_watch_critical_days (critical item) or certbot_watch_warn_days (renewal due)."""
    need(target, "certbot_watch_endpoints")
    if critical:
        minimum = int(target.var("checklist_cert_critical_days", target.var("certbot_watch_critical_days", 7)))
    else:
        minimum = int(target.var("checklist_cert_warn_days", target.var("certbot_watch_warn_days", 21)))
    bad = []
    endpoints = target.var("certbot_watch_endpoints")
    if not endpoints:
        pytest.skip("not applicable: certbot_watch_endpoints is empty")
    for endpoint in endpoints:
        address, port, sni, label = probes.endpoint_label(endpoint)
        try:
            cert = probes.served_certificate(target, address, port, sni)
        except Exception as exc:  # pylint: disable=broad-except  # a failed handshake fails the item
            bad.append("%s: %s" % (label, exc))
            continue
        if cert["expired"]:
            bad.append("%s: certificate of %s EXPIRED on %s" % (label, cert["subject"], cert["not_after"]))
        elif cert["days_remaining"] < minimum:
            bad.append("%s: certificate of %s expires in %.1f days (%s), under %d"
                       % (label, cert["subject"], cert["days_remaining"], cert["not_after"], minimum))
    assert not bad, "; ".join(bad)
