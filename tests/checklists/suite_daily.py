# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 000 section 1, the daily and weekly items a host can answer, for any service:

1.1 health: every endpoint of health_check_endpoints (the daily check's own list) answers
    its status and JSON checks; the bridge's `GET /` = 200 where flyio_app_url is set.
1.2 instances: at least checklist_min_instances (2, the seed's "2대 이상 running") of the
    PM2 app online; release: the deployed release is checklist_expected_release.
"""
from __future__ import annotations

import json
import posixpath
import shlex

import pytest

from tests.checklists import probes
from tests.checklists.common import need
from tests.checklists.plugin import item


@item("1.1-health", "health endpoints answer")
def test_health_endpoints(target):
    need(target, "health_check_endpoints")
    bad = []
    for endpoint in target.var("health_check_endpoints"):
        answer = probes.http_get(target, endpoint["url"], timeout=endpoint.get("timeout", 10),
                                 validate_certs=endpoint.get("validate_certs", True))
        why = probes.judge_http(endpoint.get("name", endpoint["url"]), answer,
                                status_codes=endpoint.get("status_codes", [200]),
                                json_checks=endpoint.get("json_checks", []))
        if why:
            bad.append(why)
    assert not bad, "; ".join(bad)


@item("1.1-bridge", "bridge GET / = 200")
def test_bridge_home(target):
    need(target, "flyio_app_url")
    url = target.var("flyio_app_url").rstrip("/") + "/"
    why = probes.judge_http("bridge %s" % url, probes.http_get(target, url))
    assert why is None, why


@item("1.2-instances", "enough app instances online", critical=False)
def test_instances(target, host):
    need(target, "pm2_app_name")
    name, user = target.var("pm2_app_name"), target.var("pm2_app_user", "") or host.user().name
    pm2_home = target.var("pm2_app_pm2_home", "") or posixpath.join(host.user(user).home, ".pm2")
    # pm2 with no daemon would start one (an empty one, for the wrong user): look first
    pid = host.file(posixpath.join(pm2_home, "pm2.pid"))
    alive = pid.exists and host.file("/proc/%s" % pid.content_string.strip()).is_directory
    assert alive, "no PM2 daemon runs for %s (PM2_HOME=%s)" % (user, pm2_home)
    command = "PM2_HOME=%s pm2 jlist" % shlex.quote(pm2_home)
    if user == host.user().name:
        res = host.run(command)
    elif host.user().name == "root":
        res = host.run("runuser -u %s -- /bin/sh -c %s", user, command)
    else:
        with host.sudo(user):
            res = host.run(command)
    assert res.rc == 0, "pm2 jlist as %s failed: %s" % (user, res.stderr.strip()[-300:])
    try:
        procs = json.loads(res.stdout[res.stdout.index("["):])
    except ValueError:
        raise AssertionError("pm2 jlist printed no JSON list") from None
    online = sum(1 for p in procs if p.get("name") == name and p.get("pm2_env", {}).get("status") == "online")
    want = int(target.var("checklist_min_instances", 2))
    assert online >= want, "%d instance(s) of %s online, want at least %d" % (online, name, want)


@item("1.2-release", "deployed release is the expected one", critical=False)
def test_release(target, host):
    need(target, "pm2_app_dir", "checklist_expected_release")
    current = posixpath.join(target.var("pm2_app_dir"), "current")
    link = host.file(current)
    if not link.is_symlink:
        raise AssertionError("%s is not a symlink to a release" % current)
    live = posixpath.basename(link.linked_to.rstrip("/"))
    want = str(target.var("checklist_expected_release"))
    if not want:
        pytest.skip("not applicable: checklist_expected_release is empty")
    assert live == want, "release %s is live, expected %s" % (live, want)
