"""Benchmark: playbooks/rollback-ai.yml vs a bare bash script doing the same PM2 steps.

Brings up a lab of its own (prefix oncall-bench, ports from 18440), then alternates:
  break: v2 live and answering 500  ->  time `ansible-playbook playbooks/rollback-ai.yml`
  break: v2 live and answering 500  ->  time bench/bare_rollback.sh in the same container
and reports each median and the median ratio (playbook / bare). Wall time from one run on
a noisy machine: read the ratio, not the seconds.

    eval "$(scripts/setup.sh | grep ^export)"; python bench/rollback_ai.py --rounds 5
"""
import argparse
import json
import os
import statistics
import sys
import time

from benchlib import ROOT, lab, sh
from benchlib import playbook as run_playbook

LAB = lab("oncall-bench", 18440)
HOST = "oncall-bench-ai"
APP = "/srv/ai-service"


def playbook(path):
    return run_playbook(path, LAB)


def as_app_user(script):
    return sh("docker", "exec", "-u", "ec2-user", "-e", "PM2_HOME=/home/ec2-user/.pm2", HOST,
              "bash", "-c", script)


def break_v2():
    """v2 live (switched the bare way, so both contenders start alike) and answering 500."""
    as_app_user("rm -f {a}/releases/v2/BROKEN; ln -sfn {a}/releases/v2 {a}/current.tmp && "
                "mv -T {a}/current.tmp {a}/current && pm2 reload ai-service >/dev/null && "
                "sleep 1 && echo 500 > {a}/releases/v2/BROKEN".format(a=APP))


def timed(fn):
    start = time.monotonic()
    fn()
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    playbook("lab/up.yml")
    try:
        playbook("lab/reset.yml")
        sh("docker", "cp", os.path.join(ROOT, "bench", "bare_rollback.sh"), HOST + ":/tmp/bare_rollback.sh")
        bare_cmd = "bash /tmp/bare_rollback.sh %s %d %d v1" % (APP, LAB["lab_ai_port"], LAB["lab_discord_port"])
        runs = {"playbook": [], "bare": []}
        for i in range(args.rounds):
            break_v2()
            runs["playbook"].append(timed(lambda: playbook("playbooks/rollback-ai.yml")))
            break_v2()
            runs["bare"].append(timed(lambda: as_app_user(bare_cmd)))
            print("round %d: playbook %.1fs, bare %.1fs" % (i + 1, runs["playbook"][-1], runs["bare"][-1]),
                  file=sys.stderr)
        ratios = [p / b for p, b in zip(runs["playbook"], runs["bare"])]
        report = {
            "rounds": args.rounds,
            "playbook_median_s": round(statistics.median(runs["playbook"]), 2),
            "bare_median_s": round(statistics.median(runs["bare"]), 2),
            "median_ratio": round(statistics.median(ratios), 2),
            "target_ratio": 1.5,
        }
        print(json.dumps(report, indent=2))
    finally:
        playbook("lab/down.yml")


if __name__ == "__main__":
    main()
