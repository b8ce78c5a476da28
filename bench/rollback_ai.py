"""Benchmark: playbooks/rollback-ai.yml against the operator's rollback.sh on a seed-004
server as found (lab/tasks/refit_ai_server.yml: Capistrano's revisions.log, no state of
ours, bad releases newer than the good one by mtime).

For each break - a release that exits at start, one that accepts and never answers, one
whose health answers 500 after 2 s - and for each contender, from the same start:
  reset: the good release live, no release-state.json of ours, no budget spent
  the CD deploys the bad release (relative ln -sfn, pm2 reload, a line in revisions.log)
  a load client (fresh connection per request) starts with the contender and reports
  time to healthy (first answer of the good release) and failed requests (no answer or 5xx)
  until the good release answers for 3 s in a row, or a cap.
The operator's script (bench/operator_rollback.sh) runs in the container as ec2-user, as it
would over SSH; the playbook runs from here over `docker exec` (community.docker.docker).
No notifications on either side (the webhook is left empty). One run on a noisy machine:
read the ratios, not the seconds.

    eval "$(scripts/setup.sh | grep ^export)"; python bench/rollback_ai.py [--mitogen]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, mitogen_env, sh

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from loadclient import LoadClient  # noqa: E402  pylint: disable=wrong-import-position

HOST = "oncall-bench-refit"
PORT = 18470
APP_DIR = "/srv/refit-ai"
GOOD = "20261120090000"
BREAKS = {"exits at start": "20261127140000", "never answers": "20261128160000",
          "slow 500": "20261201100000"}
CAP_S = 60              # a contender that has not recovered by then never will


def docker(*args, check=True):
    return subprocess.run(("docker",) + args, check=check, capture_output=True, text=True)


def as_app_user(*argv, check=True):
    return docker("exec", "-u", "ec2-user", "-w", APP_DIR, HOST, *argv, check=check)


def inventory(tmp):
    path = os.path.join(tmp, "inventory.yml")
    with open(path, "w") as f:
        json.dump({"ai_service": {"hosts": {HOST: {
            "ansible_connection": "community.docker.docker",
            "ansible_python_interpreter": "/usr/bin/python3",
            "pm2_app_name": "refit-ai", "pm2_app_dir": APP_DIR, "pm2_app_user": "ec2-user",
            "pm2_app_health_url": "http://127.0.0.1:%d/actuator/health" % PORT,
            "pm2_app_health_delay": 0.5}}}}, f)
    return path


def bring_up(tmp):
    docker("rm", "-f", HOST, check=False)
    docker("run", "-d", "--name", HOST, "--network", "host", "oncall-runbooks/node-pm2:latest",
           "sleep", "infinity")
    play = os.path.join(tmp, "stage.yml")
    with open(play, "w") as f:
        f.write("- hosts: ai_service\n  gather_facts: false\n  tasks:\n"
                "    - ansible.builtin.import_tasks: %s/lab/tasks/refit_ai_server.yml\n"
                "      vars: {refit_port: %d}\n" % (ROOT, PORT))
    sh("ansible-playbook", "-i", inventory(tmp), play)


def reset():
    """The good release live and healthy, nothing of ours on the server."""
    as_app_user("rm", "-f", "release-state.json", "rollback-budget.json")
    as_app_user("ln", "-sfn", "releases/" + GOOD, "current")
    as_app_user("pm2", "reload", "refit-ai")
    wait_for_release(GOOD, 30)


def break_with(release):
    """What the CD does: switch, reload, log the deploy."""
    as_app_user("ln", "-sfn", "releases/" + release, "current")
    as_app_user("pm2", "reload", "refit-ai", check=False)
    as_app_user("sh", "-c", 'echo "Branch main (at bench) deployed as release $0 by deploy" '
                '>> revisions.log', release)
    time.sleep(1)


def wait_for_release(release, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = subprocess.run(["curl", "-s", "-m", "1", "http://127.0.0.1:%d/actuator/health" % PORT],
                             capture_output=True, text=True, check=False).stdout
        if '"release":"%s"' % release in out:
            return
        time.sleep(0.2)
    raise SystemExit("the good release never came back during reset")


def contend(cmd, env=None):
    """Run `cmd` under load; return (time to healthy or None, failed requests, exit code)."""
    with LoadClient(PORT, path="/actuator/health", threads=2, timeout=3) as load:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
        healthy_at = None
        while time.monotonic() - start < CAP_S:
            seen = load.first_seen.get(GOOD)
            if seen is not None and healthy_at is None:
                healthy_at = seen - (start - load.started)
            done = proc.poll() is not None
            if healthy_at is not None and time.monotonic() - start > healthy_at + 3 and done:
                break
            if healthy_at is None and done and time.monotonic() - start > exited_at(proc, start) + 10:
                break       # gave up, and nothing came back in the 10 s after
            time.sleep(0.1)
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate()[0]
    summary = load.summary()
    failed = summary["failed"] + summary["server_errors"]
    return healthy_at, failed, proc.returncode, out


_EXITED = {}


def exited_at(proc, start):
    """Seconds from `start` at which `proc` was first seen finished."""
    return _EXITED.setdefault(proc.pid, time.monotonic() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mitogen", action="store_true",
                        help="also run the playbook on Mitogen's strategy (docs/mitogen.md)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bring_up(tmp)
        docker("cp", os.path.join(ROOT, "bench", "operator_rollback.sh"), HOST + ":/tmp/rollback.sh")
        contenders = {
            "rollback.sh": ["docker", "exec", "-u", "ec2-user", HOST, "bash", "/tmp/rollback.sh",
                            APP_DIR, "refit-ai", str(PORT)],
            "rollback-ai.yml": ["ansible-playbook", "-i", inventory(tmp), "playbooks/rollback-ai.yml"],
        }
        envs = {}
        if args.mitogen:
            contenders["rollback-ai.yml+mitogen"] = contenders["rollback-ai.yml"] + ["-e", "ansible_connection=docker"]
            envs["rollback-ai.yml+mitogen"] = mitogen_env()
        rows = []
        try:
            for name, bad in BREAKS.items():
                for who, cmd in contenders.items():
                    reset()
                    break_with(bad)
                    healthy_at, failed, rc, out = contend(cmd, envs.get(who))
                    rows.append({"break": name, "contender": who, "rc": rc, "failed": failed,
                                 "time_to_healthy_s": round(healthy_at, 1) if healthy_at is not None else None})
                    when = "%.1f s" % healthy_at if healthy_at is not None else "never (cap %d s)" % CAP_S
                    print("%-15s %-16s rc=%-4s failed=%-6d healthy after %s" % (name, who, rc, failed, when),
                          file=sys.stderr)
                    if rc not in (0, None) and who.startswith("rollback-ai.yml"):
                        print(out[-2000:], file=sys.stderr)
        finally:
            docker("rm", "-f", HOST, check=False)
    for name in BREAKS:
        script, *plays = [r for r in rows if r["break"] == name]
        for play in plays:
            if script["time_to_healthy_s"] and play["time_to_healthy_s"]:
                play["ratio_to_script"] = round(play["time_to_healthy_s"] / script["time_to_healthy_s"], 2)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
