# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The production path over real SSH: inventories/production.example's connection settings
(ansible.builtin.ssh, key only, ec2-user + sudo, StrictHostKeyChecking=yes against the
inventory's own known_hosts) against a container running a real OpenSSH server
(images/ai-ssh) on 127.0.0.1, with seed 004's AI service under ec2-user's PM2.

Keys are made here at run time; the host key's fingerprint is read out of band (docker exec,
as an operator reads it from the EC2 console) and playbooks/ssh-known-hosts.yml records the
key only when the server offers exactly that one. The inventory is production.example's
group_vars copied as they are, with a hosts.yml that differs only in address, port, key file
and the app's port (plus a control-socket directory per inventory, so that one test's
persistent SSH connection is never reused by another)."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "inventories" / "production.example"
SSH_PORT, AI_PORT, SUDO_SSH_PORT = 18900, 18901, 18902
HOST = "oncall-ssh-ai"
SUDO_HOST = "oncall-ssh-sudo"
IMAGE = "oncall-runbooks/ai-ssh:latest"


def _sh(*argv, **kw):
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, **kw).stdout


def _wait_port(port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"SSH-2.0-"):
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("sshd on 127.0.0.1:%d did not answer" % port)


def _start(name, port, pubkey, sudo_mode="nopasswd"):
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    _sh("docker", "run", "-d", "--name", name, "--network", "host", "--label", "oncall-runbooks.test=ssh",
        "-e", "SSH_PORT=%d" % port, "-e", "SSH_AUTHORIZED_KEYS=" + pubkey, "-e", "SUDO_MODE=" + sudo_mode, IMAGE)
    _wait_port(port)


def _fingerprint_out_of_band(name):
    """SHA256:... of the container's ed25519 host key, read through docker exec."""
    return _sh("docker", "exec", name, "ssh-keygen", "-l", "-E", "sha256", "-f",
               "/etc/ssh/ssh_host_ed25519_key.pub").split()[1]


def _keygen(path):
    _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path))
    return path.with_suffix(".pub").read_text().strip()


