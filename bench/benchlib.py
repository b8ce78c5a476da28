"""Shared by the benchmarks: run commands and playbooks from the checkout's root."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the lab's names and ports are kept in one place, beside the integration tests
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import labvars  # noqa: E402  pylint: disable=wrong-import-position

lab = labvars.lab


def sh(*args):
    return subprocess.run(args, check=True, cwd=ROOT, capture_output=True, text=True)


def playbook(path, extravars):
    return sh("ansible-playbook", "-i", "inventories/lab", path, "-e", json.dumps(extravars))
