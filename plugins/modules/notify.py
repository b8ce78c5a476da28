#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: notify
short_description: Post an on-call notification to Discord, Slack or a JSON webhook
version_added: "0.1.0"
description:
  - Posts one message to a chat webhook, formatted for the service - a Discord embed whose
    colour follows the severity, Slack blocks, or a plain JSON document for any other webhook.
  - Retries when the service rate-limits (HTTP 429, waiting what C(Retry-After) or Discord's
    C(retry_after) asks) and on server or network errors.
  - A failed notification does not fail the task unless O(fail_on_error=true); it returns
    RV(sent=false) with RV(error) and a warning, so that it never hides the result of the
    remediation it reports on.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Builds and returns the payload, sends nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  service:
    description: Payload format.
    type: str
    choices: [discord, slack, webhook]
    default: discord
  url:
    description: Webhook URL. It is a secret (it lets anyone post), so it is never shown.
    type: str
    required: true
  title:
    description: One-line headline, for example C(rollback started).
    type: str
    required: true
  text:
    description: Body text of the message.
    type: str
  severity:
    description: Severity; sets the emoji and (Discord) the colour.
    type: str
    choices: [P0, P1, P2, P3, info, success]
    default: info
  fields:
    description: Key facts (release, host, reason...), as a dict or a list of C({name, value}).
    type: raw
  mention:
    description: Who to alert, for example C(<@&123456789>) for a Discord role. Sent as the message content.
    type: str
  username:
    description: Name to post as (Discord).
    type: str
  retries:
    description: Attempts after the first on 429, 5xx and network errors.
    type: int
    default: 3
  max_retry_wait:
    description: Longest wait, in seconds, between attempts; a longer Retry-After gives up.
    type: float
    default: 30
  timeout:
    description: Seconds per request.
    type: float
    default: 10
  validate_certs:
    description: Verify the webhook's TLS certificate.
    type: bool
    default: true
  fail_on_error:
    description: Fail the task when the message could not be delivered.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Tell the channel a rollback started
  oncall.runbooks.notify:
    url: "{{ discord_webhook_url }}"
    title: rollback started
    severity: P0
    text: "ai-service is failing its health check; rolling back v43 -> v42"
    mention: "<@&112233445566778899>"
    fields:
      host: "{{ inventory_hostname }}"
      reason: "status 500 (expected 200)"

- name: Same on Slack
  oncall.runbooks.notify:
    service: slack
    url: "{{ slack_webhook_url }}"
    title: rollback done
    severity: success
"""

RETURN = r"""
sent:
  description: Whether the service accepted the message.
  returned: always
  type: bool
status:
  description: HTTP status of the last attempt; null when none came.
  returned: always
  type: int
  sample: 204
attempts:
  description: Requests made.
  returned: always
  type: int
error:
  description: Why the message was not delivered; empty when it was.
  returned: always
  type: str
payload:
  description: The JSON document posted (or that would be, in check mode).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import ProbeError, check_url
from ansible_collections.oncall.runbooks.plugins.module_utils.notify import (
    NotifyError,
    build_payload,
    send,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            service=dict(type="str", default="discord", choices=["discord", "slack", "webhook"]),
            url=dict(type="str", required=True, no_log=True),
            title=dict(type="str", required=True),
            text=dict(type="str"),
            severity=dict(type="str", default="info",
                          choices=["P0", "P1", "P2", "P3", "info", "success"]),
            fields=dict(type="raw"),
            mention=dict(type="str"),
            username=dict(type="str"),
            retries=dict(type="int", default=3),
            max_retry_wait=dict(type="float", default=30),
            timeout=dict(type="float", default=10),
            validate_certs=dict(type="bool", default=True),
            fail_on_error=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        check_url(p["url"])
    except ProbeError:
        # The URL is secret: say what is wrong without repeating it.
        module.fail_json(msg="url must be an absolute http(s) URL with a host")
    if p["retries"] < 0:
        module.fail_json(msg="retries must be 0 or more, got %d" % p["retries"])
    try:
        payload = build_payload(p["service"], p["title"], p["text"], p["severity"],
                                p["fields"], p["mention"], p["username"])
    except NotifyError as exc:
        module.fail_json(msg=str(exc))

    if module.check_mode:
        module.exit_json(changed=True, sent=False, status=None, attempts=0, error="",
                         payload=payload)

    outcome = send(p["url"], payload, retries=p["retries"], timeout=p["timeout"],
                   validate_certs=p["validate_certs"], max_wait=p["max_retry_wait"])
    result = dict(changed=outcome["sent"], payload=payload, **outcome)
    if not outcome["sent"]:
        msg = "%s notification not delivered after %d attempt(s): %s" % (
            p["service"], outcome["attempts"], outcome["error"])
        if p["fail_on_error"]:
            module.fail_json(msg=msg, **result)
        module.warn(msg)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
