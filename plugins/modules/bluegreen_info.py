#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bluegreen_info
short_description: A blue-green deployment as the state file says and as it really is
version_added: "0.1.0"
description:
  - Reads C(deploy-state.json) and looks at what really runs - each colour's backend
    (running, healthy, image tag), the colour the gateway's configuration names, and the
    colour that actually answers through the gateway.
  - RV(consistent) tells whether they agree - what the pre-deploy checklist of seed 001
    section 7.1 asks ("is activeColor what we expect?").
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.bluegreen
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  gateway:
    description: The gateway (see M(oncall.runbooks.bluegreen_deploy)).
    type: dict
    required: true
    suboptions:
      url:
        description: URL through the gateway.
        type: str
        required: true
      upstream_file:
        description: Upstream include, relative to O(server_root).
        type: str
        default: gateway/nginx/conf.d/upstream.conf
seealso:
  - module: oncall.runbooks.bluegreen_deploy
"""

EXAMPLES = r"""
- name: Where are we?
  oncall.runbooks.bluegreen_info:
    server_root: /home/deploy/srv/web_project
    backends: {blue: "127.0.0.1:8081", green: "127.0.0.1:8082"}
    gateway: {url: "http://127.0.0.1/api/actuator/health"}
  register: bg

- name: Pre-deploy checklist (seed 001 7.1)
  ansible.builtin.assert:
    that: [bg.consistent, bg.state.activeColor == 'blue']
"""

RETURN = r"""
state:
  description: deploy-state.json; null when there is none.
  returned: always
  type: dict
backends:
  description: Per colour - running, healthy, tag.
  returned: always
  type: dict
  sample: {"blue": {"running": true, "healthy": true, "tag": "v1"}, "green": {"running": false, "healthy": false, "tag": null}}
serving:
  description: Colour answering through the gateway (its X-Color header); null when nothing answers.
  returned: always
  type: str
gateway_target:
  description: Colour the gateway's upstream include names.
  returned: always
  type: str
consistent:
  description: The state file's activeColor is what the gateway config names and what answers, and that backend is healthy.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import (
    BlueGreenError,
    Executor,
    check_state,
    common_argument_spec,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import DockerCli, DockerError
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError, read_state


def main():
    module = AnsibleModule(
        argument_spec=dict(
            common_argument_spec(),
            gateway=dict(type="dict", required=True, options=dict(
                url=dict(type="str", required=True),
                upstream_file=dict(type="str", default="gateway/nginx/conf.d/upstream.conf"))),
        ),
        supports_check_mode=True,
    )
    p = dict(module.params, env_file=None, fe_tag=None)
    p["gateway"] = dict(p["gateway"], compose_file="", env_file="", project=None, service="nginx", mode="reload")
    try:
        docker = DockerCli(module)
        docker.check_engine()
        executor = Executor(docker, p)
        observed = executor.observe()
        data = read_state(executor.state_path)
        state = check_state(data, executor.state_path) if data is not None else None
    except (BlueGreenError, DockerError, StateFileError) as exc:
        module.fail_json(msg=str(exc))
    backends = dict((c, dict((k, v) for k, v in b.items() if k != "containers"))
                    for c, b in observed.backends.items())
    active = state["activeColor"] if state else None
    module.exit_json(changed=False, state=state, backends=backends, serving=observed.serving,
                     gateway_target=observed.gateway_target,
                     consistent=bool(active) and active == observed.serving == observed.gateway_target
                     and observed.up(active))


if __name__ == "__main__":
    main()
