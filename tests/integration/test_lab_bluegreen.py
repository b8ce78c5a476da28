# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 001's blue-green deploy on the lab's docker-compose host, under load through the
nginx gateway (fresh connection per request): no request may fail, both versions answer,
the new one at the end. Then the same deploy killed (SIGKILL) right after the switch, and
run again: it converges, still without a failed request."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from labvars import LAB, WEB_ROOT, container
from loadclient import LoadClient

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = LAB["lab_web_gateway_port"]


def deploy_state():
    with open(os.path.join(WEB_ROOT, "deploy-state.json")) as f:
        return json.load(f)


def other_tag():
    return "v1" if deploy_state().get("beTag") == "v2" else "v2"


def test_full_deploy_under_load_loses_no_request(lab, run_playbook):
    before = deploy_state()
    tag = other_tag()
    with LoadClient(GATEWAY, path="/api/actuator/info", field="app.version") as load:
        run = run_playbook("playbooks/deploy-blue-green.yml", extravars=dict(LAB, phase="full", be_tag=tag))
        load.wait_for(5000)
    s = load.summary()
    assert run.status == "successful", run.stdout
    assert s["failed"] == 0 and s["server_errors"] == 0, s
    assert s["sent"] >= 5000, s
    assert set(s["releases"]) == {before.get("beTag") or "v1", tag}, s
    assert s["last_release"] == tag, s
    after = deploy_state()
    assert after["activeColor"] != before["activeColor"]
    assert after["phase"] == "idle" and after["beTag"] == tag
    print("blue-green full deploy under load:", s)


def test_deploy_killed_after_the_switch_converges_on_rerun(lab, run_playbook, docker):
    before = deploy_state()
    tag = other_tag()
    new_color = "green" if before["activeColor"] == "blue" else "blue"
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    args = ["ansible-playbook", "-i", "inventories/lab", "playbooks/deploy-blue-green.yml",
            "-e", json.dumps(dict(LAB, phase="full", be_tag=tag))]
    with LoadClient(GATEWAY, path="/api/actuator/info", field="app.version") as load:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while load.last_release != tag and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        # SIGKILL the playbook, and the module it runs on the host (a `docker exec`'d process
        # outlives its client; over SSH the session's end would take it down).
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        docker("exec", container("web"), "pkill", "-9", "-f", "python3")
        killed = deploy_state()
        rerun = run_playbook("playbooks/deploy-blue-green.yml", extravars=dict(LAB, phase="full", be_tag=tag))
        load.wait_for(5000)
    s = load.summary()
    assert killed["activeColor"] == before["activeColor"]     # killed before it could record
    assert rerun.status == "successful", rerun.stdout
    assert s["failed"] == 0 and s["server_errors"] == 0, s
    assert s["last_release"] == tag, s
    final = deploy_state()
    assert final["activeColor"] == new_color and final["phase"] == "idle" and final["beTag"] == tag
    running = docker("ps", "--filter", "label=com.docker.compose.project=%sweb" % LAB["lab_prefix"].replace("-", ""),
                     "--format", "{{.Label \"com.docker.compose.service\"}}").split()
    assert running == ["backend-%s" % new_color], running
    print("killed after the switch, then re-run:", s)
