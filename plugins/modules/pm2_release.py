#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pm2_release
short_description: Deploy or roll back a release of a PM2 app, verified, with automatic restore
version_added: "0.1.0"
description:
  - Manages a Capistrano layout - C(<app_dir>/releases/<id>/) and an atomically switched
    C(<app_dir>/current) symlink - for an app run by PM2.
  - O(state=deployed) makes O(release) live. O(state=rolled_back) makes the previous good
    release live, or O(release) when named.
  - Switching means - point C(current) at the release, C(pm2 reload) the app (or start it
    from O(ecosystem) when it is not running), wait until every instance is C(online) and
    serves the new release, then probe O(health) until it answers healthy O(health.consecutive)
    times in a row. C(pm2 reload) exits 0 even when the new release crashes, so these checks
    decide.
  - When a check fails, the previous release is put back, reloaded and checked, the failed
    release is marked bad, and the task fails saying what it saw. A release marked bad is
    refused by later deploys until O(force=true) clears the mark.
  - History (which release was live when, which are bad) is kept in
    C(<app_dir>/release-state.json). The newest O(keep_releases) releases are kept; the live
    and the previous good release are never deleted.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.pm2
attributes:
  check_mode:
    support: full
    details:
      - Reports which release would become live and which would be pruned; touches nothing.
  diff_mode:
    support: full
    details:
      - The live release before and after.
  platform:
    platforms: posix
options:
  name:
    description: PM2 app name.
    type: str
    required: true
  app_dir:
    description: Directory holding C(releases/), C(current) and C(release-state.json).
    type: path
    required: true
  state:
    description:
      - V(deployed) - O(release) is live.
      - V(rolled_back) - O(release) when set, else the best release the server's history
        supports, is live, and the release that was live is marked bad when O(mark_bad=true).
        Candidates are ranked by evidence, never by age alone - releases C(pm2_release)
        verified healthy (C(release-state.json)), then releases C(revisions.log) shows
        replaced by a later deploy and never rolled back from, most recently live first; only
        then, Capistrano's rule, releases older than the live one with nothing bad recorded,
        newest first. Releases marked bad or rolled back from are never picked; releases
        newer than the live one that were never live are never picked.
    type: str
    choices: [deployed, rolled_back]
    default: deployed
  release:
    description: Release id, a directory under C(releases/). Required with O(state=deployed).
    type: str
  force:
    description: Deploy a release marked bad, and clear its mark.
    type: bool
    default: false
  mark_bad:
    description:
      - With O(state=rolled_back), mark the release rolled back from as bad.
      - In every state, a release that fails its checks is marked bad.
    type: bool
    default: true
  reason:
    description: Why, recorded with a bad mark (for example the severity and the health reason).
    type: str
  ecosystem:
    description:
      - PM2 ecosystem file used to start the app when it is not running.
      - Defaults to C(<app_dir>/ecosystem.config.js).
    type: path
  start_if_stopped:
    description:
      - Start the app from O(ecosystem) when no PM2 daemon runs or the app is not in its list.
      - When V(false), either case is an error, since the wrong O(pm2_home) looks just like it.
    type: bool
    default: false
  online_timeout:
    description: Seconds to wait for every instance to be online on the new release.
    type: int
    default: 60
  health:
    description: Health probe that must pass after the switch. Only the online check runs when unset.
    type: dict
    suboptions:
      url:
        description: URL to probe from the managed node.
        type: str
        required: true
      json_checks:
        description: JSON assertions, as in M(oncall.runbooks.http_check).
        type: list
        elements: str
        default: []
      status_codes:
        description: Healthy status codes.
        type: list
        elements: int
        default: [200]
      timeout:
        description: Seconds per request.
        type: float
        default: 5
      consecutive:
        description: Healthy answers in a row needed.
        type: int
        default: 3
      retries:
        description: Probes after the first before giving up.
        type: int
        default: 20
      delay:
        description: Seconds between probes.
        type: float
        default: 1
      give_up_after:
        description:
          - Give up on a release after this many unhealthy answers in a row once it is online
            (it hangs, or answers 500), instead of probing O(health.retries) times. Unset or
            V(0) - never before the retries run out.
        type: int
  keep_releases:
    description:
      - Releases to keep on disk; the rest are deleted after a successful switch, bad ones
        first, then those with no record of being healthy, those the history calls good
        last, oldest first. Never the live release, the one live before it, nor the best
        release to roll back to. C(pruned_why) says why each went.
    type: int
    default: 5
  attempts:
    description:
      - With O(state=rolled_back) and no O(release), how many candidates to try in one run,
        best first. A candidate that fails its checks is marked bad and the next one is
        tried; the release rolled back from is never one of them.
    type: int
    default: 3
  revisions_log:
    description:
      - Capistrano's C(revisions.log), read (never written) as evidence of which releases
        were good - replaced by a later deploy - and which were rolled back from.
      - Defaults to C(<app_dir>/revisions.log); a missing file is no evidence.
    type: path
