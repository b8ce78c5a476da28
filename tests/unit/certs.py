# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test certificates made with the cryptography package (what Pebble would issue, in shape)."""
from __future__ import annotations

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

UTC = datetime.timezone.utc


def make_cert(names=("app.test",), days=10.0, key="ecdsa", ips=(), serial=None, now=None):
    """(certificate PEM bytes, private key PEM bytes), expiring `days` days from now (negative: expired)."""
    now = now or datetime.datetime.now(UTC)
    private = ec.generate_private_key(ec.SECP256R1()) if key == "ecdsa" else rsa.generate_private_key(65537, 2048)
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pebble Intermediate CA test")]))
               .public_key(private.public_key())
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=max(1, -days + 1)))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.SubjectAlternativeName(sans), critical=False))
    cert = builder.sign(private, hashes.SHA256())
    key_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
