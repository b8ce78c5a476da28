#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: flyctl_secret
short_description: Set and remove Fly.io app secrets idempotently, with one deploy, never showing values
version_added: "0.1.0"
description:
  - flyctl's C(secrets set) and C(secrets unset) redeploy every machine of the app B(even when
    nothing changed) - they do not compare anything. This module decides itself and calls
    nothing when nothing would change.
  - flyctl shows a digest per secret but never the value, and the digest cannot be computed
    from a value (it is made server-side). So after setting a secret the module records, in
    O(state_dir), the digest flyctl then lists and a salted PBKDF2 fingerprint of the value. A
    secret is left alone when flyctl still lists the recorded digest (nobody changed it since)
    and the wanted value has the recorded fingerprint. A secret that exists but was set outside
    this module is set once (its value cannot be compared), then recorded.
  - All changes are staged (C(secrets import --stage) reading C(NAME=VALUE) lines from standard
    input, so values never appear on a command line; C(secrets unset --stage)) and then deployed
    once with C(secrets deploy) - one restart of the machines for any number of secrets.
  - Values are never returned or logged; RV(names) lists the app's secret names only.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.flyctl
  - oncall.runbooks.flyctl.state
attributes:
  check_mode:
    support: full
    details:
      - Reads C(secrets list) and the record; returns which names would be set or removed and why; changes nothing.
  diff_mode:
    support: full
    details:
      - Secret names with their digests before and after (the digest of a value set in check mode is unknown).
  platform:
    platforms: posix
options:
  secrets:
    description:
      - Secrets that must have these values, as C(NAME - value). Values must be one line.
    type: dict
    default: {}
  absent:
    description: Secret names that must not exist.
    type: list
    elements: str
    default: []
  force:
    description: Set every secret of O(secrets) even when its value is known to be unchanged.
    type: bool
    default: false
  deploy:
    description:
      - Deploy the staged changes (C(secrets deploy)), restarting the machines once. When
        V(false) they stay staged until the next deploy. Skipped when the app has no machines
        (flyctl would fail with C(no machines available to deploy)); they are staged then.
    type: bool
    default: true
seealso:
  - module: oncall.runbooks.flyctl_info
"""

EXAMPLES = r"""
- name: Rotate the Azure app secret and the Redis URL - one deploy, values never shown
  oncall.runbooks.flyctl_secret:
    app: freshchat-bridge
    secrets:
      AZURE_APP_SECRET: "{{ vault_azure_app_secret }}"
      REDIS_URL: "{{ vault_redis_url }}"

- name: Remove a secret no longer used
  oncall.runbooks.flyctl_secret:
    app: freshchat-bridge
    absent: [OLD_WEBHOOK_TOKEN]
"""

RETURN = r"""
set:
  description: Names set (or that would be, in check mode).
  returned: always
  type: list
  elements: str
unset:
  description: Names removed (or that would be).
  returned: always
  type: list
  elements: str
reasons:
  description: Why each name is set or removed.
  returned: always
  type: dict
  sample: {"REDIS_URL": "new value", "OLD_TOKEN": "remove"}
deployed:
  description: Whether C(secrets deploy) ran (the machines were restarted once).
  returned: always
  type: bool
names:
  description: The app's secret names after the task, with digest and deploy status. Never values.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "AZURE_APP_SECRET", "digest": "73eb694e9d599c38", "status": "Deployed"}]
calls:
  description: The flyctl command lines run (values are passed on standard input, never here).
  returned: always
  type: list
  elements: list
error_kind:
  description: On failure, which case it was.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    FlyctlError,
    check_secret_name,
    common_argument_spec,
    ensure_dir,
    fail,
    fingerprint,
    new_salt,
    plan_secrets,
    runner,
    state_path,
    status_summary,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    now_iso,
    read_state,
    write_state,
)


def run(module, fly):
    p = module.params
    wanted = {}
    for name, value in (p["secrets"] or {}).items():
        check_secret_name(name)
        value = "" if value is None else str(value)
        if "\n" in value or "\r" in value:
            raise FlyctlError("secret %s: values must be one line" % name, kind="input")
        wanted[name] = value
    for name in p["absent"]:
        check_secret_name(name)
    path = state_path(p["state_dir"], p["app"], "secrets")
    record = read_state(path, default={})
    salt = record.get("salt") or new_salt()
    listed = fly.secrets()
    to_set, to_unset, reasons = plan_secrets(listed, wanted, p["absent"], record.get("secrets", {}), salt,
                                             force=p["force"])
    staged = [s["name"] for s in listed if s["status"] in ("Staged", "Partial") and s["name"] in wanted]
    result = dict(changed=bool(to_set or to_unset), set=to_set, unset=to_unset, reasons=reasons, deployed=False,
                  names=listed)
    before = dict((s["name"], s["digest"]) for s in listed)
    if module.check_mode or not (to_set or to_unset or (staged and p["deploy"])):
        if staged and p["deploy"] and not result["changed"]:
            result["changed"] = True
            reasons.update(dict((n, "staged, not deployed") for n in staged))
        return result, before, before
    if to_set:
        data = "\n".join("%s=%s" % (n, wanted[n]) for n in to_set)
        fly.run(["secrets", "import", "-a", p["app"], "--stage"], data=data)
    if to_unset:
        fly.run(["secrets", "unset"] + to_unset + ["-a", p["app"], "--stage"])
    if staged:
        result["changed"] = True
        reasons.update(dict((n, "staged, not deployed") for n in staged if n not in reasons))
    if p["deploy"]:
        summary = status_summary(fly.status())
        if summary["machines_total"]:
            fly.run(["secrets", "deploy", "-a", p["app"]])
            result["deployed"] = True
        else:
            module.warn("the app has no machines: the secrets are staged and take effect with the next deploy")
    after_list = fly.secrets()
    after = dict((s["name"], s["digest"]) for s in after_list)
    records = record.get("secrets", {})
    for name in to_set:
        records[name] = {"digest": after.get(name), "fingerprint": fingerprint(wanted[name], salt), "set_at": now_iso()}
    for name in to_unset:
        records.pop(name, None)
    ensure_dir(path)
    write_state(path, {"salt": salt, "secrets": records}, mode=0o600)
    result["names"] = after_list
    return result, before, after


def main():
    spec = common_argument_spec()
    spec.update(
        secrets=dict(type="dict", default={}, no_log=True),
        absent=dict(type="list", elements="str", default=[]),
        force=dict(type="bool", default=False),
        deploy=dict(type="bool", default=True),
        state_dir=dict(type="path", default="~/.local/state/oncall-runbooks/flyio"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    fly = None
    try:
        fly = runner(module)
        result, before, after = run(module, fly)
    except StateFileError as exc:
        fail(module, FlyctlError(str(exc), kind="state_file"), calls=fly.calls if fly else [])
    except FlyctlError as exc:
        fail(module, exc, calls=fly.calls if fly else [])
    if module._diff:
        if module.check_mode:
            after = dict((k, v) for k, v in before.items() if k not in result["unset"])
            after.update(dict((n, "(new digest)") for n in result["set"]))
        result["diff"] = {"before": before, "after": after}
    module.exit_json(calls=fly.calls, **result)


if __name__ == "__main__":
    main()
