#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: redis_ping
short_description: Check that a Redis server answers PING, over redis:// or TLS rediss://
version_added: "0.1.0"
description:
  - Seed 002's Redis check (the alert "Redis 연결 - 연결 실패"; C(REDIS_URL=rediss://...) on
    Upstash) - connects to O(url), authenticates with the URL's user and password, selects its
    database and sends C(PING), expecting C(PONG).
  - Speaks Redis' protocol with the Python standard library (socket, ssl); nothing to install.
  - The URL is a secret (it holds the password), so it is never returned or logged; RV(target)
    shows it with the password replaced by C(****). (Being a C(no_log) option, a URL without a
    password is itself masked wherever it appears in the task's output.)
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Only reads; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  url:
    description: C(redis://[[user]:password@]host[:port][/db]) or C(rediss://...) for TLS.
    type: str
    required: true
  ca_path:
    description: CA certificate(s) to verify a C(rediss://) server with; the system's when unset.
    type: path
  validate_certs:
    description: Verify the TLS server's certificate and name.
    type: bool
    default: true
  timeout:
    description: Seconds to connect and for each reply.
    type: float
    default: 5
  fail_on_error:
    description: Fail the task when PING does not answer PONG. With V(false), report RV(ok=false) instead.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Redis reachable (seed 002, P1 "Redis 연결 장애")
  oncall.runbooks.redis_ping:
    url: "{{ soul_lab_redis_url }}"
    fail_on_error: false
  register: redis
"""

RETURN = r"""
ok:
  description: PING answered PONG.
  returned: always
  type: bool
reply:
  description: The server's reply to PING.
  returned: always
  type: str
tls:
  description: Whether TLS (rediss://) was used.
  returned: always
  type: bool
target:
  description: The URL with the password masked.
  returned: always
  type: str
  sample: rediss://default:****@eu1-soul.upstash.io:6379/0
elapsed_ms:
  description: Time taken.
  returned: always
  type: float
reason:
  description: Why it failed; empty when ok.
  returned: always
  type: str
error_kind:
  description: V(auth), V(tls), V(timeout), V(unreachable), V(protocol), V(select) or V(error); null when ok.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import redis_probe


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True, no_log=True),
            ca_path=dict(type="path"),
            validate_certs=dict(type="bool", default=True),
            timeout=dict(type="float", default=5),
            fail_on_error=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p["timeout"] <= 0:
        module.fail_json(msg="timeout must be more than 0")
    try:
        target = redis_probe.parse_url(p["url"])
    except redis_probe.RedisProbeError as exc:
        module.fail_json(msg=str(exc))
    if target["password"]:
        module.no_log_values.add(target["password"])
    result = redis_probe.ping(p["url"], timeout=p["timeout"], ca_path=p["ca_path"], validate_certs=p["validate_certs"])
    if not result["ok"] and p["fail_on_error"]:
        module.fail_json(msg="Redis %s: %s" % (result["target"], result["reason"]), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
