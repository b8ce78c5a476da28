# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checklists' pure helpers: how an answer is judged, how the inventory's SSH settings
are read (known_hosts, host key checking), -e parsing."""
from __future__ import annotations

import json

import pytest

from ansible_collections.oncall.runbooks.tests.checklists import probes, targets


def answer(status=200, body="", location=None, error=None):
    return {"status": status, "body": body, "location": location, "error": error}


def test_judge_http_accepts_the_wanted_answer():
    assert probes.judge_http("h", answer(body=json.dumps({"status": "UP"})), json_checks=["status == UP"]) is None
    assert probes.judge_http("T1", answer(302, location="https://x/login?next=/home"),
                             status_codes=[302, 303], location="/login") is None


@pytest.mark.parametrize("got, kwargs, reason", [
    (answer(500, body='{"status": "DOWN"}'), {"json_checks": ["status == UP"]},
     'ai health: status 500 (expected 200); status is "DOWN" (wanted == "UP")'),
    (answer(None, error="URLError: [Errno 111] Connection refused"), {},
     "ai health: URLError: [Errno 111] Connection refused"),
    (answer(200, body="<html>"), {"json_checks": ["status == UP"]}, "ai health: body is not JSON"),
    (answer(200), {"status_codes": [302], "location": "/login"},
     "ai health: status 200 (expected 302); Location None does not contain '/login'"),
])
def test_judge_http_names_what_is_wrong(got, kwargs, reason):
    assert probes.judge_http("ai health", got, **kwargs) == reason


def test_known_hosts_file_follows_the_inventory():
    assert targets._known_hosts_file({"ssh_known_hosts_file": "/inv/known_hosts"}) == "/inv/known_hosts"
    assert targets._known_hosts_file(
        {"ansible_ssh_common_args": "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/x/kh -o A=b"}) == "/x/kh"
    assert targets._known_hosts_file({}).endswith("/.ssh/known_hosts")


@pytest.mark.parametrize("variables, on", [
    ({}, True),
    ({"ansible_ssh_common_args": "-o StrictHostKeyChecking=yes"}, True),
    ({"ansible_ssh_common_args": "-o StrictHostKeyChecking=no"}, False),
    ({"ansible_ssh_host_key_checking": False}, False),
    ({"ansible_host_key_checking": "true"}, True),
])
def test_host_key_checking_is_on_unless_the_inventory_turns_it_off(variables, on):
    assert targets._host_key_checking(variables) is on


def test_extra_vars_as_ansible_playbook_takes_them(tmp_path):
    vars_file = tmp_path / "v.yml"
    vars_file.write_text("lab_prefix: x\nports: [1, 2]\n")
    got = targets.parse_extra_vars(["a=1 b=two", '{"c": {"d": 3}}', "@%s" % vars_file])
    assert got == {"a": "1", "b": "two", "c": {"d": 3}, "lab_prefix": "x", "ports": [1, 2]}
    with pytest.raises(targets.ChecklistError, match="No such file"):
        targets.parse_extra_vars(["@%s" % (tmp_path / "missing.yml")])
    with pytest.raises(targets.ChecklistError, match="is not valid JSON/YAML"):
        targets.parse_extra_vars(["{[1, 2]: 3}"])
    list_file = tmp_path / "list.yml"
    list_file.write_text("[1, 2]\n")
    with pytest.raises(targets.ChecklistError, match="want key=value, a mapping or @file of one"):
        targets.parse_extra_vars(["@%s" % list_file])
