# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ansible-rulebook (Java 17) runs extensions/eda/rulebooks/alertmanager.yml with this
collection's Alertmanager source; Alertmanager v4 webhooks posted to it on 127.0.0.1 start the
right remediation once, and a burst of one alert starts it once (throttle).

The routing and de-duplication tests replace the remediation playbooks by recorders in a
temporary eda_playbook_dir. The last two run the real playbooks on the lab: a burst of 5xx
alerts about a broken release rolls the AI service back, and a burst of expiry alerts renews
the certificate the TLS gateway serves, each in one run.
Needs `ansible-rulebook` (ONCALL_ANSIBLE_RULEBOOK, else the one beside this Python, else PATH) and
java >= 17, both installed by scripts/setup.sh: without them the test fails, it never skips."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from labtls import served
from labvars import AFTER_LAB_PORT, LAB, container

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "alertmanager"
PORT = AFTER_LAB_PORT                # 18308 by default: beside this session's lab, never another's
PLAYBOOKS = ("incident-backend-health", "incident-cert-expiry", "rollback-ai")
SETUP_HINT = ("run the tests through scripts/test.sh (or run scripts/setup.sh and use its environment): "
              "it installs ansible-rulebook from requirements.txt and Java 17 (openjdk-17-jre-headless)")


def rulebook_bin():
    """ONCALL_ANSIBLE_RULEBOOK, else the ansible-rulebook of the virtualenv running pytest, else PATH's."""
    override = os.environ.get("ONCALL_ANSIBLE_RULEBOOK")
    if override:
        found = shutil.which(override)
        assert found, "ONCALL_ANSIBLE_RULEBOOK=%s is not an executable" % override
        return found
    beside = Path(sys.executable).parent / "ansible-rulebook"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("ansible-rulebook")
    assert found, "ansible-rulebook is missing (not beside %s nor on PATH); %s" % (sys.executable, SETUP_HINT)
    return found


def post(name, mutate=None):
    payload = json.loads((FIXTURES / name).read_text())
    if mutate:
        mutate(payload)
    req = urllib.request.Request("http://127.0.0.1:%d/alerts" % PORT, data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 202


def runs(log):
    return log.read_text().splitlines() if log.exists() else []


def wait_for(predicate, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def rulebook(tmp_path):
    """Starts the rulebook when the test calls it (so a missing tool fails the test itself)."""
    started = []

    def start(pdir=None, inventory=None):
        """Recorders and a local inventory unless given a playbook directory and an inventory."""
        binary = rulebook_bin()
        assert shutil.which("java"), "java is missing from PATH (ansible-rulebook needs Java 17); %s" % SETUP_HINT
        log = tmp_path / "runs.log"
        if pdir is None:
            pdir = tmp_path / "playbooks"
            pdir.mkdir()
            for name in PLAYBOOKS:
                (pdir / ("%s.yml" % name)).write_text(
                    "- name: Record %s\n  hosts: all\n  gather_facts: false\n  tasks:\n"
                    "    - name: Record the run\n      ansible.builtin.lineinfile:\n        path: %s\n        create: true\n"
                    "        line: \"%s {{ inventory_hostname }} {{ incident_detected_text | default('-') }} {{ 1000000 | random }}\"\n"
                    "      delegate_to: localhost\n" % (name, log, name))
        if inventory is None:
            inventory = tmp_path / "inventory.yml"
            inventory.write_text("all:\n  vars:\n    ansible_connection: local\n  hosts:\n    lab-web: {}\n    lab-gw: {}\n    lab-ai: {}\n")
        variables = tmp_path / "vars.yml"
        variables.write_text("eda_alertmanager_host: 127.0.0.1\neda_alertmanager_port: %d\neda_playbook_dir: %s\n" % (PORT, pdir))
        out = open(tmp_path / "rulebook.log", "w")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""),
                   ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
        proc = subprocess.Popen([binary, "-r", str(ROOT / "extensions/eda/rulebooks/alertmanager.yml"),
                                 "-i", str(inventory), "--vars", str(variables)], stdout=out, stderr=subprocess.STDOUT, env=env)
        started.append((proc, out))

        def up():
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % PORT, timeout=1) as resp:
                    return resp.status == 200
            except OSError:
                return proc.poll() is not None

        assert wait_for(up, 90) and proc.poll() is None, (tmp_path / "rulebook.log").read_text()
        return log, tmp_path / "rulebook.log"

    yield start
    for proc, out in started:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def test_each_alert_runs_its_remediation_once(rulebook):
    log, output = rulebook()

    def first_alert_only(payload):
        payload["alerts"] = payload["alerts"][:1]

    for dummy in range(5):                   # a burst of the same alert
        post("backend-firing.json", first_alert_only)
    post("cert-resolved.json")               # resolved: no rule
    post("cert-firing.json")
    post("cert-firing.json")
    post("ai-5xx-firing.json")
    post("ai-5xx-firing.json", lambda p: p["alerts"][0]["labels"].update(alertname="SomethingElse"))
    assert wait_for(lambda: len(runs(log)) >= 3, 90), output.read_text()[-3000:]
    time.sleep(8)                             # would a throttled duplicate still start?
    lines = runs(log)
    assert sorted(line.split()[0] for line in lines) == sorted(PLAYBOOKS), lines
    backend = next(line for line in lines if line.startswith("incident-backend-health"))
    assert backend.split()[1] == "lab-web"   # limited to the alert's instance, port removed
    assert "backend-blue fails /api/actuator/health" in backend
    assert next(line for line in lines if line.startswith("incident-cert-expiry")).split()[1] == "lab-gw"
    assert next(line for line in lines if line.startswith("rollback-ai")).split()[1] == "lab-ai"


