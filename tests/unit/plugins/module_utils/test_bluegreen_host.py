# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen_host.Host's decisions that the Molecule scenario cannot pin down: which Compose
is run on a project, how answers are attributed to a colour, what a switch-back message may
claim, and where the tags are written."""
from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils import bluegreen_host
from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import BlueGreenError, initial_state
from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen_host import Host


class FakeDocker:
    docker = "docker"

    def __init__(self, installed=("v2",), made_by=None, logs=None):
        self.installed = dict((f, ["docker-compose-" + f]) for f in installed)
        self.made_by = made_by
        self.logs = logs or {}
        self.calls = []

    def compose_flavours(self):
        return self.installed

    def project_flavour(self, project):
        return (self.made_by, "1.29.2" if self.made_by == "v1" else "2.26.1") if self.made_by else (None, None)

    def containers(self, project, service):
        color = service.rsplit("-", 1)[-1]
        return [{"Id": "id-%s" % color, "Name": "/%s" % service, "State": {"Running": True},
                 "Config": {"Image": "app:v1"}}]

    def running_ids(self, project, service):
        return ["id-%s" % service.rsplit("-", 1)[-1]]

    def logs_since(self, container, since):
        return self.logs.get(container.replace("id-", ""), "")

    def compose(self, *args, **kwargs):
        self.calls.append(("compose", args, kwargs))


def params(root, **extra):
    p = dict(server_root=str(root), project=None, compose_file="application/docker-compose.application.prod.yml",
             env_files=[".env.server.prod", "application/.env.application.prod"], compose="auto",
             backends={"blue": "127.0.0.1:1", "green": "127.0.0.1:2"}, health_path="/health",
             gateway=dict(url="http://127.0.0.1:3/health", mode="auto", project=None, service="nginx",
                          compose_file="gateway/docker-compose.gateway.prod.yml",
                          compose_env_file="gateway/.env.gateway.prod", env_file="gateway/nginx/.env.production",
                          hosts=None, upstream_file="gateway/nginx/conf.d/upstream.conf", color_header=None,
                          color_field=None, confirm_requests=3, confirm_timeout=0),
             be_tag=None, fe_tag=None, skip_pull=True)
    p.update(extra)
    return p


@pytest.fixture
def root(tmp_path):
    (tmp_path / "application").mkdir()
    (tmp_path / "application" / "docker-compose.application.prod.yml").write_text("services: {}\n")
    (tmp_path / ".env.server.prod").write_text("# tags\nFE_TAG=v1\nBE_TAG=v1\n")
    os.chmod(tmp_path / ".env.server.prod", 0o600)
    (tmp_path / "application" / ".env.application.prod").write_text("SPRING_PROFILES_ACTIVE=prod\nBE_TAG=v0\n")
    return tmp_path


def test_env_files_load_in_the_seeds_order_and_name_the_project(root):
    host = Host(FakeDocker(), params(root))
    assert host.env["BE_TAG"] == "v0"                     # application/.env.application.prod is sourced last
    assert host.project == "application" and host.gw_project == "gateway"
    assert host.compose_env("v2")["BE_TAG"] == "v2"       # the run's tag wins, as a shell override does


def test_missing_root_and_compose_file_are_sentences(tmp_path):
    with pytest.raises(BlueGreenError, match="server_root .* does not exist"):
        Host(FakeDocker(), params(tmp_path / "nope"))
    with pytest.raises(BlueGreenError, match="compose file .* does not exist"):
        Host(FakeDocker(), params(tmp_path))


def test_the_compose_that_made_the_project_is_used_or_the_run_is_refused(root):
    assert Host(FakeDocker(installed=("v1", "v2"), made_by="v1"), params(root)).flavour("application") == "v1"
    with pytest.raises(BlueGreenError, match="made by Compose 1.29.2, which is not installed here"):
        Host(FakeDocker(installed=("v2",), made_by="v1"), params(root)).flavour("application")
    forced = Host(FakeDocker(installed=("v2",), made_by="v1"), params(root, compose="v2"))
    assert forced.flavour("application") == "v2" and "Compose recreates them" in forced.warnings[0]
    assert Host(FakeDocker(), params(root)).flavour("application") is None     # none yet: the default


def test_answers_are_attributed_by_the_marker_in_exactly_one_colours_log(root, monkeypatch):
    sent = []

    def probe(self, url, timeout=2.0):
        sent.append(url.rsplit("=", 1)[1])
        return 200, {}, b"{}"
    monkeypatch.setattr(Host, "probe", probe)
    docker = FakeDocker()
    host = Host(docker, params(root), sleep=lambda s: None)

    class Logs(dict):
        def get(self, color, default=""):
            # blue logged the first two markers, both colours "logged" the third (a copied line)
            return {"blue": " ".join(sent[:3]), "green": sent[2] if len(sent) > 2 else ""}[color]
    docker.logs = Logs()
    tally = host.answered_by(3)
    assert tally == {"blue": 2, "green": 0, None: 1, "failed": 0}


@pytest.mark.parametrize("gateway, headers, body, expected", [
    ({"color_header": "X-Color"}, {"X-Color": "green"}, b"{}", "green"),
    ({"color_header": "X-Upstream-Host"}, {"X-Upstream-Host": "backend-blue:8080"}, b"{}", "blue"),
    ({"color_field": "color"}, {}, b'{"status": "UP", "color": "blue"}', "blue"),
    ({"color_field": "color"}, {}, b"not json", None),
    ({"color_header": "X-Color"}, {}, b"{}", None),
])
def test_a_colour_the_app_names_itself(root, monkeypatch, gateway, headers, body, expected):
    p = params(root)
    p["gateway"].update(gateway)
    monkeypatch.setattr(Host, "probe", lambda self, url, timeout=2.0: (200, headers, body))
    tally = Host(FakeDocker(), p).answered_by(2)
    assert tally[expected] == 2


def test_a_switch_back_is_called_verified_only_when_it_was(root, monkeypatch):
    host = Host(FakeDocker(), params(root), sleep=lambda s: None)
    undone = []
    monkeypatch.setattr(Host, "confirm", lambda self, color, timeout=None: {"blue": 3, "green": 0, None: 0, "failed": 0})
    assert host.switch_back(lambda: undone.append(1), "blue") == "switched back to blue (verified: 3 from blue)"

    def unconfirmed(self, color, timeout=None):
        raise BlueGreenError("the gateway did not answer from blue within 5s (last 3 requests: 3 failed)")
    monkeypatch.setattr(Host, "confirm", unconfirmed)
    message = host.switch_back(lambda: undone.append(2), "blue")
    assert message.startswith("switching back to blue could NOT be verified") and undone == [1, 2]


def test_a_live_tag_is_written_where_the_env_files_keep_it(root):
    (root / "deploy-state.json").write_text(json.dumps({"activeColor": "blue", "beTag": "v1", "deployedBy": "ops"}))
    host = Host(FakeDocker(), params(root))
    state = dict(initial_state("blue"), beTag="v1", deployedBy="ops")
    new = host.record(state, {"activeColor": "green", "beTag": "v2", "previousTag": "v1", "feTag": "f2"}, "full")
    assert new["deployedBy"] == "ops" and new["history"][-1]["to"] == "green"
    # BE_TAG is set in both files: the one sourced last (the application's) is the one that counts
    assert "BE_TAG=v2" in (root / "application" / ".env.application.prod").read_text()
    assert (root / ".env.server.prod").read_text() == "# tags\nFE_TAG=f2\nBE_TAG=v1\n"
    assert stat.S_IMODE(os.stat(root / ".env.server.prod").st_mode) == 0o600
    assert json.loads((root / "deploy-state.json").read_text())["beTag"] == "v2"


def test_describe_tally():
    assert bluegreen_host.describe_tally({"blue": 0, "green": 4, None: 1, "failed": 2}) == \
        "4 from green, 1 from no single colour, 2 failed"
    assert bluegreen_host.describe_tally({"blue": 0, "green": 0, None: 0, "failed": 0}) == "no answer"


def _observed(serving, target, configured, blue_up=True, green_up=False):
    from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import Observed
    backends = {"blue": {"running": blue_up, "healthy": blue_up, "tag": "v1", "containers": ["x"]},
                "green": {"running": green_up, "healthy": green_up, "tag": "v2", "containers": []}}
    return Observed(backends, serving, target, configured=configured)


@pytest.mark.parametrize("active, serving, target, configured, blue_up, consistent", [
    ("blue", "blue", "blue", "blue", True, True),
    ("blue", "blue", "blue", None, True, True),          # include layout: no env file colour
    ("blue", "blue", "blue", "green", True, False),      # a restart would serve green
    ("blue", "green", "blue", "blue", True, False),      # the answer is not what the config names
    ("blue", "blue", None, "blue", True, False),         # the running config names neither
    ("blue", "blue", "blue", "blue", False, False),      # blue answers but is not healthy
    ("green", "blue", "blue", "blue", True, False),      # the state file says green
    (None, "blue", "blue", "blue", True, False),         # no state file
])
def test_report_is_consistent_only_when_everything_agrees(root, monkeypatch, active, serving, target,
                                                          configured, blue_up, consistent):
    host = Host(FakeDocker(), params(root))
    monkeypatch.setattr(host, "mode", lambda: "include")
    state = dict(initial_state(active), activeColor=active) if active else None
    report = host.report(state, _observed(serving, target, configured, blue_up))
    assert report["consistent"] is consistent
    assert report["restart_color"] is None and report["gateway_mode"] == "include"
    assert "containers" not in report["backends"]["blue"]       # ids stay inside
