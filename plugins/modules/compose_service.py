#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: compose_service
short_description: State of the services of a docker-compose project; start or restart them
version_added: "0.1.0"
description:
  - The C(docker compose ps) / C(up -d) / restart steps of seed 001's incident runbooks (the
    MySQL container of the infrastructure stack, the monitoring stack, a backend colour).
  - Containers are found by the labels Compose puts on them, never by name (Compose v1 and
    v2 name them differently). Whichever Compose is installed is used.
  - Without O(state) it only looks. O(state=started) starts what is not running (C(up -d --no-deps));
    nothing changes when every container of the services runs. O(state=restarted) restarts
    them - recreated from the compose file (C(up -d --force-recreate), the default, which
    also drops whatever a container had written outside its volumes) or C(docker compose restart).
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports what would be started or restarted; runs nothing (looking runs as always).
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  compose_file:
    description: The compose file.
    type: path
    required: true
  project:
    description: Compose project name; Compose's default (the file's directory name) when unset.
    type: str
  env_file:
    description: C(--env-file) passed to Compose.
    type: path
  env:
    description: Environment for Compose's variable substitution (for example C(BE_TAG)).
    type: dict
    default: {}
  services:
    description: Services to act on; every service of the file when empty.
    type: list
    elements: str
    default: []
  state:
    description:
      - V(started) - every container of the services runs; V(restarted) - they were restarted.
      - Unset - only look (C(docker compose ps)).
    type: str
    choices: [started, restarted]
  recreate:
    description: With O(state=restarted), recreate the containers rather than restart them.
    type: bool
    default: true
seealso:
  - module: oncall.runbooks.bluegreen_info
  - module: oncall.runbooks.exit_condition
"""

EXAMPLES = r"""
- name: "Seed 001 5.3: the infrastructure stack's state"
  oncall.runbooks.compose_service:
    compose_file: "{{ server_root }}/infrastructure/docker-compose.infrastructure.prod.yml"
    services: [mysql]
  register: infra

- name: Restart MySQL
  oncall.runbooks.compose_service:
    compose_file: "{{ server_root }}/infrastructure/docker-compose.infrastructure.prod.yml"
    services: [mysql]
    state: restarted
  when: not infra.services.mysql.running

- name: "Seed 001 5.4: bring the whole monitoring stack back"
  oncall.runbooks.compose_service:
    compose_file: "{{ server_root }}/monitoring/docker-compose.monitoring.prod.yml"
    env_file: "{{ server_root }}/monitoring/.env.monitoring.prod"
    state: started
"""

RETURN = r"""
services:
  description:
    - Per service after the task - C(running) (every container runs, and there is at least one)
      and C(containers) (id, name, running, status, health, image, tag).
  returned: always
  type: dict
  sample: {"mysql": {"running": true, "containers": [{"name": "infra_mysql_1", "status": "running"}]}}
before:
  description: The same, before the task.
  returned: always
  type: dict
acted_on:
  description: Services started or restarted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import (
    DockerCli,
    DockerError,
    container_summary,
)


def service_states(docker, project, services):
    out = {}
    for service in services:
        found = [container_summary(c) for c in docker.containers(project, service)]
        out[service] = {"running": bool(found) and all(c["running"] for c in found), "containers": found}
    return out


def project_of(docker, p):
    """The project name Compose uses (needed to find containers by label)."""
    if p["project"]:
        return p["project"]
    _rc, out, _err = docker.compose(p["compose_file"], None, ["config"], env=p["env"], env_file=p["env_file"])
    for line in out.splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    return os.path.basename(os.path.dirname(os.path.abspath(p["compose_file"]))).lower()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            compose_file=dict(type="path", required=True),
            project=dict(type="str"),
            env_file=dict(type="path"),
            env=dict(type="dict", default={}),
            services=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["started", "restarted"]),
            recreate=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    env = dict((str(k), str(v)) for k, v in p["env"].items())
    p["env"] = env
    try:
        docker = DockerCli(module)
        docker.check_engine()
        _rc, out, _err = docker.compose(p["compose_file"], p["project"], ["config", "--services"], env=env,
                                        env_file=p["env_file"])
        known = out.split()
        services = p["services"] or known
        unknown = [s for s in services if s not in known]
        if unknown:
            module.fail_json(msg="service(s) %s not in %s (it has: %s)" % (
                ", ".join(unknown), p["compose_file"], ", ".join(known) or "none"))
        project = project_of(docker, p)
        before = service_states(docker, project, services)
        if p["state"] is None:
            module.exit_json(changed=False, services=before, before=before, acted_on=[])
        if p["state"] == "started":
            acted = [s for s in services if not before[s]["running"]]
            args = ["up", "-d", "--no-deps"] + acted
        else:
            acted = list(services)
            args = (["up", "-d", "--no-deps", "--force-recreate"] if p["recreate"] else ["restart"]) + acted
        if not acted or module.check_mode:
            module.exit_json(changed=bool(acted), services=before, before=before, acted_on=acted)
        docker.compose(p["compose_file"], p["project"], args, env=env, env_file=p["env_file"])
        after = service_states(docker, project, services)
    except DockerError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=True, services=after, before=before, acted_on=acted)


if __name__ == "__main__":
    main()
