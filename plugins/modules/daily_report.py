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
    table of the last runs. This plain page is written when O(html=true); the
    C(oncall.runbooks.report) role sets O(html=false) and renders the full page (checks grouped
    by host, a sparkline per check over the kept runs, open incidents) from RV(view) with a
    template a team can replace.
  - An item may carry the number its check measured (C(value), with C(unit) and C(threshold)),
    for example a response time or a certificate's days left; the history keeps each check's
    status and value per run, and RV(view) draws them.
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
    description:
      - The checks, each C({host, check, status, detail}); status is ok, warn or fail.
      - Optionally C(value) (a number), C(unit) and C(threshold) (the value where the status changes).
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
  html:
    description: Write the plain C(report.html). False when a template renders the page from RV(view).
    type: bool
    default: true
  incidents:
    description:
      - Incidents to link from the page, each C({id, title, severity, status, started, href});
        those not C(resolved) are listed in RV(view).
    type: list
    elements: dict
    default: []
  timezone:
    description: UTC offset and name the page's times are shown in (beside UTC).
    type: dict
    default: {offset: "+09:00", name: KST}
    suboptions:
      offset:
        description: Offset from UTC, like C(+09:00).
        type: str
        default: "+09:00"
      name:
        description: Its name.
        type: str
        default: KST
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
view:
  description:
    - What the full page shows (the C(oncall.runbooks.report) role's template draws it) -
      C(title), C(generated), C(overall), C(headline), C(counts), C(attention) (the failed and
      warning checks, failures first), C(groups) (per host, hosts with a failure first, each
      check with C(spark) - sparkline coordinates over the kept runs, oldest first, or null),
      C(runs) (the kept runs, newest first), C(kept_runs), C(incidents) (the open ones).
  returned: always
  type: dict
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import report
from ansible_collections.oncall.runbooks.plugins.module_utils.incident import IncidentError
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
            html=dict(type="bool", default=True),
            incidents=dict(type="list", elements="dict", default=[]),
            timezone=dict(type="dict", default={"offset": "+09:00", "name": "KST"},
                          options=dict(offset=dict(type="str", default="+09:00"),
                                       name=dict(type="str", default="KST"))),
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
    # in check mode too, so the view is the page this run would write
    history = report.add_run(history, report.run_record(summary, generated, items), p["keep_runs"])
    try:
        view = report.view(p["title"], generated, items, summary, history, p["incidents"],
                           p["timezone"]["offset"], p["timezone"]["name"])
    except IncidentError as exc:
        module.fail_json(msg=str(exc))
    if not module.check_mode:
        try:
            if not os.path.isdir(dest):
                os.makedirs(dest, 0o755)
            write_state(history_path, {"runs": history})
            write_text(paths["json"], json.dumps(dict(title=p["title"], generated=generated, summary=summary,
                                                      items=items), indent=2) + "\n")
            if p["html"]:
                write_text(paths["html"], report.render_html(p["title"], generated, items, summary, history))
        except (OSError, StateFileError) as exc:
            module.fail_json(msg="cannot write the report in %s: %s" % (dest, exc))
    module.exit_json(changed=False, summary=summary, view=view, **paths)


if __name__ == "__main__":
    main()
