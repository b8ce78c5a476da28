# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration tests: the project's playbooks run through ansible-runner (as AWX runs them)
against real containers. They need what scripts/setup.sh provides (Docker engine, images,
ANSIBLE_COLLECTIONS_PATH); scripts/test.sh runs them after setup."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sys

import ansible_runner
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))   # loadclient, labvars

from labvars import LAB  # noqa: E402


class Run:
    """What one ansible-runner run did: status, per-host stats, and its task events."""

    def __init__(self, runner):
        self.status = runner.status
        self.rc = runner.rc
        self.stats = runner.stats or {}
        self.events = [e for e in runner.events if e.get("event", "").startswith("runner_on_")]
        self.stdout = runner.stdout.read()

    def changed(self):
        return sum(self.stats.get("changed", {}).values())

    def results(self, task_name):
        """Module results of a task, one per host (or per item for a loop)."""
        out = []
        for e in self.events:
            res = e["event_data"].get("res")
            if e["event_data"].get("task") == task_name and res is not None:
                out.extend(res["results"] if "results" in res else [res])
        return out


@pytest.fixture(scope="session")
def run_playbook(tmp_path_factory):
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH") or shutil.which("docker") is None:
        pytest.fail("run through scripts/test.sh (or after scripts/setup.sh): "
                    "ANSIBLE_COLLECTIONS_PATH and docker are needed")

    def run(playbook, inventory="inventories/lab", extravars=None, envvars=None):
        pdd = tmp_path_factory.mktemp("runner")
        runner = ansible_runner.run(
            private_data_dir=str(pdd), project_dir=str(ROOT), playbook=str(ROOT / playbook),
            inventory=str(ROOT / inventory), extravars=extravars or {}, quiet=True,
            envvars=dict(envvars or {}, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                         ANSIBLE_COLLECTIONS_PATH=os.environ["ANSIBLE_COLLECTIONS_PATH"]))
        return Run(runner)
    return run


@pytest.fixture(scope="session")
def lab(run_playbook):
    """The lab, brought up once for the session and torn down at its end."""
    first = run_playbook("lab/up.yml", extravars=LAB)
    yield first
    run_playbook("lab/down.yml", extravars=LAB)


@pytest.fixture(scope="session")
def docker():
    """Run the docker CLI; return its stdout."""
    def run(*args):
        return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout
    return run


# Run after the other lab tests: the AWX job templates change the lab (deploys, a Fly.io
# emergency stop and restore); test_lab_down.py tears the lab down, whatever the files' names.
LAST = {"test_awx_job_templates.py": 1, "test_lab_down.py": 2}


def pytest_collection_modifyitems(items):
    """Order: the other tests, the AWX job templates, the lab's teardown (a stable sort)."""
    items.sort(key=lambda item: LAST.get(item.fspath.basename, 0))
