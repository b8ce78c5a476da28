# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 001 §4's schedule on the lab: the weekly and monthly playbooks (run once by lab up,
as on a server in service) change nothing when run again; the MySQL backup is on disk with a
valid checksum; an overdue job turns the daily check red, and the HTML report, opened in
headless Chromium, shows it; the monthly channel test reaches every channel, e-mail included."""
from __future__ import annotations

import email
import email.header
import gzip
import hashlib
import json
import subprocess
from pathlib import Path

from labvars import LAB, MONITORING_DIR, WEB_ROOT, container

WEB = container("web")
SMTP = container("smtp")


def records(method="GET"):
    import urllib.request
    req = urllib.request.Request("http://127.0.0.1:%d/_records" % LAB["lab_discord_port"], method=method)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read() or b"[]")


def test_weekly_maintenance_again_changes_nothing(lab, run_playbook):
    run = run_playbook("playbooks/weekly-maintenance.yml", extravars=LAB)
    assert run.status == "successful", run.stdout
    assert run.changed() == 0
    check = run_playbook("playbooks/weekly-maintenance.yml", extravars=dict(LAB, ansible_check_mode=True))
    assert check.status == "successful", check.stdout


def test_the_backup_is_on_disk_and_matches_its_checksum(lab):
    backups = sorted(Path(WEB_ROOT, "backups", "mysql").glob("web_project-*.sql.gz"))
    assert len(backups) == 1
    wanted = Path(str(backups[0]) + ".sha256").read_text().split()[0]
    assert hashlib.sha256(backups[0].read_bytes()).hexdigest() == wanted
    assert "(3,'linus')" in gzip.open(backups[0]).read().decode()


def test_an_overdue_job_turns_the_report_red_in_a_real_browser(lab, run_playbook, docker, tmp_path):
    tmp_path.chmod(0o755)
    report = dict(LAB, daily_check_report_dir=str(tmp_path))
    # the backup's last success, two days ago
    docker("exec", WEB, "python3", "-c",
           "import json, datetime; p = '/var/lib/oncall-runbooks/freshness.json'; s = json.load(open(p)); "
           "s['successes']['mysql_backup'] = (datetime.datetime.now(datetime.timezone.utc) - "
           "datetime.timedelta(days=2)).replace(microsecond=0).isoformat(); json.dump(s, open(p, 'w'))")
    red = run_playbook("playbooks/daily-check.yml", extravars=report)
    assert red.status == "failed"
    summary = json.loads((tmp_path / "report.json").read_text())["summary"]
    assert summary["failed"] == ["lab-web: scheduled job: mysql_backup"]

    dom = subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", "%s:/r:ro" % tmp_path,
                          "oncall-runbooks/chromium:latest", "--dump-dom", "file:///r/report.html"],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    assert '<div id="overall" class="banner fail"' in dom
    assert "1 check(s) FAILED" in dom
    failed_rows = [row for row in dom.split("<tr") if row.startswith(' class="fail"')]
    assert len(failed_rows) == 1 and "scheduled job: mysql_backup" in failed_rows[0] and "lab-web" in failed_rows[0]

    # the weekly run records the (still fresh) backup again: green, and the history shows both
    weekly = run_playbook("playbooks/weekly-maintenance.yml", extravars=LAB)
    assert weekly.status == "successful", weekly.stdout
    green = run_playbook("playbooks/daily-check.yml", extravars=report)
    assert green.status == "successful", green.stdout
    history = json.loads((tmp_path / "history.json").read_text())["runs"]
    assert [run["overall"] for run in history[:2]] == ["ok", "fail"]


def test_monthly_channel_test_reaches_every_channel_once(lab, run_playbook, docker, tmp_path):
    records("DELETE")
    before = docker("exec", SMTP, "sh", "-c", "cat /var/spool/smtp-sink/messages.jsonl 2>/dev/null || true")
    state = dict(LAB, controller_state_file=str(tmp_path / "freshness.json"))
    first = run_playbook("playbooks/monthly-maintenance.yml", extravars=state)
    assert first.status == "successful", first.stdout
    posted = records()
    assert sorted(r["service"] for r in posted) == ["discord", "slack"]
    assert all("monthly channel check" in json.dumps(r["payload"]) for r in posted)
    mail = docker("exec", SMTP, "cat", "/var/spool/smtp-sink/messages.jsonl")[len(before):]
    messages = [json.loads(line) for line in mail.splitlines()]
    assert len(messages) == 1 and messages[0]["to"] == ["devops-oncall@lab.test"]
    mail_message = email.message_from_string(messages[0]["data"])
    subject = str(email.header.make_header(email.header.decode_header(mail_message["Subject"])))
    assert subject == "Test alert: monthly channel check"
    assert mail_message["To"] == "devops-oncall@lab.test"
    again = run_playbook("playbooks/monthly-maintenance.yml", extravars=state)
    assert again.status == "successful" and again.changed() == 0
    assert len(records()) == 2


def prometheus(path):
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (LAB["lab_prometheus_port"], path), timeout=5) as resp:
        return json.loads(resp.read())


def test_a_target_down_and_its_alert_turn_the_daily_check_red(lab, run_playbook, tmp_path):
    """Real Prometheus and Alertmanager: a scrape target that does not answer (file_sd) makes
    the target down and TargetDown fire; the daily check names both."""
    import time
    tmp_path.chmod(0o755)
    down = Path(MONITORING_DIR, "targets", "down.json")
    closed = "127.0.0.1:%d" % (LAB["lab_grafana_loki_port"] + 1000)   # nothing listens there
    down.write_text(json.dumps([{"targets": [closed]}]))
    try:
        for _attempt in range(60):
            alerts = prometheus("/api/v1/alerts")["data"]["alerts"]
            if any(a["labels"].get("alertname") == "TargetDown" and a["state"] == "firing" for a in alerts):
                break
            time.sleep(1)
        else:
            raise AssertionError("TargetDown did not fire: %s" % alerts)
        red = run_playbook("playbooks/daily-check.yml", extravars=dict(LAB, daily_check_report_dir=str(tmp_path)))
        assert red.status == "failed"
        failed = json.loads((tmp_path / "report.json").read_text())["summary"]["failed"]
        assert "lab-monitoring: prometheus target services %s" % closed in failed
        assert "lab-monitoring: alert TargetDown" in failed
    finally:
        down.unlink()
