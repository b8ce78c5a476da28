# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pieces the blue-green host is read with: env files as the seed sources them, the nginx
image's template rendering, and Compose's project names."""
from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils import env_file, nginx_template
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import project_name

SEED_ENV = """# Nginx routing - the colour the gateway proxies to
NGINX_BACKEND_HOST=backend-blue

# stub_status basic auth
export NGINX_STATUS_USER=exporter
NGINX_STATUS_PASSWORD='s3cret # not a comment'
GHCR_OWNER=web-project   # images: ghcr.io/web-project/*
EMPTY=
"""


def test_env_file_is_read_as_sourcing_would():
    values = env_file.parse(SEED_ENV)
    assert values == {"NGINX_BACKEND_HOST": "backend-blue", "NGINX_STATUS_USER": "exporter",
                      "NGINX_STATUS_PASSWORD": "s3cret # not a comment", "GHCR_OWNER": "web-project",
                      "EMPTY": ""}


def test_later_assignment_wins():
    assert env_file.parse("BE_TAG=v1\nBE_TAG=v2\n") == {"BE_TAG": "v2"}


def test_set_value_changes_one_line_and_keeps_mode_comments_and_order(tmp_path):
    path = tmp_path / ".env.production"
    path.write_text(SEED_ENV)
    os.chmod(path, 0o640)
    assert env_file.set_value(str(path), "NGINX_BACKEND_HOST", "backend-green") is True
    assert path.read_text() == SEED_ENV.replace("backend-blue", "backend-green")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert env_file.set_value(str(path), "NGINX_BACKEND_HOST", "backend-green") is False


def test_set_value_appends_a_missing_key_and_never_creates_a_file_unasked(tmp_path):
    path = tmp_path / ".env.server.prod"
    path.write_text("FE_TAG=v1")                   # no final newline
    env_file.set_value(str(path), "BE_TAG", "v2")
    assert path.read_text() == "FE_TAG=v1\nBE_TAG=v2\n"
    with pytest.raises(FileNotFoundError):
        env_file.set_value(str(tmp_path / "absent"), "BE_TAG", "v2")


def test_a_value_that_cannot_be_written_safely_is_refused():
    with pytest.raises(ValueError, match="single quote"):
        env_file.render("X", "it's")
    assert env_file.render("X", "a b") == "X='a b'\n"


TEMPLATE = """upstream backend-blue { server 127.0.0.1:18611; }
log_format gateway '$remote_addr "$request" compose_service=${NGINX_BACKEND_HOST}';
server {
    location /api/ { proxy_pass http://${NGINX_BACKEND_HOST}; proxy_set_header Host $host; }
    set $x $NGINX_BACKEND_HOST;
    # ${UNSET_BUT_FILTERED_OUT} stays
}
"""


def test_envsubst_replaces_only_defined_names_in_both_forms():
    env = {"NGINX_BACKEND_HOST": "backend-green", "HOME": "/root"}
    out = nginx_template.render({"default.conf.template": TEMPLATE, "README": "x"}, env)
    assert list(out) == ["default.conf"]
    text = out["default.conf"]
    assert "proxy_pass http://backend-green;" in text
    assert "compose_service=backend-green'" in text
    assert "set $x backend-green;" in text
    assert "$remote_addr" in text and "$host;" in text and "${UNSET_BUT_FILTERED_OUT}" in text


def test_envsubst_filter_and_settings_as_the_entrypoint_reads_them():
    env = {"NGINX_BACKEND_HOST": "backend-green", "NGINX_ENVSUBST_FILTER": "^NGINX_",
           "NGINX_ENVSUBST_TEMPLATE_SUFFIX": ".tpl", "OTHER": "x"}
    out = nginx_template.render({"sub/a.conf.tpl": "$NGINX_BACKEND_HOST $OTHER"}, env)
    assert out == {"sub/a.conf": "backend-green $OTHER"}
    assert nginx_template.settings({}) == ("/etc/nginx/templates", ".template", "/etc/nginx/conf.d", "")


def test_tar_round_trip_keeps_mode_and_owner():
    files = {"default.conf": ("server {}\n", 0o644, 0, 0), "status.htpasswd": ("u:{PLAIN}p\n", 0o640, 0, 33)}
    archive = nginx_template.write_tar(files)
    # docker cp CONTAINER:DIR - names members after the folder: read_tar strips that
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(archive)) as src, tarfile.open(fileobj=buf, mode="w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            member.name = "conf.d/" + member.name
            dst.addfile(member, io.BytesIO(data))
    assert nginx_template.read_tar(buf.getvalue()) == files


def test_container_env():
    assert nginx_template.container_env({"Config": {"Env": ["A=1", "B=x=y", "C="]}}) == {
        "A": "1", "B": "x=y", "C": ""}


@pytest.mark.parametrize("folder, env, explicit, content, expected", [
    ("application", {}, None, "services: {}\n", "application"),
    ("Web.Project_2", {}, None, "services: {}\n", "webproject_2"),
    ("gateway", {"COMPOSE_PROJECT_NAME": "webgw"}, None, "services: {}\n", "webgw"),
    ("gateway", {}, None, "name: edge\nservices: {}\n", "edge"),
    ("gateway", {"COMPOSE_PROJECT_NAME": "webgw"}, "given", "name: edge\n", "given"),
])
def test_project_name_as_compose_gives_it(tmp_path, folder, env, explicit, content, expected):
    path = tmp_path / folder / "docker-compose.yml"
    path.parent.mkdir()
    path.write_text(content)
    assert project_name(str(path), env, explicit) == expected
