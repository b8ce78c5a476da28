#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: daily_report
short_description: Write the daily check's report - an HTML page and JSON, with the last runs' history
version_added: "0.1.0"
description:
  - Takes the checks of a run (host, check, status C(ok)/C(warn)/C(fail), what was seen) and writes
    C(<dest>/report.json), C(<dest>/report.html) and C(<dest>/history.json) (the last O(keep_runs)
    runs, newest first).
  - The HTML page puts failures first, coloured red, amber or green, with the reason of each, and a
    table of the last runs.
  - Writing the report is not reported as a change - it changes no managed host; it is the
    run's output, like its log.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Builds and returns the summary, writes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  items:
    description: The checks, each C({host, check, status, detail}); status is ok, warn or fail.
    type: list
    elements: dict
    required: true
  dest:
    description: Directory of the report (made when missing).
    type: path
    required: true
  title:
    description: Page title.
    type: str
    default: Daily check
  keep_runs:
    description: Runs kept in the history.
    type: int
    default: 30
"""

EXAMPLES = r"""
- name: Write the report
  oncall.runbooks.daily_report:
    dest: /var/lib/oncall-runbooks/reports/daily
    items:
      - {host: web-prod-1, check: "gateway health", status: ok, detail: "200 in 41 ms"}
      - {host: web-prod-1, check: "certificate example.com", status: warn, detail: "12.0 days left"}
  delegate_to: localhost
  run_once: true
  register: report
"""

RETURN = r"""
summary:
  description: Overall result (ok, warn or fail), counts per status, and the failed checks.
  returned: always
  type: dict
  sample: {overall: fail, counts: {fail: 1, warn: 0, ok: 5}, failed: ["lab-ai: ai-service health"]}
html:
  description: Path of the HTML page.
  returned: always
  type: str
json:
  description: Path of the JSON report.
  returned: always
  type: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import report
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    now_iso,
    read_state,
    write_state,
)


def write_text(path, text):
    tmp = path + ".partial"
    with open(tmp, "w") as handle:
        handle.write(text)
    os.rename(tmp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            items=dict(type="list", elements="dict", required=True),
            dest=dict(type="path", required=True),
            title=dict(type="str", default="Daily check"),
            keep_runs=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    p = module.params
    dest = p["dest"]
    paths = dict(html=os.path.join(dest, "report.html"), json=os.path.join(dest, "report.json"))
    try:
        if p["keep_runs"] < 1:
            raise report.ReportError("keep_runs must be 1 or more")
        items = report.normalize(p["items"])
        summary = report.summarize(items)
        history_path = os.path.join(dest, "history.json")
        history = (read_state(history_path, default={"runs": []}) or {}).get("runs", [])
    except (report.ReportError, StateFileError) as exc:
        module.fail_json(msg=str(exc))
    generated = now_iso()
    if not module.check_mode:
        history = report.add_run(history, dict(summary, generated=generated), p["keep_runs"])
        try:
            if not os.path.isdir(dest):
                os.makedirs(dest, 0o755)
            write_state(history_path, {"runs": history})
            write_text(paths["json"], json.dumps(dict(title=p["title"], generated=generated, summary=summary,
                                                      items=items), indent=2) + "\n")
            write_text(paths["html"], report.render_html(p["title"], generated, items, summary, history))
        except (OSError, StateFileError) as exc:
            module.fail_json(msg="cannot write the report in %s: %s" % (dest, exc))
    module.exit_json(changed=False, summary=summary, **paths)


if __name__ == "__main__":
    main()
