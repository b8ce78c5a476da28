# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.certbot import (
    CertbotError,
    certbot_reason,
    certonly_args,
    failed_domains,
    parse_certificates,
    plan,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "certbot"
UTC = datetime.timezone.utc


def test_two_certificates_from_certbot_2_1_against_pebble():
    # captured: Debian's certbot 2.1.0, certonly --standalone against Pebble 2.4 on 127.0.0.1
    certs = parse_certificates((FIXTURES / "certificates-2.1-two-certs.txt").read_text())
    assert sorted(certs) == ["api", "app.test"]
    app = certs["app.test"]
    assert app["names"] == ["app.test", "www.app.test"]
    assert app["key_type"] == "ECDSA"
    assert app["valid"] is True and app["detail"] == "1 hour(s)"
    assert app["not_after"] == datetime.datetime(2026, 11, 22, 4, 9, 11, tzinfo=UTC)
    assert app["fullchain"].endswith("/live/app.test/fullchain.pem")
    assert certs["api"]["names"] == ["api.test"]


def test_no_certificates():
    assert parse_certificates((FIXTURES / "certificates-2.1-none.txt").read_text()) == {}


# certbot 5.x prints "Identifiers:"; the expiry suffixes below are the ones our toolchain
# research recorded with certbot 5.8 (components reference, A.4), not captured on this machine.
@pytest.mark.parametrize("suffix, valid, detail", [
    ("(VALID: 1825 days)", True, "1825 days"),
    ("(VALID: 1 day)", True, "1 day"),
    ("(VALID: 0 hour(s))", True, "0 hour(s)"),
    ("(INVALID: EXPIRED)", False, "EXPIRED"),
    ("(INVALID: TEST_CERT, EXPIRED)", False, "TEST_CERT, EXPIRED"),
])
def test_certbot_5_identifiers_and_expiry_states(suffix, valid, detail):
    text = ("Found the following certs:\n"
            "  Certificate Name: web\n"
            "    Serial Number: 1a\n"
            "    Key Type: ECDSA\n"
            "    Identifiers: example.com www.example.com\n"
            "    Expiry Date: 2031-11-21 22:23:58+00:00 %s\n"
            "    Certificate Path: /etc/letsencrypt/live/web/fullchain.pem\n"
            "    Private Key Path: /etc/letsencrypt/live/web/privkey.pem\n" % suffix)
    cert = parse_certificates(text)["web"]
    assert cert["names"] == ["example.com", "www.example.com"]
    assert (cert["valid"], cert["detail"]) == (valid, detail)


def test_unreadable_expiry_is_an_error():
    with pytest.raises(CertbotError, match="certificate web: unreadable expiry"):
        parse_certificates("  Certificate Name: web\n    Expiry Date: soon\n")


# ---- real output captured from certbot 5.8 and 2.1 listing the same config dir ------------

def test_same_lineage_listed_by_certbot_5_8_and_2_1():
    five = parse_certificates((FIXTURES / "certificates-5.8-one-cert.txt").read_text())
    two = parse_certificates((FIXTURES / "certificates-2.1-one-cert.txt").read_text())
    assert five == two  # "Identifiers:" (5.x) and "Domains:" (2.x) read alike
    cert = five["app.test"]
    assert cert["names"] == ["app.test", "www.app.test"]
    assert (cert["valid"], cert["detail"]) == (True, "9 days")
    assert cert["serial"] == "7dbd6b9ccb86f64d"


def test_invalid_renewal_configuration_lists_no_certificate():
    # certbot 5.8 reading a lineage whose renewal conf points elsewhere: listed as invalid
    assert parse_certificates((FIXTURES / "certificates-5.8-invalid-renewal-conf.txt").read_text()) == {}


# ---- the renewal decision ------------------------------------------------------------------

def lineage(names=("app.test", "www.app.test"), days=10.0, key_type="ECDSA"):
    return {"names": list(names), "seconds_remaining": int(days * 86400), "key_type": key_type}