seealso:
  - module: oncall.runbooks.pm2_info
  - module: oncall.runbooks.http_check
"""

EXAMPLES = r"""
- name: Deploy v42 of the AI service, checked by its health endpoint
  oncall.runbooks.pm2_release:
    name: ai-service
    app_dir: /srv/ai-service
    release: v42
    health:
      url: http://127.0.0.1:8080/actuator/health
      json_checks: [status == UP]
  become: true
  become_user: ec2-user

- name: Roll back to the previous good release, marking the current one bad
  oncall.runbooks.pm2_release:
    name: ai-service
    app_dir: /srv/ai-service
    state: rolled_back
    reason: "P0: health check failed"
    health:
      url: http://127.0.0.1:8080/actuator/health

- name: Roll back to a named release
  oncall.runbooks.pm2_release:
    name: ai-service
    app_dir: /srv/ai-service
    state: rolled_back
    release: v40

- name: Deploy a release that was marked bad, after the fix was confirmed
  oncall.runbooks.pm2_release:
    name: ai-service
    app_dir: /srv/ai-service
    release: v41
    force: true
"""

RETURN = r"""
release:
  description: Release live after the task (the restored one when the task failed).
  returned: always
  type: str
  sample: v42
previous:
  description: Release live before the task.
  returned: always
  type: str
  sample: v41
action:
  description: What was done - none, deployed, rolled_back, started, or restored (after a failed check).
  returned: always
  type: str
  sample: deployed
processes:
  description: The app's instances after the task, as M(oncall.runbooks.pm2_info) returns them.
  returned: always
  type: list
  elements: dict
health:
  description: Verdict of the last health probe (healthy, status, reason, attempts); null when not probed.
  returned: always
  type: dict
bad_releases:
  description: Releases marked bad, with since and reason.
  returned: always
  type: dict
  sample: {"v43": {"since": "2026-11-21T03:12:00+00:00", "reason": "P0: status 500"}}
restored:
  description:
    - After a failed check, the release put back, whether it came back online and healthy
      (C(ok)), and what was seen. Null when nothing had to be restored.
  returned: always
  type: dict
  sample: {"release": "v41", "ok": true, "seen": "online and healthy"}
pruned:
  description: Releases deleted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
pruned_why:
  description: Why each release in RV(pruned) went.
  returned: always
  type: dict
  sample: {"v38": "bad (marked bad since 2026-11-20T03:12:00+00:00: P0); keep_releases=5"}
candidates:
  description: Releases to try in turn, best first (one when O(release) is named).
  returned: always
  type: list
  elements: str
  sample: ["v41", "v40"]
tried:
  description: Releases made live in this run, in order, whether each passed its checks and what was seen.
  returned: always
  type: list
  elements: dict
  sample: [{"release": "v42", "ok": false, "seen": "health: timed out"}, {"release": "v41", "ok": true, "seen": "online and healthy"}]
evidence:
  description: What the history (release-state.json, revisions.log) says of each release on disk it mentions - verdict good, bad or unknown, and why.
  returned: always
  type: dict
  sample: {"v41": {"verdict": "good", "why": "replaced by the deploy of v42, never rolled back from (revisions.log)", "seen": 4}}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import ProbeError
from ansible_collections.oncall.runbooks.plugins.module_utils.pm2 import Pm2Error
from ansible_collections.oncall.runbooks.plugins.module_utils.pm2_switch import ReleaseManager
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError


def main():
    health_spec = dict(
        url=dict(type="str", required=True),
        json_checks=dict(type="list", elements="str", default=[]),
        status_codes=dict(type="list", elements="int", default=[200]),
        timeout=dict(type="float", default=5),
        consecutive=dict(type="int", default=3),
        retries=dict(type="int", default=20),
        delay=dict(type="float", default=1),
        give_up_after=dict(type="int"),
    )
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            app_dir=dict(type="path", required=True),
            state=dict(type="str", default="deployed", choices=["deployed", "rolled_back"]),
            release=dict(type="str"),
            force=dict(type="bool", default=False),
            mark_bad=dict(type="bool", default=True),
            reason=dict(type="str"),
            ecosystem=dict(type="path"),
            start_if_stopped=dict(type="bool", default=False),
            online_timeout=dict(type="int", default=60),
            health=dict(type="dict", options=health_spec),
            keep_releases=dict(type="int", default=5),
            attempts=dict(type="int", default=3),
            revisions_log=dict(type="path"),
            pm2_home=dict(type="path"),
            pm2_binary=dict(type="path"),
        ),
        required_if=[("state", "deployed", ["release"])],
        supports_check_mode=True,
    )
    try:
        ReleaseManager(module).run()
    except (Pm2Error, ProbeError, StateFileError) as exc:
        module.fail_json(msg=str(exc))


if __name__ == "__main__":
    main()
