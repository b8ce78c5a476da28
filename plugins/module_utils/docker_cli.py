# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Docker and Compose through their command lines, as argument lists.

Containers are found by the labels Compose puts on them (com.docker.compose.project /
.service), never by name: Compose v1 names them project_service_1, v2 project-service-1.
Whichever Compose exists is used (`docker compose` v2, else `docker-compose` v1); mixing
the two on one project recreates its containers, so one host should keep to one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.oncall.runbooks.plugins.module_utils.cli_output import last_lines


class DockerError(Exception):
    pass


class DockerCli:
    def __init__(self, module):
        self.module = module
        self.docker = module.get_bin_path("docker")
        if not self.docker:
            raise DockerError("docker CLI not found on PATH")
        self._compose = None

    def run(self, args, env=None, check=True, data=None):
        rc, out, err = self.module.run_command(args, environ_update=dict(env or {}, LC_ALL="C"),
                                               expand_user_and_vars=False, data=data)
        if check and rc != 0:
            raise DockerError("`%s` failed (rc %d): %s" % (" ".join(args), rc, last_lines(err or out)))
        return rc, out, err

    def check_engine(self):
        rc, _out, err = self.run([self.docker, "version", "--format", "{{.Server.Version}}"], check=False)
        if rc != 0:
            raise DockerError("the Docker engine is not reachable: %s" % last_lines(err))

    def compose_cmd(self):
        if self._compose is None:
            rc, _out, _err = self.run([self.docker, "compose", "version"], check=False)
            if rc == 0:
                self._compose = [self.docker, "compose"]
            else:
                legacy = self.module.get_bin_path("docker-compose")
                if not legacy:
                    raise DockerError("neither `docker compose` nor `docker-compose` is installed")
                self._compose = [legacy]
        return list(self._compose)

    def compose(self, compose_file, project, args, env=None, env_file=None):
        cmd = self.compose_cmd()
        if project:
            cmd += ["-p", project]
        cmd += ["-f", compose_file]
        if env_file:
            cmd += ["--env-file", env_file]
        return self.run(cmd + list(args), env=env)

    def containers(self, project, service):
        """Containers of a compose service (any state), inspected."""
        filters = ["--filter", "label=com.docker.compose.service=%s" % service]
        if project:
            filters += ["--filter", "label=com.docker.compose.project=%s" % project]
        _rc, out, _err = self.run([self.docker, "ps", "-a", "-q"] + filters)
        ids = out.split()
        if not ids:
            return []
        _rc, out, _err = self.run([self.docker, "inspect"] + ids)
        return json.loads(out)

    def exec_(self, container, args, check=True):
        return self.run([self.docker, "exec", container] + list(args), check=check)


def container_summary(info):
    state = info.get("State") or {}
    health = (state.get("Health") or {}).get("Status")
    image = (info.get("Config") or {}).get("Image", "")
    return {
        "id": info.get("Id", "")[:12],
        "name": info.get("Name", "").lstrip("/"),
        "running": bool(state.get("Running")),
        "status": state.get("Status"),
        "health": health,
        "image": image,
        "tag": image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest",
    }
