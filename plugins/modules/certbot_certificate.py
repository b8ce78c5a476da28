#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: certbot_certificate
short_description: Issue, renew or dry-run a certificate with certbot, deciding renewal ourselves
version_added: "0.1.0"
description:
  - Makes sure certbot's lineage O(cert_name) holds a certificate for exactly O(names) that is
    more than O(renew_before_days) days from expiry, by running C(certbot certonly) only when
    it does not.
  - The decision is read from C(live/<cert_name>/cert.pem) itself, with the C(cryptography)
    package. certbot is not asked whether renewal is due, because certbot 2.x (30 days before
    expiry) and 5.x (ACME renewal info, or 2/3 of the lifetime) answer differently. When nothing
    is due, certbot is not run at all.
  - A renewal or re-issue passes C(--force-renewal), since the decision has been made.
  - O(dry_run=true) runs C(certbot certonly --dry-run) (the monthly check of seed 001) against
    O(server), given on the command line, so that the dry run cannot silently go to another
    CA's staging server. Nothing is saved and the task never reports a change.
  - When certbot fails, the lineage is left as it was (certbot writes a new certificate only
    after the CA issued it), and the task fails with certbot's own reason and the names the CA
    could not validate.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.certbot
attributes:
  check_mode:
    support: full
    details:
      - Reports what would be done (issue, re-issue, renew, dry run) and runs no certbot command.
  diff_mode:
    support: full
    details:
      - Names, serial and expiry of the certificate before and after.
  platform:
    platforms: posix
options:
  state:
    description:
      - V(present) issues when missing, re-issues when O(names) or O(key_type) differ, and renews
        within O(renew_before_days) of expiry.
      - V(renewed) renews now whatever the expiry, like O(force_renewal=true).
    type: str
    choices: [present, renewed]
    default: present
  names:
    description:
      - Names the certificate must cover, exactly. The first is the lineage name when
        O(cert_name) is unset.
      - May be omitted to renew or dry-run an existing lineage; its current names are used.
    type: list
    elements: str
    default: []
  cert_name:
    description: Lineage name (C(live/<cert_name>)). Defaults to the first of O(names).
    type: str
  renew_before_days:
    description: Renew when this many days or fewer remain before the certificate expires.
    type: int
    default: 30
  force_renewal:
    description: Renew now even outside the renewal window.
    type: bool
    default: false
  dry_run:
    description:
      - Run C(certbot certonly --dry-run) for the lineage against O(server) and save nothing.
      - Set O(server) for any CA but Let's Encrypt; without it certbot uses Let's Encrypt's
        staging server for dry runs.
    type: bool
    default: false
  authenticator:
    description: How the CA's http-01 challenge is answered.
    type: str
    choices: [webroot, standalone, nginx]
    required: true
  webroot_path:
    description: Directory the web server serves C(/.well-known/acme-challenge/) from (webroot).
    type: path
  http_01_port:
    description: Port certbot's standalone server binds, or the nginx plugin's challenge port.
    type: int
  http_01_address:
    description: Address the standalone server binds (standalone).
    type: str
  nginx_server_root:
    description: nginx configuration root (nginx authenticator).
    type: path
  server:
    description: ACME directory URL. certbot's default (Let's Encrypt) when unset.
    type: str
  ca_bundle:
    description:
      - CA certificates certbot trusts for O(server) (sets E(REQUESTS_CA_BUNDLE)). Only for a
        private ACME server such as a test CA.
    type: path
  email:
    description: Account e-mail. The account is registered without one when unset.
    type: str
  terms_agreed:
    description: Agree to the CA's terms of service when an account has to be registered.
    type: bool
    default: false
  key_type:
    description: Key type of the certificate; a lineage of another type is re-issued.
    type: str
    choices: [ecdsa, rsa]
  deploy_hook:
    description:
      - Command certbot runs after it wrote a new certificate (C(--deploy-hook)), for example
        one that reloads nginx. certbot saves it in the lineage's renewal configuration, so
        certbot's own timer runs it too. Not run by dry runs.
    type: str
  timeout:
    description: Seconds a certbot run may take before it is stopped.
    type: int
    default: 300
"""

EXAMPLES = r"""
- name: Gateway certificate of seed 001 (webroot served by nginx)
  oncall.runbooks.certbot_certificate:
    names: [example.com, www.example.com]
    authenticator: webroot
    webroot_path: /srv/web_project/gateway/letsencrypt/www
    config_dir: /srv/web_project/gateway/letsencrypt/etc
    logs_dir: /srv/web_project/gateway/letsencrypt/log
    work_dir: /srv/web_project/gateway/letsencrypt/lib
    email: oncall@example.com
    terms_agreed: true
    renew_before_days: 30
  register: cert
  notify: Reload the gateway

- name: Monthly dry run against the production CA
  oncall.runbooks.certbot_certificate:
    cert_name: example.com
    dry_run: true
    authenticator: webroot
    webroot_path: /srv/web_project/gateway/letsencrypt/www
    config_dir: /srv/web_project/gateway/letsencrypt/etc
    server: https://acme-v02.api.letsencrypt.org/directory
"""

RETURN = r"""
action:
  description: What was (or in check mode would be) done - none, issue, reissue, renew or dry_run.
  returned: always
  type: str
  sample: renew
reason:
  description: Why.
  returned: always
  type: str
  sample: 4.20 days left, renewal is due within 30 days of expiry
cert_name:
  description: The lineage.
  returned: always
  type: str
