# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The main job's story on a lab of its own (another name and port, so a running lab of
yours is left alone): bring the lab up twice, run the daily check, break the service,
see the check fail with the reason, tear the lab down."""
from __future__ import annotations

import re

import pytest

LAB = {"lab_prefix": "oncall-itest", "lab_ai_port": 18282}


@pytest.fixture(scope="module")
def lab(run_playbook):
    first = run_playbook("lab/up.yml", extravars=LAB)
    yield first
    run_playbook("lab/down.yml", extravars=LAB)


def test_lab_comes_up_and_second_run_changes_nothing(lab, run_playbook, docker):
    assert lab.status == "successful", lab.stdout
    assert lab.changed() >= 1
    again = run_playbook("lab/up.yml", extravars=LAB)
    assert again.status == "successful", again.stdout
    assert again.changed() == 0
    assert "oncall-itest-ai" in docker("ps", "--filter", "label=oncall-runbooks.lab=oncall-itest",
                                       "--format", "{{.Names}}")


def test_daily_check_reports_healthy_and_changes_nothing(lab, run_playbook):
    run = run_playbook("playbooks/daily-check.yml", extravars=LAB)
    assert run.status == "successful", run.stdout
    assert run.changed() == 0
    probes = run.results("Probe each endpoint")
    assert [p["status"] for p in probes] == [200, 200]
    assert all(p["healthy"] for p in probes)
    assert "OK        ai-service health  200" in run.stdout


def test_daily_check_fails_with_reason_when_service_is_broken(lab, run_playbook, docker):
    docker("exec", "oncall-itest-ai", "touch", "/var/lib/lab-app/broken")
    try:
        run = run_playbook("playbooks/daily-check.yml", extravars=LAB)
    finally:
        docker("exec", "oncall-itest-ai", "rm", "-f", "/var/lib/lab-app/broken")
    assert run.status == "failed"
    failed = [e["event_data"]["res"]["msg"] for e in run.events if e["event"] == "runner_on_failed"]
    assert len(failed) == 1
    assert re.fullmatch(r'1 of 2 endpoint\(s\) unhealthy: UNHEALTHY ai-service health  503  \d+ ms  '
                        r'status 503 \(expected 200\); status is "DOWN" \(wanted == "UP"\)', failed[0]), failed[0]


def test_lab_down_removes_every_lab_container(run_playbook, docker):
    run_playbook("lab/up.yml", extravars=LAB)
    down = run_playbook("lab/down.yml", extravars=LAB)
    assert down.status == "successful", down.stdout
    assert docker("ps", "-a", "--filter", "label=oncall-runbooks.lab=oncall-itest", "-q") == ""
