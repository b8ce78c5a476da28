#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: env_file_secret
short_description: Set one secret in a dotenv file, keeping the previous value until the new one is proved
version_added: "0.1.0"
description:
  - Sets C(KEY=value) in an C(.env) file such as seed 001's C(.env.*) (rewritten atomically, its
    mode and owner kept), adding the line when the key is missing. Nothing is written when the
    value is already the one asked for.
  - With O(keep_previous), the value being replaced is saved (mode 0600) in that file first, so
    that a rotation whose verification fails can put it back (O(restore=true)), even from a later
    run after an interruption.
  - Values are never returned, logged or shown in a diff; the result says only whether the key
    changed, with short fingerprints of the old and new values for the audit trail.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The key's line with the value masked, before and after.
  platform:
    platforms: posix
options:
  path:
    description: The dotenv file.
    type: path
    required: true
  key:
    description: Variable name.
    type: str
    required: true
  value:
    description: The new value. Required unless O(restore=true).
    type: str
  keep_previous:
    description: File where the replaced value is saved (JSON, mode 0600) before the change.
    type: path
  restore:
    description: Put back the value saved in O(keep_previous), then delete that file. Nothing to do when it is absent.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Stage the new Slack token, keeping the old one until the service is verified
  oncall.runbooks.env_file_secret:
    path: /srv/web_project/monitoring/.env.monitoring.prod
    key: SLACK_TOKEN
    value: "{{ vault_new_slack_token }}"
    keep_previous: /srv/web_project/monitoring/.env.monitoring.prod.SLACK_TOKEN.previous
  register: slack_token

- name: Put the old token back (verification failed)
  oncall.runbooks.env_file_secret:
    path: /srv/web_project/monitoring/.env.monitoring.prod
    key: SLACK_TOKEN
    restore: true
    keep_previous: /srv/web_project/monitoring/.env.monitoring.prod.SLACK_TOKEN.previous
"""

RETURN = r"""
before_fingerprint:
  description: First 12 hex digits of the SHA-256 of the old value (null when the key was missing).
  returned: always
  type: str
after_fingerprint:
  description: The same for the value now in the file.
  returned: always
  type: str
"""

import hashlib
import json
import os
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.env_file import find, write_atomic

KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def fingerprint(value):
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def masked_line(key, value):
    return "(missing)\n" if value is None else "%s=<sha256 %s>\n" % (key, fingerprint(value))


def render(key, value):
    # single-quote what docker compose or a shell would split or expand
    if re.search(r"[\s#\"$`\\]", value):
        return "%s='%s'\n" % (key, value)
    return "%s=%s\n" % (key, value)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            key=dict(type="str", required=True, no_log=False),
            value=dict(type="str", no_log=True),
            keep_previous=dict(type="path"),
            restore=dict(type="bool", default=False),
        ),
        required_if=[("restore", True, ["keep_previous"]), ("restore", False, ["value"])],
        supports_check_mode=True,
    )
    p = module.params
    key, path = p["key"], p["path"]
    if not KEY.match(key):
        module.fail_json(msg="key %r is not a variable name" % key)
    try:
        with open(path) as handle:
            lines = handle.readlines()
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot read %s: %s" % (path, exc.strerror or exc))
    index, current = find(lines, key)

    wanted = p["value"]
    if wanted is not None and ("'" in wanted or "\n" in wanted):
        module.fail_json(msg="the value of %s holds a single quote or a newline, which a dotenv file cannot carry safely" % key)
    if p["restore"]:
        if not os.path.exists(p["keep_previous"]):
            module.exit_json(changed=False, before_fingerprint=fingerprint(current), after_fingerprint=fingerprint(current),
                             msg="nothing kept in %s: nothing to restore" % p["keep_previous"])
        try:
            with open(p["keep_previous"]) as handle:
                saved = json.load(handle)
            if saved.get("key") != key or not isinstance(saved.get("value"), str):
                raise ValueError("it holds no value for %s" % key)
        except (IOError, OSError, ValueError) as exc:
            module.fail_json(msg="cannot restore from %s: %s" % (p["keep_previous"], exc))
        wanted = saved["value"]

    result = dict(changed=current != wanted, before_fingerprint=fingerprint(current), after_fingerprint=fingerprint(wanted))
    if module._diff:
        result["diff"] = dict(before=masked_line(key, current), after=masked_line(key, wanted))
    if module.check_mode:
        module.exit_json(**result)
    try:
        if result["changed"]:
            if p["keep_previous"] and not p["restore"] and current is not None and not os.path.exists(p["keep_previous"]):
                write_atomic(p["keep_previous"], json.dumps({"key": key, "value": current}), mode=0o600)
            if index is None:
                if lines and not lines[-1].endswith("\n"):
                    lines[-1] += "\n"
                lines.append(render(key, wanted))
            else:
                lines[index] = render(key, wanted)
            write_atomic(path, "".join(lines), like=path)
        if p["restore"]:
            os.unlink(p["keep_previous"])
            result["changed"] = True
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot write %s: %s" % (path, exc.strerror or exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
