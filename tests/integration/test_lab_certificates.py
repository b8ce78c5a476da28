# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 001 §5.5 on the lab: the gateway serves a certificate Pebble issued (lab up); the
incident playbook renews it, reloads nginx and confirms the new one is served; the daily
check's expiry watch passes and alerts only below its threshold.

What is served is read here with the ssl module and cryptography, not with our modules, so
the playbook's own confirmation is checked independently."""
from __future__ import annotations

import json
import urllib.request

from labtls import served
from labvars import LAB


def channel(method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d/_records" % LAB["lab_discord_port"], method=method)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read() or b"[]")


def test_gateway_serves_a_certificate_from_the_lab_ca(lab):
    fingerprint, names, cert = served()
    assert names == ["web.lab.test", "www.web.lab.test"]
    assert "Pebble" in cert.issuer.rfc4514_string()
    assert len(fingerprint) == 64


def test_incident_renews_reloads_and_the_new_certificate_is_served(lab, run_playbook):
    before, names = served()[:2]
    channel("DELETE")
    run = run_playbook("playbooks/incident-cert-expiry.yml", extravars=LAB)
    assert run.status == "successful", run.stdout
    after, names_after = served()[:2]
    assert after != before and names_after == names
    renewal = run.results("Certificate web.lab.test")
    assert renewal[0]["action"] == "renew" and renewal[0]["previous"]["serial"] != renewal[0]["certificate"]["serial"]
    posts = channel()
    assert len(posts) == 1
    assert "Certificate renewed and served: web.lab.test" in json.dumps(posts[0]["payload"])


def test_expiry_in_the_daily_check_warns_then_fails_by_threshold(lab, run_playbook):
    channel("DELETE")
    quiet = run_playbook("playbooks/daily-check.yml", extravars=LAB)
    assert quiet.status == "successful", quiet.stdout
    assert channel() == []
    # 90-day certificates: a 100-day warning threshold makes them amber, not a failure
    amber = run_playbook("playbooks/daily-check.yml", extravars=dict(LAB, certbot_watch_warn_days=100))
    assert amber.status == "successful", amber.stdout
    assert channel() == []
    assert "WARN" in amber.results("Where it is")[0]["msg"]
    # ...and a 100-day critical threshold a failure, alerted once
    red = run_playbook("playbooks/daily-check.yml",
                       extravars=dict(LAB, certbot_watch_warn_days=120, certbot_watch_critical_days=100))
    assert red.status == "failed"
    posts = channel()
    assert len(posts) == 1
    text = json.dumps(posts[0]["payload"])
    assert "Daily check: 2 check(s) failed" in text  # the lineage on disk and the served certificate
    assert "lab-tls: certificate: 127.0.0.1:%d (web.lab.test)" % LAB["lab_tls_port"] in text
