# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
import socket
import ssl
import threading

import pytest
from certs import make_cert

from ansible_collections.oncall.runbooks.plugins.module_utils import x509_cert
from ansible_collections.oncall.runbooks.plugins.module_utils.x509_cert import CertificateError

UTC = datetime.timezone.utc


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_describe_reads_names_expiry_and_key_type(tmp_path):
    now = datetime.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    pem = make_cert(("app.test", "www.app.test"), days=9.5, ips=("127.0.0.1",), serial=0x69335F98, now=now)[0]
    info = x509_cert.describe(x509_cert.load_pem_file(write(tmp_path, "cert.pem", pem)), now=now)
    assert info["names"] == ["app.test", "www.app.test", "127.0.0.1"]
    assert info["subject"] == "CN=app.test"
    assert info["issuer"] == "CN=Pebble Intermediate CA test"
    assert info["serial"] == "69335f98"
    assert info["not_after"] == "2026-12-01T15:00:00+00:00"
    assert info["days_remaining"] == 9.5 and info["seconds_remaining"] == int(9.5 * 86400)
    assert info["expired"] is False and info["key_type"] == "ECDSA"
    assert len(info["fingerprint_sha256"]) == 64


def test_expired_and_rsa(tmp_path):
    now = datetime.datetime.now(UTC)
    pem = make_cert(("old.test",), days=-2, key="rsa", now=now)[0]
    info = x509_cert.describe(x509_cert.load_pem_file(write(tmp_path, "old.pem", pem)), now=now)
    assert info["expired"] is True and info["days_remaining"] == -2.0 and info["key_type"] == "RSA"


def test_fullchain_reads_the_leaf(tmp_path):
    leaf = make_cert(("leaf.test",))[0]
    other = make_cert(("intermediate.test",))[0]
    path = write(tmp_path, "fullchain.pem", leaf + other)
    assert x509_cert.describe(x509_cert.load_pem_file(path))["names"] == ["leaf.test"]


def test_missing_and_corrupt_files_are_clear_errors(tmp_path):
    with pytest.raises(CertificateError, match="cannot read .*/nope.pem: No such file"):
        x509_cert.load_pem_file(str(tmp_path / "nope.pem"))
    with pytest.raises(CertificateError, match="garbage.pem holds no readable PEM certificate"):
        x509_cert.load_pem_file(write(tmp_path, "garbage.pem", b"-----BEGIN CERTIFICATE-----\nnot base64\n"))


@pytest.mark.parametrize("value, parsed", [
    ("127.0.0.1:18703", ("127.0.0.1", 18703, None)),
    ("example.com", ("example.com", 443, None)),
    ({"host": "127.0.0.1", "port": "443", "server_name": "app.test"}, ("127.0.0.1", 443, "app.test")),
    ({"host": "127.0.0.1"}, ("127.0.0.1", 443, None)),
])
def test_parse_endpoint(value, parsed):
    assert x509_cert.parse_endpoint(value) == parsed


@pytest.mark.parametrize("value", ["127.0.0.1:https", ":443", {"port": 443}, "host:70000"])
def test_parse_endpoint_rejects(value):
    with pytest.raises(CertificateError):
        x509_cert.parse_endpoint(value)


@pytest.fixture()
def tls_server(tmp_path):
    """A real TLS server on 127.0.0.1 choosing its certificate by SNI, as nginx does."""
    contexts = {}
    for name in ("app.test", "api.test"):
        cert, key = make_cert((name,), days=3 if name == "api.test" else 10)
        (tmp_path / (name + ".pem")).write_bytes(cert + key)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(tmp_path / (name + ".pem")))
        contexts[name] = ctx
    default = contexts["app.test"]
    default.sni_callback = lambda sock, name, ctx: setattr(sock, "context", contexts.get(name, default))
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn = listener.accept()[0]
            except socket.timeout:
                continue
            try:
                with default.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def test_fetch_served_reads_what_the_server_presents_per_sni(tls_server):
    app = x509_cert.describe(x509_cert.fetch_served("127.0.0.1", tls_server, "app.test", timeout=5))
    api = x509_cert.describe(x509_cert.fetch_served("127.0.0.1", tls_server, "api.test", timeout=5))
    assert app["names"] == ["app.test"] and api["names"] == ["api.test"]
    assert api["days_remaining"] < 3.01 and app["days_remaining"] > 9.9


def test_fetch_served_from_a_closed_port_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CertificateError, match=r"TLS handshake with 127.0.0.1:%d \(SNI app.test\) failed" % port):
        x509_cert.fetch_served("127.0.0.1", port, "app.test", timeout=2)
