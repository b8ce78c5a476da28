# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.certbot import CertbotError, parse_certificates

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
