#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: job_freshness
short_description: A dead-man's switch for scheduled jobs - record each success, alert when one is overdue
version_added: "0.1.0"
description:
  - With O(record), notes that a scheduled job (backup, prune, certificate dry run...) just
    succeeded, in a small JSON state file.
  - With O(max_age), reads the file and reports every job whose last success is older than its
    period, or that never succeeded. A job that silently stopped running is found this way,
    where its own alerts never fire.
  - A success is written only when the recorded one is older than O(min_interval), so a job re-run
    within that time changes nothing.
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
      - The recorded time before and after.
  platform:
    platforms: posix
options:
  path:
    description: The state file (made when missing; written atomically).
    type: path
    default: /var/lib/oncall-runbooks/freshness.json
  record:
    description: Name of the job that just succeeded.
    type: str
  min_interval:
    description: Seconds; a success recorded more recently than this is not rewritten.
    type: int
    default: 3600
  max_age:
    description:
      - Job name to the longest time allowed since its last success, in hours, or as a string
        with a unit - C(26h), C(8d), C(32d).
    type: dict
    default: {}
  fail_on_stale:
    description: Fail when a job is overdue (after reporting all of them).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The backup succeeded
  oncall.runbooks.job_freshness:
    record: mysql_backup

- name: Daily - is every scheduled job fresh?
  oncall.runbooks.job_freshness:
    max_age: {mysql_backup: 26h, image_prune: 8d, certbot_dry_run: 32d}
  register: freshness
"""

RETURN = r"""
jobs:
  description: Every job of O(max_age), oldest problem first.
  returned: when max_age is given
  type: list
  elements: dict
  contains:
    job: {description: "Job name.", type: str}
    last_success: {description: "ISO 8601 UTC time of the last success; null if never.", type: str}
    age_hours: {description: "Hours since then; null if never.", type: float}
    max_age_hours: {description: "The period allowed.", type: float}
    stale: {description: "Whether it is overdue.", type: bool}
stale:
  description: Names of the overdue jobs.
  returned: when max_age is given
  type: list
  elements: str
recorded:
  description: The time recorded for O(record).
  returned: when record is given
  type: str
"""

import datetime
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    now_iso,
    read_state,
    write_state,
)

UNITS = {"h": 1.0, "d": 24.0, "w": 168.0}


def hours(value):
    """26, '26h', '8d', '2w' -> hours."""
    text = str(value).strip().lower()
    unit = UNITS.get(text[-1:]) if text[-1:] in UNITS else 1.0
    number = text[:-1] if text[-1:] in UNITS else text
    try:
        result = float(number) * unit
    except ValueError:
        raise ValueError("%r is not a period (use hours, or a number with h, d or w)" % (value,))
    if result <= 0:
        raise ValueError("%r: the period must be more than 0" % (value,))
    return result


def parse_time(text):
    try:
        return datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise StateFileError("unreadable time %r in the freshness state file" % (text,))


def assess(successes, max_age, now):
    """One entry per job of max_age: overdue ones first, then by name."""
    jobs = []
    for job, period in max_age.items():
        limit = hours(period)
        last = successes.get(job)
        age = (now - parse_time(last)).total_seconds() / 3600.0 if last else None
        jobs.append(dict(job=job, last_success=last, age_hours=None if age is None else round(age, 2),
                         max_age_hours=limit, stale=age is None or age > limit))
    return sorted(jobs, key=lambda j: (not j["stale"], j["job"]))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/var/lib/oncall-runbooks/freshness.json"),
            record=dict(type="str"),
            min_interval=dict(type="int", default=3600),
            max_age=dict(type="dict", default={}),
            fail_on_stale=dict(type="bool", default=False),
        ),
        required_one_of=[("record", "max_age")],
        supports_check_mode=True,
    )
    p = module.params
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    try:
        state = read_state(p["path"], default={"successes": {}})
        successes = state.setdefault("successes", {})
        if not isinstance(successes, dict):
            raise StateFileError("%s: 'successes' is not a mapping" % p["path"])
        for period in p["max_age"].values():
            hours(period)  # bad input fails before anything is written
        for last in successes.values():
            parse_time(last)
    except (StateFileError, ValueError) as exc:
        module.fail_json(msg=str(exc))

    result = dict(changed=False)
    if p["record"]:
        last = successes.get(p["record"])
        fresh = last and (now - parse_time(last)).total_seconds() < p["min_interval"]
        stamp = last if fresh else now_iso()
        result["recorded"] = stamp
        if not fresh:
            result["changed"] = True
            result["diff"] = dict(before="%s: %s\n" % (p["record"], last), after="%s: %s\n" % (p["record"], stamp))
            successes[p["record"]] = stamp
            if not module.check_mode:
                try:
                    if not os.path.isdir(os.path.dirname(p["path"])):
                        os.makedirs(os.path.dirname(p["path"]), 0o755)
                    write_state(p["path"], state)
                except (StateFileError, OSError) as exc:
                    module.fail_json(msg=str(exc))
    if p["max_age"]:
        jobs = assess(successes, p["max_age"], now)
        result.update(jobs=jobs, stale=[j["job"] for j in jobs if j["stale"]])
        if p["fail_on_stale"] and result["stale"]:
            module.fail_json(msg="overdue: %s" % ", ".join(
                "%s (last success %s)" % (j["job"], j["last_success"] or "never") for j in jobs if j["stale"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