def test_another_instance_is_not_throttled_by_the_first(rulebook):
    log, output = rulebook()
    post("backend-firing.json")              # blue and green instances: two groups
    post("backend-firing.json")
    assert wait_for(lambda: len(runs(log)) >= 2, 90), output.read_text()[-3000:]
    time.sleep(8)
    assert len(runs(log)) == 2
    assert {line.split()[3] for line in runs(log)} == {"backend-blue", "backend-green"}


def lab_inventory(dest):
    """inventories/lab with this session's lab names and ports (a rulebook passes no extra vars)."""
    shutil.copytree(ROOT / "inventories" / "lab", dest)
    all_vars = dest / "group_vars" / "all.yml"
    all_vars.write_text(yaml.safe_dump(dict(yaml.safe_load(all_vars.read_text()), **LAB)))
    return dest


def burst_runs_one_play(rulebook, tmp_path, fixture, instance, play, done):
    """Starts the rulebook on the real playbooks and the lab's inventory, posts a burst of 5 of the
    fixture's first alert about `instance`, waits until `done()` and a play recap, and checks that
    `play` ran once and failed nothing. Returns the rulebook's output."""
    dummy, output = rulebook(pdir=ROOT / "playbooks", inventory=lab_inventory(tmp_path / "inventory"))

    def first_alert_about_instance(payload):
        payload["alerts"] = payload["alerts"][:1]
        payload["alerts"][0]["labels"]["instance"] = instance

    for dummy in range(5):
        post(fixture, first_alert_about_instance)
    assert wait_for(lambda: done() and "PLAY RECAP" in output.read_text(), 240), output.read_text()[-4000:]
    time.sleep(8)                             # would a throttled duplicate still start?
    text = output.read_text()
    assert text.count("PLAY [%s]" % play) == 1, text[-4000:]
    assert "failed=0" in text.split("PLAY RECAP")[-1], text[-3000:]
    return text


def test_a_burst_of_5xx_alerts_rolls_the_lab_back_once(rulebook, lab, run_playbook, docker, tmp_path):
    """End to end on the lab: v2 deployed, then broken; five AIServiceHigh5xx alerts about lab-ai
    make the rulebook run the real rollback-ai.yml once, and v1 serves again."""
    assert lab.status == "successful", lab.stdout[-3000:]
    ai = container("ai")
    deploy = run_playbook("playbooks/deploy-ai.yml", extravars=dict(LAB, release="v2"))
    assert deploy.status == "successful", deploy.stdout[-3000:]
    docker("exec", ai, "sh", "-c", "echo 500 > /srv/ai-service/releases/v2/BROKEN")
    try:
        def live():
            return docker("exec", ai, "readlink", "/srv/ai-service/current").strip()

        burst_runs_one_play(rulebook, tmp_path, "ai-5xx-firing.json", "lab-ai:%d" % LAB["lab_ai_port"],
                            "Roll back the AI service", lambda: live() == "/srv/ai-service/releases/v1")
        state = json.loads(docker("exec", ai, "cat", "/srv/ai-service/release-state.json"))
        assert state["live"] == "v1" and "v2" in state["bad"], state
    finally:
        reset = run_playbook("lab/reset.yml", extravars=LAB)   # v2 repaired, marks forgotten, v1 live
        assert reset.status == "successful", reset.stdout[-3000:]


def test_a_burst_of_expiry_alerts_renews_the_lab_certificate_once(rulebook, lab, run_playbook, tmp_path):
    """End to end on the lab: five CertificateExpiringSoon alerts about lab-tls make the rulebook
    run the real incident-cert-expiry.yml once: the gateway serves a new certificate for the
    same names (read here with the ssl module)."""
    assert lab.status == "successful", lab.stdout[-3000:]
    before, names = served()[:2]
    try:
        text = burst_runs_one_play(rulebook, tmp_path, "cert-firing.json", "lab-tls:%d" % LAB["lab_tls_port"],
                                   "Certificate expiry incident", lambda: served()[0] != before)
        assert served()[1] == names
        assert "Certificate web.lab.test" in text, text[-3000:]
    finally:
        reset = run_playbook("lab/reset.yml", extravars=LAB)   # the renewal budget forgotten
        assert reset.status == "successful", reset.stdout[-3000:]
