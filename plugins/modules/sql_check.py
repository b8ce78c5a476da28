#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sql_check
short_description: Measure a signal with a read-only SQL query against PostgreSQL
version_added: "0.1.0"
description:
  - Runs one query with C(psql) and returns its rows and, as RV(signals), the first column of
    the first row under the name O(signal), ready for the P0-P3 table of the
    C(oncall.runbooks.severity) filter.
  - "The alert thresholds of seed 003 §4-E that are SQL, for example the scheduled-message
    backlog (C(SELECT count(*) FROM messages WHERE scheduled_status = 'pending' AND
    scheduled_at < now()), warn over 50, P0 over 200) or negative wallet balances."
  - The query runs in a read-only transaction (C(SET TRANSACTION READ ONLY)), so a check
    cannot change data.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.soul_lab.postgres
attributes:
  check_mode:
    support: full
    details:
      - Read-only; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  query:
    description:
      - One SQL statement returning rows. Refer to O(params) as C(:'name') (a quoted literal)
        or C(:name) (as is).
    type: str
    required: true
  params:
    description: Values for the query, passed as psql variables, never pasted into the SQL.
    type: dict
    default: {}
  signal:
    description: Name of the measured value in RV(signals).
    type: str
    default: value
"""

EXAMPLES = r"""
- name: Scheduled-message backlog (seed 003 §4-E)
  oncall.runbooks.sql_check:
    query: >-
      SELECT count(*) FROM messages
      WHERE scheduled_status = 'pending' AND scheduled_at < now()
    signal: scheduled_backlog
    db_host: db.example.supabase.co
    db_port: 5432
    db_name: postgres
    db_user: ops_readonly
    db_password: "{{ supabase_db_password }}"
    sslmode: require
  register: backlog

- name: Classify it
  ansible.builtin.set_fact:
    incident: "{{ backlog.signals | oncall.runbooks.severity(supabase_thresholds) }}"
"""

RETURN = r"""
rows:
  description: The rows, column name to value (numbers and booleans converted, NULL as null).
  returned: always
  type: list
  elements: dict
row_count:
  description: Number of rows.
  returned: always
  type: int
value:
  description: First column of the first row; null when there is no row.
  returned: always
  type: raw
signals:
  description: The measured value under the name O(signal).
  returned: always
  type: dict
  sample: {"scheduled_backlog": 240}
error_kind:
  description: On failure, V(auth), V(unreachable), V(not_found), V(sql), V(timeout), V(input) or V(missing_binary).
  returned: on failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import psql as pg


def main():
    spec = pg.argument_spec()
    spec.update(query=dict(type="str", required=True), params=dict(type="dict", default={}),
                signal=dict(type="str", default="value"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    query = p["query"].strip().rstrip(";").strip()
    if not query or ";" in query:
        module.fail_json(msg="query must be one SQL statement", error_kind="input")
    try:
        client = pg.Psql(module, host=p["db_host"], port=p["db_port"], database=p["db_name"], user=p["db_user"],
                         password=p["db_password"], sslmode=p["sslmode"], binary=p["psql_binary"], timeout=p["timeout"])
        sql = "BEGIN TRANSACTION READ ONLY;\n%s;\nROLLBACK;\n" % query
        rows = client.run(sql, dict((k, "" if v is None else str(v)) for k, v in p["params"].items()))
    except pg.PsqlError as exc:
        module.fail_json(msg=str(exc), error_kind=exc.kind)
    value = None
    if rows:
        value = list(rows[0].values())[0] if rows[0] else None
    module.exit_json(changed=False, rows=rows, row_count=len(rows), value=value, signals={p["signal"]: value})


if __name__ == "__main__":
    main()
