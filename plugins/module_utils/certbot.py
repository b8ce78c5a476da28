# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""certbot, as the certificate modules will drive it (issue 5; groundwork).

Parses `certbot certificates` (stdout). certbot 2.x lists names as "Domains:", 5.x as
"Identifiers:"; the expiry line ends in "(VALID: N days)", "(VALID: 1 day)",
"(VALID: N hour(s))" or "(INVALID: EXPIRED)" (also TEST_CERT, REVOKED, comma-joined).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

_CERT = re.compile(r"^  Certificate Name: (?P<name>.+?)\n(?P<body>(?:    .*(?:\n|$))+)", re.M)
_FIELD = re.compile(r"^    (?P<key>[A-Za-z ]+): (?P<value>.*)$", re.M)
_EXPIRY = re.compile(r"^(?P<date>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\+00:00 "
                     r"\((?P<state>VALID|INVALID): (?P<detail>[^)]*(?:\(s\))?)\)$")


class CertbotError(Exception):
    pass


def parse_certificates(text):
    """{certificate name: {names, serial, key_type, not_after, valid, detail, fullchain, privkey}}."""
    found = {}
    for block in _CERT.finditer(text):
        fields = dict((m.group("key"), m.group("value").strip()) for m in _FIELD.finditer(block.group("body")))
        name = block.group("name").strip()
        expiry = _EXPIRY.match(fields.get("Expiry Date", ""))
        if not expiry:
            raise CertbotError("certificate %s: unreadable expiry %r" % (name, fields.get("Expiry Date")))
        not_after = datetime.datetime.strptime(expiry.group("date"), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=datetime.timezone.utc)
        found[name] = {
            "names": (fields.get("Identifiers") or fields.get("Domains") or "").split(),
            "serial": fields.get("Serial Number"),
            "key_type": fields.get("Key Type"),
            "not_after": not_after,
            "valid": expiry.group("state") == "VALID",
            "detail": expiry.group("detail"),
            "fullchain": fields.get("Certificate Path"),
            "privkey": fields.get("Private Key Path"),
        }
    return found