certificate:
  description: The lineage's certificate after the task (before it, when it failed or in check mode); null when none.
  returned: always
  type: dict
  contains:
    names: {description: "Subject alternative names.", type: list, elements: str}
    serial: {description: "Serial number, hex.", type: str}
    not_after: {description: "Expiry, ISO 8601 UTC.", type: str}
    days_remaining: {description: "Days until expiry.", type: float}
    issuer: {description: "Issuer DN.", type: str}
    key_type: {description: "ECDSA or RSA.", type: str}
previous:
  description: The certificate before a renewal or re-issue.
  returned: when a new certificate was written
  type: dict
cmd:
  description: The certbot command run, as a list of arguments; empty when certbot was not run.
  returned: always
  type: list
  elements: str
failed_domains:
  description: Names the CA reported validation problems for.
  returned: on failure
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.oncall.runbooks.plugins.module_utils import certbot as cb
from ansible_collections.oncall.runbooks.plugins.module_utils import x509_cert


def read_lineage(certbot, cert_name):
    path = certbot.live(cert_name)
    if not os.path.lexists(path):
        return None
    return x509_cert.describe(x509_cert.load_pem_file(path))


def diff_text(cert):
    if not cert:
        return "(no certificate)\n"
    return "names: %s\nserial: %s\nnot_after: %s\n" % (" ".join(cert["names"]), cert["serial"], cert["not_after"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "renewed"], default="present"),
            names=dict(type="list", elements="str", default=[]),
            cert_name=dict(type="str"),
            renew_before_days=dict(type="int", default=30),
            force_renewal=dict(type="bool", default=False),
            dry_run=dict(type="bool", default=False),
            authenticator=dict(type="str", choices=["webroot", "standalone", "nginx"], required=True),
            webroot_path=dict(type="path"),
            http_01_port=dict(type="int"),
            http_01_address=dict(type="str"),
            nginx_server_root=dict(type="path"),
            server=dict(type="str"),
            ca_bundle=dict(type="path"),
            email=dict(type="str"),
            terms_agreed=dict(type="bool", default=False),
            key_type=dict(type="str", choices=["ecdsa", "rsa"]),
            deploy_hook=dict(type="str"),
            timeout=dict(type="int", default=300),
            config_dir=dict(type="path", default="/etc/letsencrypt"),
            work_dir=dict(type="path", default="/var/lib/letsencrypt"),
            logs_dir=dict(type="path", default="/var/log/letsencrypt"),
            certbot_binary=dict(type="path"),
        ),
        required_if=[("authenticator", "webroot", ["webroot_path"])],
        supports_check_mode=True,
    )
    if not x509_cert.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(x509_cert.CRYPTOGRAPHY_IMPORT_ERROR))
    p = module.params
    names = [n.strip().lower() for n in p["names"] if n.strip()]
    cert_name = p["cert_name"] or (names[0] if names else None)
    if not cert_name:
        module.fail_json(msg="give names to issue a certificate for, or the cert_name of an existing one")
    if p["renew_before_days"] < 0 or p["timeout"] <= 0:
        module.fail_json(msg="renew_before_days must be 0 or more and timeout more than 0")
    result = dict(changed=False, cert_name=cert_name, cmd=[], certificate=None)
    try:
        certbot = cb.Certbot(module, binary=p["certbot_binary"], config_dir=p["config_dir"],
                             work_dir=p["work_dir"], logs_dir=p["logs_dir"], ca_bundle=p["ca_bundle"],
                             timeout=p["timeout"])
        existing = read_lineage(certbot, cert_name)
    except (cb.CertbotError, x509_cert.CertificateError) as exc:
        module.fail_json(msg=str(exc), **result)
    result["certificate"] = existing
    if existing is None and not names:
        module.fail_json(msg="no certificate named %s (expected %s) and no names to issue one for"
                         % (cert_name, certbot.live(cert_name)), **result)
    names = names or existing["names"]

    if p["dry_run"]:
        action, reason = "dry_run", "dry run of the issuance for %s" % " ".join(names)
    else:
        action, reason = cb.plan(existing, names, p["renew_before_days"],
                                 force=p["force_renewal"] or p["state"] == "renewed",
                                 key_type=p["key_type"])
    result.update(action=action, reason=reason)
    if action == cb.NONE or module.check_mode:
        result["changed"] = action not in (cb.NONE, "dry_run")
        if result["changed"] and module._diff:
            result["diff"] = dict(before=diff_text(existing), after="(a new certificate for %s)\n" % " ".join(names))
        module.exit_json(**result)

    args = cb.certonly_args(p, names, cert_name, action, dry_run=p["dry_run"])
    try:
        rc, out, err = certbot.run("certonly", args)
    except cb.CertbotError as exc:
        module.fail_json(msg=str(exc), **result)
    result["cmd"] = certbot.commands[-1]
    if rc != 0:
        module.fail_json(msg="certbot certonly failed (rc %s), %s left as it was: %s"
                         % (rc, cert_name, cb.certbot_reason(out + err)),
                         failed_domains=cb.failed_domains(err + out), **result)
    if p["dry_run"]:
        module.exit_json(**result)
    try:
        after = read_lineage(certbot, cert_name)
    except x509_cert.CertificateError as exc:
        module.fail_json(msg="certbot succeeded but the new certificate is unreadable: %s" % exc, **result)
    if after is None or (existing and after["serial"] == existing["serial"]):
        module.fail_json(msg="certbot exited 0 but %s holds no new certificate: %s"
                         % (certbot.live(cert_name), cb.certbot_reason(out + err)), **result)
    result.update(changed=True, certificate=after, previous=existing)
    if module._diff:
        result["diff"] = dict(before=diff_text(existing), after=diff_text(after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
