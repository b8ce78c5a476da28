#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pm2_info
short_description: What PM2 is running, without the environment it carries
version_added: "0.1.0"
description:
  - Reads C(pm2 jlist) and returns one entry per process instance with its status, restarts,
    uptime, exec mode, and the release it really serves.
  - C(pm2 jlist) holds the full environment of whoever started each app (API keys included);
    this module returns only the fields listed under RV(processes), never the environment.
  - The serving release is read from C(/proc/<pid>/cwd) of each running instance, because
    jlist only shows the C(current) symlink path.
  - Fails when no PM2 daemon runs for O(pm2_home), instead of starting an empty one as any
    pm2 command would.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.pm2
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  name:
    description: Only the processes of this app. All apps when unset.
    type: str
  app_dir:
    description:
      - Release layout of the app (C(releases/<id>), C(current)). When set, RV(processes[].release)
        is the release id and RV(release) tells what C(current) points to.
    type: path
"""

EXAMPLES = r"""
- name: Read the AI service's processes as the user that runs them
  oncall.runbooks.pm2_info:
    name: ai-service
    app_dir: /srv/ai-service
  become: true
  become_user: ec2-user
  register: ai

- name: Every instance is online and serves the linked release
  ansible.builtin.assert:
    that:
      - ai.processes | map(attribute='status') | unique == ['online']
      - ai.processes | map(attribute='release') | unique == [ai.release]
"""

RETURN = r"""
processes:
  description: One entry per instance (PM2 lists each cluster worker on its own).
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "App name.", type: str, sample: ai-service}
    pm_id: {description: "PM2 id of this instance.", type: int, sample: 0}
    pid: {description: "OS pid; 0 when not running.", type: int, sample: 4242}
    status: {description: "PM2 status: online, stopping, stopped, launching, errored, one-launch-status.", type: str, sample: online}
    restarts: {description: "Restarts and reloads so far.", type: int, sample: 3}
    unstable_restarts: {description: "Restarts that came too soon after a start.", type: int, sample: 0}
    uptime_s: {description: "Seconds since this instance started; null unless online.", type: int, sample: 120}
    exec_mode: {description: "cluster or fork.", type: str, sample: cluster}
    instances: {description: "Instances configured for the app.", type: raw, sample: 2}
    namespace: {description: "PM2 namespace.", type: str, sample: default}
    version: {description: "C(version) of the running code's package.json.", type: str, sample: 1.0.2}
    cwd: {description: "Working directory as configured (the symlink path).", type: str, sample: /srv/ai-service/current}
    script: {description: "Script as configured.", type: str, sample: /srv/ai-service/current/server.js}
    release: {description: "Release really served (release id with O(app_dir), else the resolved path); null when not running.", type: str, sample: v2}
    memory_bytes: {description: "Resident memory.", type: int}
    cpu_percent: {description: "CPU use.", type: float}
release:
  description: Release id C(current) points to; null without O(app_dir) or without a link.
  returned: always
  type: str
  sample: v2
pm2_home:
  description: The PM2_HOME read.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.pm2 import (
    Pm2Cli,
    Pm2Error,
    ReleaseLayout,
    release_of_pid,
    summarize,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            app_dir=dict(type="path"),
            pm2_home=dict(type="path"),
            pm2_binary=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        pm2 = Pm2Cli(module, binary=p["pm2_binary"], pm2_home=p["pm2_home"])
        pm2.require_daemon()
        layout = ReleaseLayout(p["app_dir"]) if p["app_dir"] else None
        linked = None
        if layout:
            layout.check()
            linked = layout.current()
        procs = pm2.processes(p["name"]) if p["name"] else pm2.jlist()
    except Pm2Error as exc:
        module.fail_json(msg=str(exc))
    releases_dir = layout.releases_dir if layout else None
    module.exit_json(
        changed=False, pm2_home=pm2.home, release=linked,
        processes=[summarize(proc, live_release=release_of_pid(proc.get("pid"), releases_dir))
                   for proc in procs])


if __name__ == "__main__":
    main()
