# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab's TLS gateway serves, read with the ssl module and cryptography (not with our
modules, so a playbook's own confirmation is checked independently)."""
from __future__ import annotations

import socket
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from labvars import LAB

SNI = "web.lab.test"


def served():
    """(SHA-256 fingerprint, SANs, certificate) of what the lab gateway presents for SNI."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", LAB["lab_tls_port"]), timeout=5) as sock:
        with ctx.wrap_socket(sock, server_hostname=SNI) as tls:
            cert = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return cert.fingerprint(hashes.SHA256()).hex(), sorted(sans.get_values_for_type(x509.DNSName)), cert
