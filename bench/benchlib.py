"""Shared by the benchmarks: run commands and playbooks from the checkout's root."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*args):
    return subprocess.run(args, check=True, cwd=ROOT, capture_output=True, text=True)


def playbook(path, extravars):
    return sh("ansible-playbook", "-i", "inventories/lab", path, "-e", json.dumps(extravars))
