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
  - Reads what the runbook's system already has (see M(oncall.runbooks.bluegreen_deploy) for
    how the answering colour is seen) and changes nothing.
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
  description: Colour answering through the gateway (seen in its container log, or the configured header or field); null when nothing answers.
  returned: always
  type: str
gateway_target:
  description: Colour the gateway's running configuration names; null when it names neither.
  returned: always
  type: str
configured:
  description: Colour C(NGINX_BACKEND_HOST) names in the gateway's env file.
  returned: always
  type: str
restart_color:
  description: >-
    Colour the gateway would render if its container were restarted (its environment, set when
    it was created); differs from RV(gateway_target) after a switch without a recreate, until the
    next C(up -d). Null in V(include) mode.
  returned: always
  type: str
gateway_mode:
  description: How the gateway is switched on this host.
  returned: always
  type: str
project:
  description: Compose project of the application, as Compose names it.
  returned: always
  type: str
consistent:
  description: >-
    The state file's activeColor is the colour that answers, the gateway's running config and
    its env file name it, and that backend is healthy.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import (
    BlueGreenError,
    check_state,
    common_argument_spec,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen_host import Host
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import DockerCli, DockerError
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError, read_state


def main():
    module = AnsibleModule(argument_spec=common_argument_spec(), supports_check_mode=True)
    p = dict(module.params, fe_tag=None, be_tag=None, frontend=None)
    try:
        docker = DockerCli(module)
        docker.check_engine()
        host = Host(docker, p)
        data = read_state(host.state_path)
        report = host.report(check_state(data, host.state_path) if data is not None else None)
    except (BlueGreenError, DockerError, StateFileError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
