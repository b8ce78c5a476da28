#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: incident_postmortem
short_description: Close an incident by writing its post-mortem in seed 003's template
version_added: "0.1.0"
description:
  - Renders the general post-mortem of seed 003 (Markdown - title and severity, date,
    duration, IC and scribe, impact, timeline, root cause, contributing factors, what went
    well, action items, links) from an incident record kept by M(oncall.runbooks.incident_event).
  - The timeline table is the record's events in the order they happened, with their times
    in O(timezone) (seed 003 writes KST).
  - Records a C(closed) event in the record. Writing the same post-mortem again changes nothing.
  - The values in O(secrets) are masked in everything written.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Renders and returns the post-mortem; writes nothing.
  diff_mode:
    support: full
    details:
      - The post-mortem before and after.
  platform:
    platforms: posix
options:
  path:
    description: The incident file written by M(oncall.runbooks.incident_event).
    type: path
    required: true
  dest:
    description: Where to write the post-mortem (Markdown). Its directory must exist.
    type: path
    required: true
  timezone:
    description: UTC offset the timeline is shown in, and its name.
    type: dict
    default: {offset: "+09:00", name: KST}
    suboptions:
      offset:
        description: Offset from UTC, like C(+09:00).
        type: str
        default: "+09:00"
      name:
        description: Shown in the timeline's header.
        type: str
        default: KST
  ic:
    description: Incident commander.
    type: str
    default: ""
  scribe:
    description: Scribe.
    type: str
    default: oncall.runbooks (automated timeline)
  impact:
    description: C(users), C(revenue), C(data) - the impact lines of the template.
    type: dict
    default: {}
  root_cause:
    description: Root cause, as far as the run knows it.
    type: str
    default: ""
  contributing:
    description: Contributing factors.
    type: list
    elements: str
    default: []
  went_well:
    description: What went well.
    type: list
    elements: str
    default: []
  action_items:
    description: Action items, each C({action, owner, due}).
    type: list
    elements: dict
    default: []
  links:
    description: C(notion), C(slack), C(pr), C(deploy).
    type: dict
    default: {}
  secrets:
    description: Values masked wherever they appear.
    type: list
    elements: str
    default: []
seealso:
  - module: oncall.runbooks.incident_event
"""

EXAMPLES = r"""
- name: Write the post-mortem
  oncall.runbooks.incident_postmortem:
    path: "{{ incident.path }}"
    dest: "/var/lib/oncall-runbooks/incidents/{{ incident.incident.id }}.md"
    ic: "on-call primary"
    root_cause: "backend-blue on a bad image tag"
    action_items:
      - {action: "Add a smoke test for the tag", owner: backend, due: "2026-12-01"}
"""

RETURN = r"""
dest:
  description: The post-mortem file.
  returned: always
  type: str
markdown:
  description: The post-mortem as written.
  returned: always
  type: str
incident:
  description: The incident record (without its events).
  returned: always
  type: dict
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import (
    IncidentError,
    append_events,
    load,
    locked,
    make_event,
    redact,
    render_postmortem,
    save,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import StateFileError


def read_text(path):
    try:
        with open(path, "r") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IncidentError("cannot read %s: %s" % (path, exc))


def write_text(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise IncidentError("directory %s does not exist" % directory)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o640)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def render(record, p):
    tz = p["timezone"]
    text = render_postmortem(record, tz_offset=tz["offset"], tz_name=tz["name"], ic=p["ic"],
                             scribe=p["scribe"], impact=p["impact"], root_cause=p["root_cause"],
                             contributing=p["contributing"], went_well=p["went_well"],
                             action_items=p["action_items"], links=p["links"])
    return redact(text, p["secrets"])


def run(module):
    p = module.params
    with locked(p["path"]):
        record = load(p["path"])
        if record is None:
            raise IncidentError("no incident record at %s" % p["path"])
        before = read_text(p["dest"])
        closed = [e for e in record["events"] if e["kind"] == "closed"]
        if closed:
            # Already closed: render the record as it was closed, so a re-run changes nothing.
            text = render(record, p)
            changed = text != before
        else:
            append_events(record, [make_event("closed", "post-mortem written: %s" % os.path.basename(p["dest"]))],
                          p["secrets"])
            text = render(record, p)
            changed = True
        if changed and not module.check_mode:
            write_text(p["dest"], text)
            if not closed:
                save(p["path"], record)
    result = dict(changed=changed, dest=p["dest"], markdown=text,
                  incident=dict((k, v) for k, v in record.items() if k != "events"))
    if module._diff:
        result["diff"] = {"before": before or "", "after": text}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            timezone=dict(type="dict", default={"offset": "+09:00", "name": "KST"},
                          options=dict(offset=dict(type="str", default="+09:00"),
                                       name=dict(type="str", default="KST"))),
            ic=dict(type="str", default=""),
            scribe=dict(type="str", default="oncall.runbooks (automated timeline)"),
            impact=dict(type="dict", default={}),
            root_cause=dict(type="str", default=""),
            contributing=dict(type="list", elements="str", default=[]),
            went_well=dict(type="list", elements="str", default=[]),
            action_items=dict(type="list", elements="dict", default=[]),
            links=dict(type="dict", default={}),
            secrets=dict(type="list", elements="str", default=[], no_log=True),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**run(module))
    except (IncidentError, StateFileError) as exc:
        module.fail_json(msg=str(exc))


if __name__ == "__main__":
    main()
