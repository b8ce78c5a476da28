# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""X.509 certificates as the on-call checks read them: from PEM files and from a live TLS
handshake, with the `cryptography` package (never by parsing `openssl` text)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import socket
import ssl

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError as exc:  # reported by the modules through missing_required_lib
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = exc

UTC = datetime.timezone.utc
DAY = 86400.0


class CertificateError(Exception):
    pass


def utcnow():
    return datetime.datetime.now(UTC)


def load_pem_file(path):
    """The first certificate of a PEM file (the leaf, in certbot's fullchain.pem)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        raise CertificateError("cannot read %s: %s" % (path, exc.strerror or exc))
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateError("%s holds no readable PEM certificate: %s" % (path, exc))


def fetch_served(host, port, server_name=None, timeout=10.0):
    """The leaf certificate a TLS server presents (SNI = server_name, else host).

    Verification is off on purpose: an expired or wrongly named certificate is exactly what
    an expiry check has to be able to read.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=server_name or host) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        raise CertificateError("TLS handshake with %s:%s (SNI %s) failed: %s"
                               % (host, port, server_name or host, exc))
    if not der:
        raise CertificateError("%s:%s presented no certificate" % (host, port))
    return x509.load_der_x509_certificate(der)


def _not_after(cert):
    try:
        return cert.not_valid_after_utc  # cryptography >= 42
    except AttributeError:
        return cert.not_valid_after.replace(tzinfo=UTC)


def _not_before(cert):
    try:
        return cert.not_valid_before_utc
    except AttributeError:
        return cert.not_valid_before.replace(tzinfo=UTC)


def subject_alt_names(cert):
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    names = ext.value.get_values_for_type(x509.DNSName)
    names += [str(ip) for ip in ext.value.get_values_for_type(x509.IPAddress)]
    return names


def key_type(cert):
    key = cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ECDSA"
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    return type(key).__name__


def describe(cert, now=None):
    """What an on-call engineer asks of a certificate, as plain data."""
    now = now or utcnow()
    not_after = _not_after(cert)
    left = (not_after - now).total_seconds()
    return {
        "subject": cert.subject.rfc4514_string(),
        "names": subject_alt_names(cert),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": "%x" % cert.serial_number,
        "not_before": _not_before(cert).isoformat(),
        "not_after": not_after.isoformat(),
        "seconds_remaining": int(left),
        "days_remaining": round(left / DAY, 2),
        "expired": left <= 0,
        "key_type": key_type(cert),
        "fingerprint_sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def parse_endpoint(value):
    """'host:port' or {host, port, server_name} -> (host, port, server_name)."""
    if isinstance(value, dict):
        host, port, server_name = value.get("host"), value.get("port", 443), value.get("server_name")
    else:
        host, sep, port = str(value).rpartition(":")
        if not sep:
            host, port = str(value), 443
        server_name = None
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise CertificateError("endpoint %r: port %r is not a number" % (value, port))
    if not host or not 0 < port < 65536:
        raise CertificateError("endpoint %r: want host:port or {host, port, server_name}" % (value,))
    return host, port, server_name
