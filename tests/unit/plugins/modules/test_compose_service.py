# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""compose_service's decisions against a stand-in `docker` that records its calls and
answers `ps`/`inspect` from a JSON file (the real Docker engine and docker-compose run in
molecule/incident)."""
from __future__ import annotations

import json
import stat
import sys

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import compose_service

FAKE = '''#!%(python)s
import json, os, sys
argv = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(argv) + "\\n")
world = json.load(open(os.environ["FAKE_DOCKER_WORLD"]))
if argv[0] == "version":
    print("24.0.5"); sys.exit(0)
if argv[:2] == ["compose", "version"]:
    print("Docker Compose version v2.20.2"); sys.exit(0)
if argv[0] == "compose":
    if argv[-2:] == ["config", "--services"]:
        print("\\n".join(sorted(world))); sys.exit(0)
    if "up" in argv or "restart" in argv:
        services = [a for a in argv if a in world]
        for s in services or list(world):
            world[s] = [{"Id": "new-" + s, "Name": "/p-" + s + "-1", "State": {"Running": True, "Status": "running"},
                         "Config": {"Image": "img:1"}}]
        json.dump(world, open(os.environ["FAKE_DOCKER_WORLD"], "w"))
        sys.exit(0)
if argv[0] == "ps":
    service = [a.rsplit("=", 1)[1] for a in argv if a.startswith("label=com.docker.compose.service=")][0]
    print("\\n".join(c["Id"] for c in world.get(service, []))); sys.exit(0)
if argv[0] == "inspect":
    found = [c for cs in world.values() for c in cs if c["Id"] in argv[1:]]
    print(json.dumps(found)); sys.exit(0)
sys.exit(3)
'''


@pytest.fixture()
def docker(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "docker"
    script.write_text(FAKE % {"python": sys.executable})
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.jsonl"
    log.touch()
    world = tmp_path / "world.json"
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    monkeypatch.setenv("FAKE_DOCKER_WORLD", str(world))
    monkeypatch.setenv("PATH", "%s:%s" % (bindir, __import__("os").environ["PATH"]))

    class Docker:
        @staticmethod
        def set_world(data):
            world.write_text(json.dumps(data))

        @staticmethod
        def calls():
            return [json.loads(line) for line in log.read_text().splitlines()]

        @staticmethod
        def actions():
            return [c for c in Docker.calls() if c[0] == "compose" and ("up" in c or "restart" in c)]
    return Docker


def container(name, running):
    return {"Id": "id-" + name, "Name": "/" + name, "State": {"Running": running, "Status": "running" if running else "exited"},
            "Config": {"Image": "oncall-runbooks/mariadb:latest"}}


def run(capsys, args, check_mode=False):
    args = dict({"compose_file": "/srv/infra/docker-compose.yml", "project": "infra"}, **args)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            compose_service.main()
    return json.loads(capsys.readouterr().out)


def test_info_only_looks(docker, capsys):
    docker.set_world({"mysql": [container("infra-mysql-1", False)], "redis": []})
    out = run(capsys, {})
    assert out["changed"] is False and out["acted_on"] == []
    assert out["services"]["mysql"] == {"running": False, "containers": [
        {"id": "id-infra-mys", "name": "infra-mysql-1", "running": False, "status": "exited", "health": None,
         "image": "oncall-runbooks/mariadb:latest", "tag": "latest"}]}
    assert out["services"]["redis"] == {"running": False, "containers": []}
    assert docker.actions() == []


def test_started_starts_only_what_is_down(docker, capsys):
    docker.set_world({"mysql": [container("m", False)], "redis": [container("r", True)]})
    out = run(capsys, {"state": "started"})
    assert out["changed"] is True and out["acted_on"] == ["mysql"]
    assert docker.actions() == [["compose", "-p", "infra", "-f", "/srv/infra/docker-compose.yml", "up", "-d", "--no-deps", "mysql"]]
    assert out["services"]["mysql"]["running"] is True and out["before"]["mysql"]["running"] is False
    again = run(capsys, {"state": "started"})
    assert again["changed"] is False and len(docker.actions()) == 1


def test_restarted_recreates_or_restarts(docker, capsys):
    docker.set_world({"mysql": [container("m", True)]})
    out = run(capsys, {"state": "restarted", "services": ["mysql"], "env": {"BE_TAG": 7}})
    assert out["changed"] is True and out["acted_on"] == ["mysql"]
    run(capsys, {"state": "restarted", "services": ["mysql"], "recreate": False})
    assert [a[5:] for a in docker.actions()] == [["up", "-d", "--no-deps", "--force-recreate", "mysql"], ["restart", "mysql"]]


def test_check_mode_runs_nothing(docker, capsys):
    docker.set_world({"mysql": [container("m", False)]})
    out = run(capsys, {"state": "restarted"}, check_mode=True)
    assert out["changed"] is True and out["acted_on"] == ["mysql"] and docker.actions() == []


def test_unknown_service_is_refused(docker, capsys):
    docker.set_world({"mysql": []})
    out = run(capsys, {"state": "restarted", "services": ["mariadb"]})
    assert out["failed"] is True and out["msg"] == "service(s) mariadb not in /srv/infra/docker-compose.yml (it has: mysql)"
    assert docker.actions() == []
