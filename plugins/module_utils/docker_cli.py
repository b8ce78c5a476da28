# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Docker and Compose through their command lines, as argument lists.

Containers are found by the labels Compose puts on them (com.docker.compose.project /
.service), never by name: Compose v1 names them project_service_1, v2 project-service-1.
Mixing Compose v1 and v2 on one project recreates its containers (their config hashes
differ), so the flavour is read from the project's containers (label
com.docker.compose.version) and that one is used; a project with no containers yet gets
`docker compose` v2 when it exists, else `docker-compose`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

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

    def compose_flavours(self):
        """{"v1": argv, "v2": argv} of the Compose commands installed here."""
        if self._compose is None:
            self._compose = {}
            rc, out, _err = self.run([self.docker, "compose", "version", "--short"], check=False)
            if rc == 0 and not out.strip().startswith("1."):
                self._compose["v2"] = [self.docker, "compose"]
            legacy = self.module.get_bin_path("docker-compose")
            if legacy:
                rc, out, _err = self.run([legacy, "version", "--short"], check=False)
                if rc == 0:
                    self._compose["v1" if out.strip().startswith("1.") else "v2"] = [legacy]
        return self._compose

    def project_flavour(self, project):
        """("v1"|"v2"|None, version label) of the Compose that made the project's containers."""
        _rc, out, _err = self.run([self.docker, "ps", "-a", "--filter",
                                   "label=com.docker.compose.project=%s" % project, "--format",
                                   '{{.Label "com.docker.compose.version"}}'])
        versions = sorted(set(v for v in out.split() if v))
        if not versions:
            return None, None
        flavours = set("v1" if v.startswith("1.") else "v2" for v in versions)
        if len(flavours) > 1:
            raise DockerError("compose project %s has containers made by Compose v1 and v2 (%s): "
                              "bring it back to one by hand" % (project, ", ".join(versions)))
        return flavours.pop(), versions[-1]

    def compose_cmd(self, flavour=None):
        flavours = self.compose_flavours()
        if flavour:
            if flavour not in flavours:
                raise DockerError("Compose %s is not installed here" % flavour)
            return list(flavours[flavour])
        for name in ("v2", "v1"):
            if name in flavours:
                return list(flavours[name])
        raise DockerError("neither `docker compose` nor `docker-compose` is installed")

    def compose(self, compose_file, project, args, env=None, env_file=None, flavour=None):
        cmd = self.compose_cmd(flavour)
        if project:
            cmd += ["-p", project]
        cmd += ["-f", compose_file]
        if env_file:
            cmd += ["--env-file", env_file]
        return self.run(cmd + list(args), env=env)

    def container_ids(self, project, service, running_only=False):
        """Ids of a compose service's containers, found by Compose's labels."""
        args = [self.docker, "ps", "-q"] + ([] if running_only else ["-a"])
        args += ["--filter", "label=com.docker.compose.service=%s" % service]
        if project:
            args += ["--filter", "label=com.docker.compose.project=%s" % project]
        return self.run(args)[1].split()

    def containers(self, project, service):
        """Containers of a compose service (any state), inspected."""
        ids = self.container_ids(project, service)
        if not ids:
            return []
        _rc, out, _err = self.run([self.docker, "inspect"] + ids)
        return json.loads(out)

    def running_ids(self, project, service):
        """Ids of the running containers of a compose service (no inspect: cheap enough to
        ask before every read of their logs)."""
        return self.container_ids(project, service, running_only=True)

    def exec_(self, container, args, check=True):
        return self.run([self.docker, "exec", container] + list(args), check=check)

    def copy_from(self, container, path):
        """`docker cp CONTAINER:PATH -`: the tar archive, as bytes."""
        args = [self.docker, "cp", "%s:%s" % (container, path), "-"]
        rc, out, err = self.module.run_command(args, environ_update={"LC_ALL": "C"},
                                               expand_user_and_vars=False, encoding=None)
        if rc != 0:
            raise DockerError("`%s` failed (rc %d): %s" % (" ".join(args), rc,
                                                           last_lines(err.decode("utf-8", "replace"))))
        return out

    def copy_to(self, container, path, archive):
        """`docker cp - CONTAINER:PATH`: extract a tar archive into that folder."""
        args = [self.docker, "cp", "-", "%s:%s" % (container, path)]
        rc, out, err = self.module.run_command(args, environ_update={"LC_ALL": "C"}, data=archive,
                                               binary_data=True, expand_user_and_vars=False)
        if rc != 0:
            raise DockerError("`%s` failed (rc %d): %s" % (" ".join(args), rc, last_lines(err or out)))

    def logs_since(self, container, since):
        """stdout and stderr the container logged since `since` (a Unix time)."""
        _rc, out, err = self.run([self.docker, "logs", "--since", "%.3f" % since, container], check=False)
        return out + err


def project_name(compose_file, env=None, explicit=None):
    """The project name Compose gives a compose file, as both flavours work it out: -p, else
    COMPOSE_PROJECT_NAME from the environment, else the file's top-level `name:` (v2), else
    the name of the file's directory, lower-cased, keeping only [a-z0-9_-]."""
    if explicit:
        return explicit
    if (env or {}).get("COMPOSE_PROJECT_NAME"):
        return env["COMPOSE_PROJECT_NAME"]
    try:
        with open(compose_file) as f:
            for line in f:
                match = re.match(r"^name:\s*['\"]?([^'\"#\s]+)", line)
                if match:
                    return match.group(1)
    except (OSError, UnicodeDecodeError):
        pass
    base = os.path.basename(os.path.dirname(os.path.abspath(compose_file)))
    return re.sub(r"[^-_a-z0-9]", "", base.lower()).lstrip("-_")


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
