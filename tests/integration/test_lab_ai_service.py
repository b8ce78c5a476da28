# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The main job's story on a lab of its own (other names and ports, so a running lab of
yours is left alone), played through ansible-runner as AWX would, under load:

lab up (twice: the second changes nothing) -> daily check healthy -> deploy v2 under load
-> v2 breaks -> daily check names the failure -> rollback-ai.yml under load -> v1 serving,
no request failed during either reload -> v2 refused on re-deploy -> lab down.
"""
from __future__ import annotations

import re

from loadclient import LoadClient

from labvars import LAB, container

AI = container("ai")


def test_lab_comes_up_and_second_run_changes_nothing(lab, run_playbook, docker):
    assert lab.status == "successful", lab.stdout
    assert lab.changed() >= 1
    again = run_playbook("lab/up.yml", extravars=LAB)
    assert again.status == "successful", again.stdout
    assert again.changed() == 0
    names = docker("ps", "--filter", "label=oncall-runbooks.lab=%s" % LAB["lab_prefix"], "--format", "{{.Names}}")
    roles = ("acme", "ai", "alertmanager", "discord", "fly", "grafana-loki", "mysql", "prometheus", "redis", "smtp",
             "soul", "supabase", "tls", "web")
    assert sorted(names.split()) == [container(role) for role in roles]


def test_daily_check_reports_healthy_and_changes_nothing(lab, run_playbook):
    run = run_playbook("playbooks/daily-check.yml", extravars=LAB)
    assert run.status == "successful", run.stdout
    assert run.changed() == 0
    probes = run.results("Probe each endpoint")
    # ai-service health and home, TLS gateway, Fly.io bridge, Soul Lab API and front end, Supabase, web gateway
    assert [p["status"] for p in probes] == [200] * 9, probes
    assert "OK        ai-service health  200" in run.stdout


def test_bad_release_story_without_a_failed_request(lab, run_playbook, docker):
    with LoadClient(LAB["lab_ai_port"]) as deploy_load:
        deploy = run_playbook("playbooks/deploy-ai.yml", extravars=dict(LAB, release="v2"))
    assert deploy.status == "successful", deploy.stdout
    d = deploy_load.summary()
    assert d["failed"] == 0, d
    assert d["sent"] >= 2000, d
    assert d["statuses"] == {200: d["sent"]}, d
    assert d["last_release"] == "v2", d

    docker("exec", AI, "sh", "-c", "echo 500 > /srv/ai-service/releases/v2/BROKEN")
    check = run_playbook("playbooks/daily-check.yml", extravars=LAB)
    assert check.status == "failed"
    failed = [e["event_data"]["res"]["msg"] for e in check.events if e["event"] == "runner_on_failed"]
    assert failed == ["lab-ai: health: ai-service health; lab-ai: health: ai-service home"], failed
    verdicts = {v["check"]: v for r in check.results("Keep the verdicts for the report")
                for v in r["ansible_facts"]["daily_check_items"] if v["host"] == "lab-ai"}
    assert re.match(r'UNHEALTHY ai-service health  500  \d+ ms  status 500 \(expected 200\); status is "DOWN" '
                    r'\(wanted == "UP"\)', verdicts["health: ai-service health"]["detail"]), verdicts

    with LoadClient(LAB["lab_ai_port"]) as rollback_load:
        rollback = run_playbook("playbooks/rollback-ai.yml", extravars=LAB)
    assert rollback.status == "successful", rollback.stdout
    r = rollback_load.summary()
    assert r["failed"] == 0, r                      # no request lost during the reload
    assert r["sent"] >= 2000, r
    assert set(r["statuses"]) <= {200, 500}, r      # v2's 500s until the switch, then v1
    assert r["last_release"] == "v1", r
    result = rollback.results("Roll back and verify health")[0]
    assert (result["previous"], result["release"], result["action"]) == ("v2", "v1", "rolled_back")
    assert result["bad_releases"]["v2"]["reason"].startswith("P0: healthy == false")

    again = run_playbook("playbooks/deploy-ai.yml", extravars=dict(LAB, release="v2"))
    assert again.status == "failed"
    refusal = [e["event_data"]["res"]["msg"] for e in again.events if e["event"] == "runner_on_failed"]
    assert any("release v2 is marked bad" in msg for msg in refusal), refusal
    assert docker("exec", AI, "readlink", "/srv/ai-service/current").strip() == "/srv/ai-service/releases/v1"
    print("deploy v2 under load:", d)
    print("rollback-ai under load:", r)


def test_secrets_never_reach_the_output(lab, run_playbook):
    run = run_playbook("playbooks/rollback-ai.yml", extravars=LAB)      # healthy: reads PM2, changes nothing
    assert run.status == "successful", run.stdout
    assert run.changed() == 0
    assert "sk-lab-secret-value" not in run.stdout                     # PM2 env of the app
    assert "lab-token" not in run.stdout                               # the webhook URL
    assert "Healthy: nothing to do, nothing changed." in run.stdout
