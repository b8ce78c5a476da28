# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs last (file order): lab/down.yml removes every container of the lab, the compose
siblings its web host started included."""
from __future__ import annotations

from labvars import LAB


def test_lab_down_removes_every_lab_container(lab, run_playbook, docker):
    down = run_playbook("lab/down.yml", extravars=LAB)
    assert down.status == "successful", down.stdout
    assert docker("ps", "-a", "--filter", "label=oncall-runbooks.lab=%s" % LAB["lab_prefix"], "-q") == ""
    web = LAB["lab_prefix"].replace("-", "") + "web"
    for project in (web, web + "_gateway"):
        assert docker("ps", "-a", "--filter", "label=com.docker.compose.project=%s" % project, "-q") == ""
