#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bluegreen_deploy
short_description: Run a phase of a blue-green deploy on a docker-compose host behind nginx
version_added: "0.1.0"
description:
  - The phases of seed 001's C(deploy-blue-green.sh) on its layout (C(server_root) with the
    application compose file, services C(backend-blue) and C(backend-green), the gateway's
    compose file and C(NGINX_BACKEND_HOST), and C(deploy-state.json) with C(activeColor)).
    An existing deployment is adopted as it is.
  - V(prepare) starts the idle colour (or O(override_color)) on O(be_tag) and waits until it
    is healthy. V(gateway) points the gateway at it (or at O(force_color)) and confirms through
    the gateway's answers (header C(X-Color)) that the new colour serves. V(finalize) stops the
    old colour and records the new C(activeColor). V(full) does all three, watching the new
    colour for O(watch_seconds) after the switch and switching back automatically when it fails.
    V(cancel) puts the gateway back on the active colour if it moved and removes the other one.
  - The plan is computed from what is really running and served, not only from the state
    file, so each phase is idempotent and a run killed half-way converges when run again.
  - The state file is written atomically under an exclusive lock; two deploys cannot run at once.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.bluegreen
attributes:
  check_mode:
    support: full
    details:
      - Observes and returns the plan; changes nothing.
  diff_mode:
    support: full
    details:
      - The state file before and after.
  platform:
    platforms: posix