class Site:
    """Keys, containers and inventories of this file's tests."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.key = tmp / "keys" / "oncall"
        self.wrong_key = tmp / "keys" / "other"
        self.key.parent.mkdir()
        self.pubkey = _keygen(self.key)
        _keygen(self.wrong_key)
        self.fingerprint = None

    def inventory(self, name, port=SSH_PORT, key=None, fingerprint=None, known_hosts_from=None):
        """An inventory directory like production.example: its group_vars as they are, and a
        hosts.yml with ai-prod-1 at 127.0.0.1:<port>."""
        inv = self.tmp / name
        shutil.copytree(PROD / "group_vars", inv / "group_vars")
        hosts = {"all": {"children": {"ai_service": {"hosts": {"ai-prod-1": {
            "ansible_host": "127.0.0.1",
            "ansible_port": port,
            "ansible_ssh_private_key_file": str(key or self.key),
            "ssh_host_key_fingerprint": fingerprint or self.fingerprint,
            "ansible_control_path_dir": str(self.tmp / ("cp-" + name)),   # outside: not inventory
            "pm2_app_health_url": "http://127.0.0.1:%d/actuator/health" % AI_PORT,
            "pm2_app_health_delay": 0.5,
        }}}}}}
        (inv / "hosts.yml").write_text("---\n" + yaml.safe_dump(hosts, sort_keys=False))
        if known_hosts_from is not None:
            shutil.copy(known_hosts_from / "known_hosts.txt", inv / "known_hosts.txt")
        return inv


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, check=False).returncode:
        pytest.fail("image %s is missing: run scripts/setup.sh (or scripts/test.sh build)" % IMAGE)
    s = Site(tmp_path_factory.mktemp("ssh"))
    _start(HOST, SSH_PORT, s.pubkey)
    s.fingerprint = _fingerprint_out_of_band(HOST)
    s.good = s.inventory("inv-good")
    yield s
    for name in (HOST, SUDO_HOST):
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


def _unreachable(run):
    return [e["event_data"]["res"]["msg"] for e in run.events if e["event"] == "runner_on_unreachable"]


def _failed(run):
    return [(e["event_data"]["task"], e["event_data"]["res"].get("msg", ""))
            for e in run.events if e["event"] == "runner_on_failed" and not e["event_data"].get("ignore_errors")]


def test_known_hosts_records_only_a_verified_key(site, run_playbook):
    wrong = site.inventory("inv-wrong-fp", fingerprint="SHA256:" + "A" * 43)
    refused = run_playbook("playbooks/ssh-known-hosts.yml", inventory=str(wrong))
    assert refused.status == "failed"
    msgs = [msg for _task, msg in _failed(refused)]
    assert len(msgs) == 1 and "not the verified SHA256:" + "A" * 43 in msgs[0], msgs
    assert site.fingerprint in msgs[0]                           # what the server really offers
    assert not (wrong / "known_hosts.txt").exists()                  # nothing recorded

    first = run_playbook("playbooks/ssh-known-hosts.yml", inventory=str(site.good))
    assert first.status == "successful", first.stdout
    assert first.changed() == 1
    line = (site.good / "known_hosts.txt").read_text().strip()
    assert line.startswith("[127.0.0.1]:%d ssh-ed25519 " % SSH_PORT), line
    offered = _sh("docker", "exec", HOST, "cat", "/etc/ssh/ssh_host_ed25519_key.pub").split()[1]
    assert line.split()[2] == offered

    again = run_playbook("playbooks/ssh-known-hosts.yml", inventory=str(site.good))
    assert again.status == "successful", again.stdout
    assert again.changed() == 0


def test_rollback_over_ssh_repairs_a_broken_release(site, run_playbook, docker):
    stage = run_playbook("tests/integration/playbooks/stage-ai-ssh.yml", inventory=str(site.good),
                         extravars={"ssh_test_ai_port": AI_PORT})
    assert stage.status == "successful", stage.stdout
    deploy = run_playbook("playbooks/deploy-ai.yml", inventory=str(site.good), extravars={"release": "v2"})
    assert deploy.status == "successful", deploy.stdout
    assert docker("exec", HOST, "readlink", "/srv/ai-service/current").strip() == "/srv/ai-service/releases/v2"

    docker("exec", HOST, "sh", "-c", "echo 500 > /srv/ai-service/releases/v2/BROKEN")     # the drill
    rollback = run_playbook("playbooks/rollback-ai.yml", inventory=str(site.good))
    assert rollback.status == "successful", rollback.stdout
    result = rollback.results("Roll back and verify health")[0]
    assert (result["previous"], result["release"], result["action"]) == ("v2", "v1", "rolled_back")
    assert docker("exec", HOST, "readlink", "/srv/ai-service/current").strip() == "/srv/ai-service/releases/v1"
    with socket.create_connection(("127.0.0.1", AI_PORT), timeout=5) as sock:
        sock.sendall(b"GET /actuator/health HTTP/1.0\r\n\r\n")
        answer = sock.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 200") and '"release":"v1"' in answer, answer
    # PM2 runs as ec2-user (became through sudo over SSH), not as root
    procs = [(p["name"], p["pm2_env"]["username"], p["pm2_env"]["status"])
             for p in json.loads(docker("exec", "-u", "ec2-user", HOST, "pm2", "jlist"))]
    assert procs == [("ai-service", "ec2-user", "online")] * 2, procs

    again = run_playbook("playbooks/rollback-ai.yml", inventory=str(site.good))
    assert again.status == "successful", again.stdout
    assert again.changed() == 0
    assert "Healthy: nothing to do, nothing changed." in again.stdout

    logs = subprocess.run(["docker", "logs", HOST], capture_output=True, text=True, check=True)
    assert "Accepted publickey for ec2-user from 127.0.0.1" in logs.stderr     # it really was SSH


def _checklist(inv, *extra):
    endpoints = json.dumps({"health_check_endpoints": [
        {"name": "ai-service health", "url": "http://127.0.0.1:%d/actuator/health" % AI_PORT,
         "json_checks": ["status == UP"]}]})
    run = subprocess.run([sys.executable, "-m", "tests.checklists", "daily", "-i", str(inv), "-g", "ai_service",
                          "-e", endpoints, *extra], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    return run.returncode, run.stdout + run.stderr


def test_checklist_over_paramiko_checks_host_keys(site):
    """The daily checklist reaches the host with testinfra's paramiko backend, trusting only
    the inventory's known_hosts (after the rollback above: healthy, 2 instances)."""
    rc, out = _checklist(site.good)
    assert rc == 0, out
    assert "VERDICT: PASS (suite daily, group ai_service;" in out
    assert re.search(r"^ok +ai-prod-1 +1\.1-health +critical", out, re.M), out
    assert re.search(r"^ok +ai-prod-1 +1\.2-instances +P2\+", out, re.M), out

    unknown = site.inventory("inv-checklist-no-known-hosts")
    rc, out = _checklist(unknown)
    assert rc == 1, out
    assert ("cannot reach ai-prod-1 (paramiko://ec2-user@127.0.0.1:%d): SSHException: "
            "Server '[127.0.0.1]:%d' not found in known_hosts" % (SSH_PORT, SSH_PORT)) in out, out
    assert not (unknown / "known_hosts.txt").exists()


