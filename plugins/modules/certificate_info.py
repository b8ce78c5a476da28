#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: certificate_info
short_description: Expiry and identity of certificates on disk and of what a TLS port serves
version_added: "0.1.0"
description:
  - Reads X.509 certificates with the C(cryptography) package and returns, for each, its
    names, issuer, serial, expiry and days remaining.
  - Three sources, in any combination - PEM files (O(paths), shell-style wildcards allowed),
    every certbot lineage in O(config_dir) (O(lineages=true)), and the certificate a server
    really presents in a TLS handshake (O(endpoints)).
  - For lineages, C(certbot certificates) is also asked which ones certbot will renew; a
    lineage it does not list (its renewal configuration is missing or invalid) is returned with
    RV(certificates[].renewable=false), since no certbot timer will ever renew it.
  - The handshake does not verify the certificate, so that an expired or wrongly named one can
    still be read; what it checks is what is served, not whether it is trusted.
  - Watches expiry without certbot (Let's Encrypt no longer e-mails before expiry), and tells
    whether the gateway still serves an old certificate after a renewal.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.certbot
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  paths:
    description: PEM files; the first certificate of each is read (the leaf of a full chain).
    type: list
    elements: path
    default: []
  lineages:
    description:
      - Read every C(live/<name>/cert.pem) of O(config_dir), with certbot's verdict on each.
      - Needs certbot on the host, and write access to O(logs_dir) (certbot logs every run).
    type: bool
    default: false
  endpoints:
    description:
      - TLS servers, as C(host:port) or C({host, port, server_name}); C(server_name) is the SNI name
        (the host by default).
    type: list
    elements: raw
    default: []
  timeout:
    description: Seconds per TLS handshake.
    type: float
    default: 10
  missing_ok:
    description: Skip O(paths) that match nothing instead of failing.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What the gateway serves and what certbot holds
  oncall.runbooks.certificate_info:
    lineages: true
    config_dir: /srv/web_project/gateway/letsencrypt/etc
    logs_dir: /srv/web_project/gateway/letsencrypt/log
    endpoints:
      - {host: 127.0.0.1, port: 443, server_name: example.com}
  register: certs

- name: Alert under 14 days
  ansible.builtin.debug:
    msg: "{{ certs.certificates | selectattr('days_remaining', 'lt', 14) | map(attribute='source') | list }}"
"""

RETURN = r"""
certificates:
  description: One entry per certificate read, in the order of the sources.
  returned: always
  type: list
  elements: dict
  contains:
    source: {description: "Where it was read - the file path, or host:port (SNI name).", type: str, sample: "127.0.0.1:443 (example.com)"}
    kind: {description: "file, certbot or endpoint.", type: str}
    cert_name: {description: "certbot lineage name (lineages only).", type: str}
    renewable: {description: "Whether certbot lists the lineage, so its timer renews it (lineages only).", type: bool}
    certbot_status: {description: "certbot's verdict, for example C(VALID: 9 days) or C(INVALID: REVOKED) (lineages only).", type: str}
    subject: {description: "Subject DN.", type: str}
    names: {description: "Subject alternative names.", type: list, elements: str}
    issuer: {description: "Issuer DN.", type: str}
    serial: {description: "Serial number, hex.", type: str}
    not_before: {description: "Start of validity, ISO 8601 UTC.", type: str}
    not_after: {description: "Expiry, ISO 8601 UTC.", type: str}
    seconds_remaining: {description: "Seconds until expiry (negative once expired).", type: int}
    days_remaining: {description: "Days until expiry, two decimals.", type: float}
    expired: {description: "Whether it has expired.", type: bool}
    key_type: {description: "ECDSA or RSA.", type: str}
    fingerprint_sha256: {description: "SHA-256 fingerprint, hex.", type: str}
"""

import glob
import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.oncall.runbooks.plugins.module_utils import certbot as cb
from ansible_collections.oncall.runbooks.plugins.module_utils import x509_cert


def from_files(paths, missing_ok):
    found = []
    for pattern in paths:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        matches = [m for m in matches if os.path.exists(m)]
        if not matches and not missing_ok:
            raise x509_cert.CertificateError("no certificate file matches %s" % pattern)
        for path in matches:
            found.append(dict(x509_cert.describe(x509_cert.load_pem_file(path)), source=path, kind="file"))
    return found


def from_certbot(certbot):
    live = os.path.join(certbot.config_dir, "live")
    if not os.path.isdir(live):
        raise x509_cert.CertificateError("%s is not a certbot configuration directory (no live/)" % certbot.config_dir)
    listed = certbot.certificates()
    found = []
    for name in sorted(os.listdir(live)):
        path = os.path.join(live, name, "cert.pem")
        if not os.path.exists(path):  # live/README is a file, not a lineage
            continue
        verdict = listed.get(name)
        found.append(dict(x509_cert.describe(x509_cert.load_pem_file(path)), source=path, kind="certbot",
                          cert_name=name, renewable=verdict is not None,
                          certbot_status=("%s: %s" % ("VALID" if verdict["valid"] else "INVALID", verdict["detail"])
                                          if verdict else None)))
    return found


def from_endpoints(endpoints, timeout):
    found = []
    for endpoint in endpoints:
        host, port, server_name = x509_cert.parse_endpoint(endpoint)
        cert = x509_cert.fetch_served(host, port, server_name, timeout)
        source = "%s:%s" % (host, port) + (" (%s)" % server_name if server_name else "")
        found.append(dict(x509_cert.describe(cert), source=source, kind="endpoint"))
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", default=[]),
            lineages=dict(type="bool", default=False),
            config_dir=dict(type="path", default="/etc/letsencrypt"),
            work_dir=dict(type="path", default="/var/lib/letsencrypt"),
            logs_dir=dict(type="path", default="/var/log/letsencrypt"),
            certbot_binary=dict(type="path"),
            endpoints=dict(type="list", elements="raw", default=[]),
            timeout=dict(type="float", default=10),
            missing_ok=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    if not x509_cert.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(x509_cert.CRYPTOGRAPHY_IMPORT_ERROR))
    p = module.params
    if not (p["paths"] or p["lineages"] or p["endpoints"]):
        module.fail_json(msg="nothing to read: give paths, endpoints or lineages=true")
    try:
        certificates = from_files(p["paths"], p["missing_ok"])
        if p["lineages"]:
            certificates += from_certbot(cb.Certbot(module, binary=p["certbot_binary"], config_dir=p["config_dir"],
                                                    work_dir=p["work_dir"], logs_dir=p["logs_dir"], timeout=60))
        certificates += from_endpoints(p["endpoints"], p["timeout"])
    except (x509_cert.CertificateError, cb.CertbotError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, certificates=certificates)


if __name__ == "__main__":
    main()
