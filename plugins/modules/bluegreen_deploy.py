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
  - The phases of seed 001's C(deploy-blue-green.sh) on its layout, adopted as the operator
    left it - C(server_root) with C(.env.server.prod) and C(application/.env.application.prod)
    (loaded as section 2 step 1 does), the application's compose services C(backend-blue) and
    C(backend-green), the gateway's compose service started from C(gateway/) with
    C(--env-file .env.gateway.prod), the colour as C(NGINX_BACKEND_HOST) in
    C(gateway/nginx/.env.production), and C(deploy-state.json) with C(activeColor) and
    whatever other keys the operator's script wrote (all kept).
  - V(prepare) creates the C(nginx-logs) volume when missing, syncs the frontend build, starts
    the idle colour (or O(override_color)) on O(be_tag) and waits until it is healthy.
    V(gateway) points the gateway at it (or at O(force_color)) and confirms that the new colour
    answers. V(finalize) stops the old colour and records the new C(activeColor),
    C(beTag)/C(feTag), and writes C(BE_TAG)/C(FE_TAG) to the env file that holds them (seed
    3.1 step 3). V(full) does all three, watching the new colour for O(watch_seconds) after
    the switch and switching back at once when O(watch_max_failures) requests in a row fail.
    V(cancel) puts the gateway back on the active colour if it moved and removes the other one.
  - Which colour answers is seen as seed 001 section 2 step 3 sees it - a request through the
    gateway with a unique marker in its query string, found in exactly one colour's container
    log - unless O(gateway.color_header) or O(gateway.color_field) names what the app sends.
  - The switch (O(gateway.mode)) re-renders the running gateway's templates with the new
    C(NGINX_BACKEND_HOST), checks them with C(nginx -t) and reloads gracefully (no request
    dropped), then writes the env file in place (comments, other keys, mode and owner kept).
    A switch that is not confirmed, or a watch that fails, is undone and the undo verified by
    the same means; the message says whether it was.
  - The plan is computed from what is really running and served, not only from the state
    file, so each phase is idempotent and a run killed half-way converges when run again.
  - Containers are found by their Compose labels within the project Compose would name (never
    another project's), with the Compose flavour (v1 or v2) that made them.
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
      - Observes and returns the plan; changes nothing, not even the lock file.
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
  health_timeout:
    description: Seconds a new backend has to become healthy.
    type: int
    default: 60
  frontend:
    description:
      - The frontend build, synced into the C(frontend-dist) volume by V(prepare) and V(full)
        when O(fe_tag) is set, as the seed's prepare does (the gateway serves it at once).
      - The volume's content is replaced by O(frontend.dist_path) of C(<image>:<fe_tag>) when
        it differs (C(diff -rq) in a throw-away container), so an unchanged build is not
        copied again.
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
  watch_max_failures:
    description: Requests in a row through the gateway that may fail during the watch; one more switches back at once.
    type: int
    default: 3
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
    backends: {blue: "127.0.0.1:8081", green: "127.0.0.1:8082"}
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
gateway_mode:
  description: How the gateway is switched on this host (O(gateway.mode), V(auto) resolved).
  returned: always
  type: str
  sample: template
project:
  description: Compose project of the application, as Compose names it.
  returned: always
  type: str
  sample: application
gateway_project:
  description: Compose project of the gateway.
  returned: always
  type: str
  sample: gateway
serving:
  description: Colour answering through the gateway after the task.
  returned: always
  type: str
  sample: green
after:
  description:
    - The deployment after the task, as M(oncall.runbooks.bluegreen_info) returns it (state,
      backends, serving, gateway_target, configured, restart_color, gateway_mode, project,
      consistent), from a fresh look once the task is done; in check mode, from the look the
      plan was made from. Seed 001's post-deploy checklist (section 7.2) reads it instead of
      looking again.
  returned: always
  type: dict
log:
  description: What was done, step by step.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import (
    BlueGreenError,
    check_tag,
    common_argument_spec,
    describe_plan,
    plan,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen_host import DeployLock, Host
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import DockerCli, DockerError
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError

ARGUMENT_SPEC = dict(
    common_argument_spec(),
    phase=dict(type="str", required=True, choices=["prepare", "gateway", "finalize", "full", "cancel"]),
    be_tag=dict(type="str"),
    fe_tag=dict(type="str"),
    skip_pull=dict(type="bool", default=False),
    override_color=dict(type="str", choices=["blue", "green"]),
    force_color=dict(type="str", choices=["blue", "green"]),
    update_gateway=dict(type="bool", default=True),
    health_timeout=dict(type="int", default=60),
    frontend=dict(type="dict", options=dict(
        image=dict(type="str", required=True),
        dist_path=dict(type="str", default="/app/dist"),
        volume=dict(type="str", default="frontend-dist"),
    )),
    watch_seconds=dict(type="int", default=0),
    watch_max_error_pct=dict(type="float", default=5),
    watch_max_failures=dict(type="int", default=3),
    scale_down_delay=dict(type="int", default=0),
)


def deploy(module, host):
    p = module.params
    observed = host.observe(p["phase"])
    state, adopted = host.load_state(observed)
    steps = plan(state, p["phase"], observed, tag=p["be_tag"], override_color=p["override_color"],
                 force_color=p["force_color"], update_gateway=p["update_gateway"],
                 fe_tag=p["fe_tag"] if p["frontend"] else None)
    result = dict(changed=bool(steps) or adopted, plan=describe_plan(steps), log=[],
                  gateway_mode=host.mode(), project=host.project, gateway_project=host.gw_project)
    if module.check_mode:
        return dict(result, state=state, serving=observed.serving, after=host.report(state, observed))
    before = dict(state)
    try:
        state = host.run(state, steps, p["phase"])
    finally:
        result["log"] = host.log
    if adopted and not any(s[0] == "record" for s in steps):
        state = host.record(state, {}, "adopt")
    if module._diff:
        result["diff"] = {"before": before, "after": state}
    after = host.report(state)
    return dict(result, state=state, serving=after["serving"], after=after, warnings=host.warnings)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    p = module.params
    host = None
    try:
        check_tag("be_tag", p["be_tag"])
        check_tag("fe_tag", p["fe_tag"])
        docker = DockerCli(module)
        docker.check_engine()
        host = Host(docker, p)
        if module.check_mode:        # no lock file: check mode writes nothing
            result = deploy(module, host)
        else:
            with DeployLock(host.state_path + ".lock"):
                result = deploy(module, host)
    except (BlueGreenError, DockerError, StateFileError, ValueError, OSError) as exc:
        module.fail_json(msg=str(exc), log=locals().get("host") and host.log or [])
    for warning in result.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
