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
import os
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


# ---------------------------------------------------------------------------------------
# What to do with a lineage: our decision, read from the certificate itself
# ---------------------------------------------------------------------------------------

NONE, ISSUE, REISSUE, RENEW = "none", "issue", "reissue", "renew"


def plan(existing, names, renew_before_days, force=False, key_type=None, now=None):
    """(action, reason) for one lineage.

    `existing` is x509_cert.describe() of live/<name>/cert.pem, or None. Renewal is decided
    here rather than by certbot, because certbot 2.x (30 days before expiry) and 5.x (ARI, or
    at 2/3 of the lifetime) disagree about when a certificate is due.
    """
    if existing is None:
        return ISSUE, "no certificate yet"
    have, want = set(existing["names"]), set(names or existing["names"])
    if have != want:
        changes = ["+" + n for n in sorted(want - have)] + ["-" + n for n in sorted(have - want)]
        return REISSUE, "names change: %s" % " ".join(changes)
    if key_type and existing["key_type"] != key_type.upper():
        return REISSUE, "key type changes from %s to %s" % (existing["key_type"], key_type.upper())
    if force:
        return RENEW, "renewal forced"
    left = existing["seconds_remaining"]
    if left <= renew_before_days * 86400:
        return RENEW, "%.2f days left, renewal is due within %s days of expiry" % (
            left / 86400.0, renew_before_days)
    return NONE, "%.2f days left, outside the %s-day renewal window" % (left / 86400.0, renew_before_days)


# ---------------------------------------------------------------------------------------
# Running certbot
# ---------------------------------------------------------------------------------------

_FAILED_DOMAIN = re.compile(r"^\s*(?:Domain|Identifier): (?P<name>\S+)\s*$", re.M)


def failed_domains(output):
    """Names the CA reported problems for, from certbot's 'failed to authenticate' report."""
    return sorted(set(m.group("name") for m in _FAILED_DOMAIN.finditer(output or "")))


_NOISE = ("Saving debug log", "- - - -", "Ask for help", "See the logfile", "Hint:")


def certbot_reason(output, keep=10):
    """certbot's own explanation, on one line: its report without the log and help notices."""
    lines = [line.strip() for line in (output or "").splitlines()
             if line.strip() and not line.strip().startswith(_NOISE)]
    return " | ".join(lines[-keep:]) or "(no output)"


class Certbot:
    """certbot as a list of arguments: --non-interactive always, never through a shell."""

    def __init__(self, module, binary=None, config_dir="/etc/letsencrypt",
                 work_dir="/var/lib/letsencrypt", logs_dir="/var/log/letsencrypt",
                 ca_bundle=None, timeout=300):
        self.module = module
        self.binary = binary or module.get_bin_path("certbot")
        if not self.binary:
            raise CertbotError("certbot is not installed (not on PATH); install it or set certbot_binary")
        if not os.access(self.binary, os.X_OK):
            raise CertbotError("certbot_binary %s is not an executable file" % self.binary)
        self.config_dir, self.work_dir, self.logs_dir = config_dir, work_dir, logs_dir
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.commands = []

    def live(self, cert_name, leaf="cert.pem"):
        return "%s/live/%s/%s" % (self.config_dir, cert_name, leaf)

    def _dirs(self):
        return ["--config-dir", self.config_dir, "--work-dir", self.work_dir, "--logs-dir", self.logs_dir]

    def run(self, subcommand, args):
        argv = [self.binary, subcommand, "--non-interactive"] + self._dirs() + list(args)
        self.commands.append(argv)
        env = {"REQUESTS_CA_BUNDLE": self.ca_bundle} if self.ca_bundle else {}
        # run_command has no timeout: coreutils' timeout bounds a certbot stuck on a network call
        bound = self.module.get_bin_path("timeout")
        prefix = [bound, "--kill-after=10", str(self.timeout)] if bound and self.timeout else []
        rc, out, err = self.module.run_command(prefix + argv, environ_update=env)
        if prefix and rc in (124, 137):
            raise CertbotError("certbot %s did not finish within %s s and was stopped"
                               % (subcommand, self.timeout))
        return rc, out, err

    def certificates(self):
        rc, out, err = self.run("certificates", [])
        if rc != 0:
            raise CertbotError("certbot certificates failed (rc %s): %s" % (rc, certbot_reason(err or out)))
        return parse_certificates(out)


def certonly_args(p, names, cert_name, action, dry_run):
    """certbot certonly arguments for the module's parameters."""
    args = ["--cert-name", cert_name]
    for name in names:
        args += ["-d", name]
    authenticator = p["authenticator"]
    args += ["--authenticator", authenticator]
    if authenticator == "webroot":
        args += ["--webroot-path", p["webroot_path"]]
    if authenticator in ("standalone", "nginx") and p.get("http_01_port"):
        args += ["--http-01-port", str(p["http_01_port"])]
    if authenticator == "standalone" and p.get("http_01_address"):
        args += ["--http-01-address", p["http_01_address"]]
    if authenticator == "nginx" and p.get("nginx_server_root"):
        args += ["--nginx-server-root", p["nginx_server_root"]]
    if p.get("server"):
        args += ["--server", p["server"]]
    if p.get("email"):
        args += ["--email", p["email"], "--no-eff-email"]
    else:
        args += ["--register-unsafely-without-email"]
    if p.get("terms_agreed"):
        args += ["--agree-tos"]
    if p.get("key_type"):
        args += ["--key-type", p["key_type"]]
    if p.get("deploy_hook") and not dry_run:
        args += ["--deploy-hook", p["deploy_hook"]]
    if dry_run:
        args += ["--dry-run"]
    elif action in (RENEW, REISSUE):
        # certonly keeps a lineage that certbot itself thinks is not due: we decided it is
        args += ["--force-renewal"]
    return args
