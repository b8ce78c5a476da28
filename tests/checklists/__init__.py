# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seeds' checklists as testinfra suites, run against an Ansible inventory group:

    python -m tests.checklists <suite> -i <inventory> -g <group> [-e k=v | -e @vars.yml]
    scripts/checklist.sh <suite> <inventory> <group> [more options]

Suites (suite_<name>.py): predeploy and postdeploy (seed 001 section 7), daily (seed 000
section 1), smoke (seed 003 section 6, Quick 7). Each host is reached the way the inventory
says: ansible.builtin.ssh -> testinfra's paramiko backend (host keys checked against the
inventory's known_hosts), community.docker.docker -> testinfra's docker backend, local ->
local. The verdict follows seed 003 section 6 (verdict.py). See docs/production.md.

Not collected by the unit tests (pytest.ini's testpaths is tests/unit) and not named
test_*.py: a suite only makes sense against hosts.
"""
