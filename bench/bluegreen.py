"""Benchmark: `deploy-blue-green.yml -e phase=full` vs seed 001's manual method, its own
commands (bench/manual_bluegreen.sh: env files sourced, new colour up, NGINX_BACKEND_HOST
edited, `up -d` of the gateway, old colour stopped), alternating on the same seed-001 layout
(a lab of its own); time, and the requests that failed under load through the gateway.

    eval "$(scripts/setup.sh | grep ^export)"; python bench/bluegreen.py --rounds 3 [--mitogen]

The post-switch watch and the scale-down delay are set to 0 for the playbook: the manual
method has neither, the comparison is of the mechanics, not of waiting.
"""
import argparse
import json
import os
import statistics
import sys
import time

from benchlib import ROOT, lab, sh
from benchlib import playbook as run_playbook

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from loadclient import LoadClient  # noqa: E402  pylint: disable=wrong-import-position

LAB = dict(lab("oncall-bench", 18440), bluegreen_watch_seconds=0, bluegreen_scale_down_delay=0)
WEB = "oncall-bench-web"
WEB_ROOT = "/var/tmp/oncall-runbooks/oncall-bench/web_project"


def playbook(path, mitogen=False, **extra):
    if mitogen:     # Mitogen's docker transport takes ansible_host as written, unrendered ({{ lab_prefix }}-web)
        extra["ansible_host"] = WEB
    return run_playbook(path, dict(LAB, **extra), mitogen=mitogen)


def next_tag():
    with open(os.path.join(WEB_ROOT, "deploy-state.json")) as f:
        return "v1" if json.load(f).get("beTag") == "v2" else "v2"


def timed_under_load(fn):
    with LoadClient(LAB["lab_web_gateway_port"], path="/api/actuator/info", field="app.version") as load:
        start = time.monotonic()
        fn()
        took = time.monotonic() - start
    return took, load.summary()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mitogen", action="store_true",
                        help="run the playbook on Mitogen's strategy (docs/mitogen.md)")
    args = parser.parse_args()
    playbook("lab/up.yml")
    try:
        sh("docker", "cp", os.path.join(ROOT, "bench", "manual_bluegreen.sh"), WEB + ":/tmp/manual_bluegreen.sh")
        runs = {"playbook": [], "manual": []}
        failed = {"playbook": 0, "manual": 0}
        sent = {"playbook": 0, "manual": 0}
        project = LAB["lab_prefix"].replace("-", "") + "web"
        health = "http://127.0.0.1:%s/api/actuator/health"
        for i in range(args.rounds):
            tag = next_tag()
            took, load = timed_under_load(lambda: playbook("playbooks/deploy-blue-green.yml", mitogen=args.mitogen,
                                                           phase="full", be_tag=tag))
            print("round %d: playbook's load: %s" % (i + 1, json.dumps(load)), file=sys.stderr)
            runs["playbook"].append(took)
            failed["playbook"] += load["failed"] + load["server_errors"]
            sent["playbook"] += load["sent"]
            tag = next_tag()
            took, load = timed_under_load(lambda: sh(
                "docker", "exec", WEB, "bash", "/tmp/manual_bluegreen.sh", WEB_ROOT, project, project + "_gateway",
                tag, health % LAB["lab_web_gateway_port"], health % LAB["lab_web_blue_port"],
                health % LAB["lab_web_green_port"]))
            runs["manual"].append(took)
            failed["manual"] += load["failed"] + load["server_errors"]
            sent["manual"] += load["sent"]
            print("round %d: playbook %.1fs, manual %.1fs (manual's load: %s)"
                  % (i + 1, runs["playbook"][-1], runs["manual"][-1], json.dumps(load)), file=sys.stderr)
        ratios = [p / b for p, b in zip(runs["playbook"], runs["manual"])]
        print(json.dumps({
            "rounds": args.rounds,
            "mitogen": args.mitogen,
            "playbook_median_s": round(statistics.median(runs["playbook"]), 2),
            "manual_median_s": round(statistics.median(runs["manual"]), 2),
            "median_ratio": round(statistics.median(ratios), 2),
            "target_ratio": 1.5,
            "requests_under_load": sent,
            "failed_requests": failed,
        }, indent=2))
    finally:
        playbook("lab/down.yml")


if __name__ == "__main__":
    main()