options:
  phase:
    description: Phase to run.
    type: str
    choices: [prepare, gateway, finalize, full, cancel]
    required: true
  be_tag:
    description: Backend image tag (C(BE_TAG)) to deploy. Required for V(prepare) and V(full).
    type: str
  fe_tag:
    description: Frontend tag (C(FE_TAG)), passed to Compose; with O(frontend), the build to sync.
    type: str
  skip_pull:
    description: Do not pull the image before starting it (seed's C(--skip-pull)).
    type: bool
    default: false
  override_color:
    description: Colour to prepare instead of the idle one (seed's C(--override-color)); the active colour replaces its image in place (seed 3.1).
    type: str
    choices: [blue, green]
  force_color:
    description: With V(gateway), switch to this colour whatever the state file says (seed's C(--force-color)).
    type: str
    choices: [blue, green]
  update_gateway:
    description: With V(full), switch the gateway (seed's C(UPDATE_GATEWAY)). When V(false), V(full) only prepares.
    type: bool
    default: true
  env_file:
    description: Env file passed to Compose, relative to O(server_root), when it exists.
    type: str
    default: .env.server.prod
  health_timeout:
    description: Seconds a new backend has to become healthy.
    type: int
    default: 60
  gateway:
    description: The nginx gateway.
    type: dict
    required: true
    suboptions:
      url:
        description: A URL through the gateway whose answers carry the backend's C(X-Color) header.
        type: str
        required: true
      mode:
        description:
          - V(reload) - rewrite the upstream include atomically, C(nginx -t), C(nginx -s reload)
            (no downtime).
          - V(recreate) - the seed's way, C(docker compose up -d) of the gateway (a short outage).
        type: str
        choices: [reload, recreate]
        default: reload
      project:
        description: Compose project of the gateway.
        type: str
      service:
        description: Gateway service name.
        type: str
        default: nginx
      compose_file:
        description: Gateway compose file, relative to O(server_root).
        type: str
        default: gateway/docker-compose.gateway.prod.yml
      upstream_file:
        description: Upstream include the gateway reads, relative to O(server_root).
        type: str
        default: gateway/nginx/conf.d/upstream.conf
      env_file:
        description: Env file holding C(NGINX_BACKEND_HOST), relative to O(server_root).
        type: str
        default: gateway/nginx/.env.production
      confirm_requests:
        description: Answers in a row from the new colour that confirm a switch.
        type: int
        default: 5
      confirm_timeout:
        description: Seconds to wait for that confirmation before the switch is undone.
        type: int
        default: 15
  frontend:
    description:
      - The frontend build, synced into the C(frontend-dist) volume by V(prepare) and V(full)
        when O(fe_tag) is set, as the seed's prepare does (the gateway serves it at once).
      - The volume's content is replaced by O(frontend.dist_path) of C(<image>:<fe_tag>) and
        marked with the tag, so an unchanged tag is not copied again.
    type: dict
    suboptions:
      image:
        description: Frontend image (without tag); the build is in it at O(frontend.dist_path).
        type: str
        required: true
      dist_path:
        description: Directory of the build inside the image.
        type: str
        default: /app/dist
      volume:
        description: Docker volume the gateway serves the frontend from.
        type: str
        default: frontend-dist
  watch_seconds:
    description: After a switch in V(full), watch the new colour through the gateway this long; switch back if it fails.
    type: int
    default: 0
  watch_max_error_pct:
    description: Share of failed or wrong-colour answers during the watch above which the switch is undone.
    type: float
    default: 5
  scale_down_delay:
    description: Seconds the old colour keeps running after a switch before it is stopped.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Full blue-green deploy of backend sha-4f2c1e (seed 001 section 2)
  oncall.runbooks.bluegreen_deploy:
    server_root: /home/deploy/srv/web_project
    phase: full
    be_tag: sha-4f2c1e
    backends: {blue: "backend-blue:8080", green: "backend-green:8080"}
    gateway:
      url: https://example.com/api/actuator/health
    watch_seconds: 60
    scale_down_delay: 30

- name: Gateway back to the previous colour (seed 001 section 3.2)
  oncall.runbooks.bluegreen_deploy:
    server_root: /home/deploy/srv/web_project
    phase: gateway
    force_color: blue
    backends: {blue: "backend-blue:8080", green: "backend-green:8080"}
    gateway:
      url: https://example.com/api/actuator/health
"""

RETURN = r"""
plan:
  description: The steps carried out (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["start green v2", "switch green", "watch green", "stop blue", "record activeColor=green"]
state:
  description: deploy-state.json after the task.
  returned: always
  type: dict
  sample: {"activeColor": "green", "phase": "idle", "backendTag": "v2"}
serving:
  description: Colour answering through the gateway after the task.
  returned: always
  type: str
  sample: green
log:
  description: What was done, step by step.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import (
    BlueGreenError,
    DeployLock,
    Executor,
    common_argument_spec,
    describe_plan,
    plan,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import DockerCli, DockerError
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError

GATEWAY_SPEC = dict(
    url=dict(type="str", required=True),
    mode=dict(type="str", default="reload", choices=["reload", "recreate"]),
    project=dict(type="str"),
    service=dict(type="str", default="nginx"),
    compose_file=dict(type="str", default="gateway/docker-compose.gateway.prod.yml"),
    upstream_file=dict(type="str", default="gateway/nginx/conf.d/upstream.conf"),
    env_file=dict(type="str", default="gateway/nginx/.env.production"),
    confirm_requests=dict(type="int", default=5),
    confirm_timeout=dict(type="int", default=15),
)

ARGUMENT_SPEC = dict(
    common_argument_spec(),
    phase=dict(type="str", required=True, choices=["prepare", "gateway", "finalize", "full", "cancel"]),
    be_tag=dict(type="str"),
    fe_tag=dict(type="str"),
    skip_pull=dict(type="bool", default=False),
    override_color=dict(type="str", choices=["blue", "green"]),
    force_color=dict(type="str", choices=["blue", "green"]),
    update_gateway=dict(type="bool", default=True),
    env_file=dict(type="str", default=".env.server.prod"),
    health_timeout=dict(type="int", default=60),
    gateway=dict(type="dict", required=True, options=GATEWAY_SPEC),
    frontend=dict(type="dict", options=dict(
        image=dict(type="str", required=True),
        dist_path=dict(type="str", default="/app/dist"),
        volume=dict(type="str", default="frontend-dist"),
    )),
    watch_seconds=dict(type="int", default=0),
    watch_max_error_pct=dict(type="float", default=5),
    scale_down_delay=dict(type="int", default=0),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    p = module.params
    try:
        docker = DockerCli(module)
        docker.check_engine()
        executor = Executor(docker, p)
        with DeployLock(executor.state_path + ".lock"):
            observed = executor.observe()
            state, adopted = executor.load_state(observed)
            steps = plan(state, p["phase"], observed, tag=p["be_tag"], override_color=p["override_color"],
                         force_color=p["force_color"], update_gateway=p["update_gateway"],
                         fe_tag=p["fe_tag"] if p["frontend"] else None)
            result = dict(changed=bool(steps) or adopted, plan=describe_plan(steps), log=[])
            if module.check_mode:
                module.exit_json(state=state, serving=observed.serving, **result)
            before = dict(state)
            state = executor.run(state, steps, p["phase"])
            if adopted and not any(s[0] == "record" for s in steps):
                state = executor.record(state, {}, "adopt")
            result["log"] = executor.log
            if module._diff:
                result["diff"] = {"before": before, "after": state}
            _status, serving = executor.probe(p["gateway"]["url"])
    except (BlueGreenError, DockerError, StateFileError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(state=state, serving=serving, **result)


if __name__ == "__main__":
    main()