def test_wrong_key_is_unreachable(site, run_playbook):
    inv = site.inventory("inv-wrong-key", key=site.wrong_key, known_hosts_from=site.good)
    run = run_playbook("playbooks/rollback-ai.yml", inventory=str(inv))
    assert run.status == "failed"
    assert run.stats["dark"] == {"ai-prod-1": 1}
    msgs = _unreachable(run)
    assert len(msgs) == 1 and "ec2-user@127.0.0.1: Permission denied (publickey)" in msgs[0], msgs


def test_unknown_host_key_is_refused(site, run_playbook):
    inv = site.inventory("inv-no-known-hosts")            # no known_hosts: the key is unknown
    run = run_playbook("playbooks/rollback-ai.yml", inventory=str(inv))
    assert run.status == "failed"
    assert run.stats["dark"] == {"ai-prod-1": 1}
    msgs = _unreachable(run)
    assert len(msgs) == 1, msgs
    assert "No ED25519 host key is known for [127.0.0.1]:%d and you have requested strict checking" % SSH_PORT in msgs[0]
    assert "Host key verification failed" in msgs[0]
    assert not (inv / "known_hosts.txt").exists()              # nothing was accepted on first use


def test_sudo_that_wants_a_password_is_a_clear_error(site, run_playbook):
    _start(SUDO_HOST, SUDO_SSH_PORT, site.pubkey, sudo_mode="password")
    inv = site.inventory("inv-sudo", port=SUDO_SSH_PORT, fingerprint=_fingerprint_out_of_band(SUDO_HOST))
    recorded = run_playbook("playbooks/ssh-known-hosts.yml", inventory=str(inv))
    assert recorded.status == "successful", recorded.stdout
    # sudo to the user you already are asks for nothing (sudoers(5)); becoming root does
    run = run_playbook("tests/integration/playbooks/stage-ai-ssh.yml", inventory=str(inv),
                       extravars={"ssh_test_ai_port": AI_PORT})
    assert run.status == "failed"
    assert run.changed() == 0
    failed = _failed(run)
    assert failed == [("Create the app user (seed 004 runs as ec2-user)", "Task failed: Missing sudo password")], failed
    assert subprocess.run(["docker", "exec", SUDO_HOST, "test", "-e", "/srv/ai-service"], check=False).returncode == 1
