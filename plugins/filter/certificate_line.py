# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: certificate_line
short_description: One line a person reads about a certificate from certificate_info
version_added: "0.1.0"
description:
  - Turns one entry of the RV(oncall.runbooks.certificate_info#module:certificates) list into
    a line such as C(127.0.0.1:443 (example.com) - example.com www.example.com - 9.5 days left
    (until 2026-12-02T02:38:16+00:00), serial 69335f98).
  - Expired certificates say C(EXPIRED 2.0 days ago); lineages certbot will not renew say so.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
options:
  _input:
    description: One certificate, as returned by certificate_info.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Report
  ansible.builtin.debug:
    msg: "{{ certs.certificates | map('oncall.runbooks.certificate_line') | list }}"
"""

RETURN = r"""
_value:
  description: The line.
  type: str
"""

from ansible.errors import AnsibleFilterError


def certificate_line(cert):
    if not isinstance(cert, dict) or "days_remaining" not in cert:
        raise AnsibleFilterError("certificate_line expects an entry of certificate_info's certificates, got %r"
                                 % (cert,))
    days = cert["days_remaining"]
    left = ("EXPIRED %.1f days ago" % -days) if cert.get("expired") else ("%.1f days left" % days)
    line = "%s - %s - %s (until %s), serial %s" % (
        cert.get("source", "?"), " ".join(cert.get("names") or [cert.get("subject", "?")]), left,
        cert.get("not_after"), (cert.get("serial") or "?")[:8])
    if cert.get("renewable") is False:
        line += ", NOT renewed by certbot (no valid renewal configuration)"
    return line


class FilterModule:
    def filters(self):
        return {"certificate_line": certificate_line}