@pytest.mark.parametrize("existing, names, before, force, key_type, action", [
    (None, ["app.test"], 30, False, None, "issue"),
    (lineage(), ["app.test", "www.app.test"], 5, False, None, "none"),
    (lineage(), ["www.app.test", "app.test"], 5, False, None, "none"),        # order does not matter
    (lineage(), [], 5, False, None, "none"),                                  # names from the lineage
    (lineage(), ["app.test", "www.app.test"], 11, False, None, "renew"),      # inside the window
    (lineage(days=5), ["app.test", "www.app.test"], 5, False, None, "renew"),  # exactly at the edge
    (lineage(days=5.01), ["app.test", "www.app.test"], 5, False, None, "none"),
    (lineage(days=-1), ["app.test", "www.app.test"], 0, False, None, "renew"),  # expired
    (lineage(), ["app.test", "www.app.test"], 5, True, None, "renew"),        # forced
    (lineage(), ["app.test"], 5, False, None, "reissue"),                     # a name removed
    (lineage(), ["app.test", "www.app.test", "api.test"], 5, True, None, "reissue"),
    (lineage(), ["app.test", "www.app.test"], 5, False, "rsa", "reissue"),
    (lineage(), ["app.test", "www.app.test"], 5, False, "ecdsa", "none"),
])
def test_plan_truth_table(existing, names, before, force, key_type, action):
    assert plan(existing, names, before, force=force, key_type=key_type)[0] == action


def test_plan_says_why():
    assert plan(lineage(), ["app.test"], 5)[1] == "names change: -www.app.test"
    assert plan(lineage(days=4.2), [], 30)[1] == "4.20 days left, renewal is due within 30 days of expiry"
    assert plan(lineage(), [], 5, key_type="rsa")[1] == "key type changes from ECDSA to RSA"


# ---- certbot's command line and its failures ----------------------------------------------

PARAMS = {"authenticator": "webroot", "webroot_path": "/var/www/acme", "http_01_port": None,
          "http_01_address": None, "nginx_server_root": None, "server": "https://127.0.0.1:14000/dir",
          "email": None, "terms_agreed": True, "key_type": None, "deploy_hook": "/usr/local/bin/reload"}


def test_certonly_args_for_a_renewal():
    args = certonly_args(PARAMS, ["app.test", "www.app.test"], "app.test", "renew", dry_run=False)
    assert args == ["--cert-name", "app.test", "-d", "app.test", "-d", "www.app.test",
                    "--authenticator", "webroot", "--webroot-path", "/var/www/acme",
                    "--server", "https://127.0.0.1:14000/dir", "--register-unsafely-without-email",
                    "--agree-tos", "--deploy-hook", "/usr/local/bin/reload", "--force-renewal"]


def test_dry_run_names_the_server_and_runs_no_hook():
    args = certonly_args(PARAMS, ["app.test"], "app.test", "dry_run", dry_run=True)
    assert args[-1] == "--dry-run" and "--force-renewal" not in args
    assert args[args.index("--server") + 1] == "https://127.0.0.1:14000/dir"
    assert "--deploy-hook" not in args


def test_first_issue_is_not_forced_and_standalone_options():
    p = dict(PARAMS, authenticator="standalone", http_01_port=5002, http_01_address="127.0.0.1",
             email="oncall@example.com", deploy_hook=None, key_type="rsa")
    args = certonly_args(p, ["api.test"], "api", "issue", dry_run=False)
    assert "--force-renewal" not in args and "--webroot-path" not in args
    assert args[args.index("--http-01-port") + 1] == "5002"
    assert args[args.index("--http-01-address") + 1] == "127.0.0.1"
    assert args[args.index("--email") + 1] == "oncall@example.com" and "--no-eff-email" in args
    assert args[args.index("--key-type") + 1] == "rsa"


def test_validation_failure_report_from_certbot_2_1():
    text = (FIXTURES / "certonly-2.1-validation-failure.txt").read_text()
    assert failed_domains(text) == ["app.test", "www.app.test"]
    reason = certbot_reason(text)
    assert reason.startswith("Renewing an existing certificate for app.test and www.app.test | Certbot failed")
    assert reason.endswith("returned 404 | Some challenges have failed.")
    assert "Saving debug log" not in reason and "Hint:" not in reason and "Ask for help" not in reason


def test_reason_of_silence():
    assert certbot_reason("Saving debug log to /x\n\n") == "(no output)"
    assert failed_domains("") == []
