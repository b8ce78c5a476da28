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
  - All changes are staged and then deployed once with C(secrets deploy) - one restart of the
    machines for any number of secrets. Values go to flyctl on standard input only, never on a
    command line - C(secrets import --stage) reading C(NAME=VALUE) lines, each value quoted for
    flyctl's import parser (which takes an unquoted C(#) as a comment, strips one pair of
    quotes and reads three double quotes as a multi-line value) and parsed back by the module
    before anything is called, so that flyctl stores it byte for byte. A value that parser
    cannot carry goes through C(secrets set NAME=- --stage) instead (value on standard input),
    unless it has white space at either end, which that command trims - such a value is
    refused, with nothing changed. C(secrets unset --stage) removes.
  - After the set, every name set must be listed by C(secrets list), and a new value must have
    changed the listed digest, before the module records anything; records made by versions of
    this module that sent values unquoted are not trusted (those secrets are set once more).
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
      - Secrets that must have these values, as C(NAME - value). Any text - C(#), both kinds of
        quotes, C(=), spaces at either end, several lines - is stored exactly as given (see above
        for the few values flyctl cannot store unchanged, which are refused).
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
    secret_calls,
    secret_storage_problems,
    state_path,
    status_summary,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    now_iso,
    read_state,
    write_state,
)


RECORD_FORMAT = 2   # 1 (no "format"): values were sent unquoted and may have been stored changed


def run(module, fly):
    p = module.params
    wanted = {}
    for name, value in (p["secrets"] or {}).items():
        check_secret_name(name)
        wanted[name] = "" if value is None else str(value)
    for name in p["absent"]:
        check_secret_name(name)
    path = state_path(p["state_dir"], p["app"], "secrets")
    record = read_state(path, default={})
    salt = record.get("salt") or new_salt()
    records = record.get("secrets", {}) if record.get("format") == RECORD_FORMAT else {}
    listed = fly.secrets()
    to_set, to_unset, reasons = plan_secrets(listed, wanted, p["absent"], records, salt, force=p["force"])
    if record.get("secrets") and record.get("format") != RECORD_FORMAT:
        for name in to_set:
            if reasons[name].startswith("present, but set outside"):
                reasons[name] = "recorded by an older version of this module, which could store a changed value"
    # Refuse, before any call, a value no flyctl path would store unchanged.
    import_text, by_stdin = secret_calls(dict((n, wanted[n]) for n in to_set))
    staged = [s["name"] for s in listed if s["status"] in ("Staged", "Partial") and s["name"] in wanted]
    result = dict(changed=bool(to_set or to_unset), set=to_set, unset=to_unset, reasons=reasons, deployed=False,
                  names=listed)
    before = dict((s["name"], s["digest"]) for s in listed)
    if module.check_mode or not (to_set or to_unset or (staged and p["deploy"])):
        if staged and p["deploy"] and not result["changed"]:
            result["changed"] = True
            reasons.update(dict((n, "staged, not deployed") for n in staged))
        return result, before, before
    if import_text:
        fly.run(["secrets", "import", "-a", p["app"], "--stage"], data=import_text)
    for name in by_stdin:
        fly.run(["secrets", "set", "%s=-" % name, "-a", p["app"], "--stage"], data=wanted[name])
    if to_unset:
        fly.run(["secrets", "unset"] + to_unset + ["-a", p["app"], "--stage"])
    after_list = fly.secrets()
    after = dict((s["name"], s["digest"]) for s in after_list)
    problems = secret_storage_problems(to_set, reasons, before, after)
    if problems:
        # Nothing recorded and nothing deployed: the next run sets them again.
        raise FlyctlError("flyctl did not store the secrets as set (staged, not deployed, not recorded): %s"
                          % "; ".join(problems), kind="not_stored", names=after_list)
    if staged:
        result["changed"] = True
        reasons.update(dict((n, "staged, not deployed") for n in staged if n not in reasons))
    if p["deploy"]:
        summary = status_summary(fly.status())
        if summary["machines_total"]:
            fly.run(["secrets", "deploy", "-a", p["app"]])
            result["deployed"] = True
            after_list = fly.secrets()
            after = dict((s["name"], s["digest"]) for s in after_list)
        else:
            module.warn("the app has no machines: the secrets are staged and take effect with the next deploy")
    for name in to_set:
        records[name] = {"digest": after.get(name), "fingerprint": fingerprint(wanted[name], salt), "set_at": now_iso(),
                         "via": "set from stdin" if name in by_stdin else "import"}
    for name in to_unset:
        records.pop(name, None)
    ensure_dir(path)
    write_state(path, {"format": RECORD_FORMAT, "salt": salt, "secrets": records}, mode=0o600)
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
