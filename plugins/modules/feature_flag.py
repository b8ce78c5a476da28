#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: feature_flag
short_description: Turn a feature flag row in PostgreSQL on or off (seed 003's kill switches)
version_added: "0.1.0"
description:
  - Seed 003 stops the bleeding with kill switches - feature-flag rows that turn a feature off
    (new payments, scheduled messages, publish) while the incident is handled, and on again
    when its exit condition holds.
  - Sets the boolean column O(enabled_column) of the row whose O(key_column) is O(name) in
    O(table), with one C(UPDATE ... WHERE enabled IS DISTINCT FROM ...), so a flag already in
    the wanted state is not written (and its O(updated_at_column) not touched).
  - A flag that does not exist is an error unless O(create=true).
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.soul_lab.postgres
attributes:
  check_mode:
    support: full
    details:
      - Reads the flag and reports whether it would change; writes nothing.
  diff_mode:
    support: full
    details:
      - The flag's value before and after.
  platform:
    platforms: posix
options:
  name:
    description: The flag's key, for example C(scheduled_messages).
    type: str
    required: true
  enabled:
    description: Whether the feature is on. A kill switch is thrown with V(false).
    type: bool
    required: true
  table:
    description: Table of the flags (C(name) or C(schema.name)).
    type: str
    default: feature_flags
  key_column:
    description: Column holding the flag's key.
    type: str
    default: key
  enabled_column:
    description: Boolean column holding its state.
    type: str
    default: enabled
  updated_at_column:
    description: Timestamp column set to C(now()) when the flag changes; none when unset.
    type: str
  create:
    description: Insert the flag when it does not exist.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Kill switch on - stop scheduling new messages (seed 003 §3-C)
  oncall.runbooks.feature_flag:
    name: scheduled_messages
    enabled: false
    db_host: 127.0.0.1
    db_port: 5432
    db_name: postgres
    db_user: ops
    db_password: "{{ supabase_db_password }}"
"""

RETURN = r"""
name:
  description: The flag.
  returned: always
  type: str
before:
  description: Its state before the task; null when it did not exist.
  returned: always
  type: bool
enabled:
  description: Its state after the task (in check mode, the state it would have).
  returned: always
  type: bool
error_kind:
  description: On failure, V(auth), V(unreachable), V(not_found), V(sql), V(timeout), V(input) or V(missing_binary).
  returned: on failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import psql as pg


def text(name, value):
    return "%s: %s\n" % (name, "(absent)" if value is None else ("enabled" if value else "disabled"))


def main():
    spec = pg.argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        enabled=dict(type="bool", required=True),
        table=dict(type="str", default="feature_flags"),
        key_column=dict(type="str", default="key", no_log=False),
        enabled_column=dict(type="str", default="enabled"),
        updated_at_column=dict(type="str"),
        create=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    want = p["enabled"]
    result = dict(changed=False, name=p["name"], before=None, enabled=None)
    try:
        read_sql = pg.flag_read_sql(p["table"], p["key_column"], p["enabled_column"])
        update_sql = pg.flag_update_sql(p["table"], p["key_column"], p["enabled_column"], p["updated_at_column"])
        insert_sql = pg.flag_insert_sql(p["table"], p["key_column"], p["enabled_column"])
        client = pg.Psql(module, host=p["db_host"], port=p["db_port"], database=p["db_name"], user=p["db_user"],
                         password=p["db_password"], sslmode=p["sslmode"], binary=p["psql_binary"], timeout=p["timeout"])
        variables = {"flag": p["name"], "enabled": "true" if want else "false"}
        rows = client.run(read_sql, variables)
        before = rows[0]["enabled"] if rows else None
        if not rows and not p["create"]:
            raise pg.PsqlError("no flag %s in %s (set create=true to add it)" % (p["name"], p["table"]), kind="not_found")
        result.update(before=before, enabled=before)
        if before is not want:
            result.update(changed=True, enabled=want)
            if module._diff:
                result["diff"] = dict(before=text(p["name"], before), after=text(p["name"], want))
            if not module.check_mode:
                written = client.run(update_sql if rows else insert_sql, variables)
                if written and written[0]["enabled"] is not want:
                    raise pg.PsqlError("flag %s reads %r after the update" % (p["name"], written[0]["enabled"]))
                if not written:
                    # another writer set it between our read and our update: already as wanted
                    result["changed"] = False
    except pg.PsqlError as exc:
        module.fail_json(msg=str(exc), error_kind=exc.kind, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
