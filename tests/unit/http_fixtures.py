# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real HTTP(S) server on 127.0.0.1 for unit tests of the HTTP probe (no urllib mocks)."""
from __future__ import annotations

import datetime
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    # server.state is shared with the test: counters for endpoints that change over time.
    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status, body, ctype="application/json", extra=None):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _route(self):
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        state = self.server.state
        state["hits"] = state.get("hits", 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = parts.path
        if path == "/health":
            return self._send(200, json.dumps({"status": "ok", "checks": [{"name": "db", "state": "up"}],
                                               "uptime": 42, "version": "1.4.2"}))
        if path == "/actuator/health":
            return self._send(200, json.dumps({"status": "UP", "components": {"db": {"status": "DOWN"}}}))
        if path == "/down":
            return self._send(503, json.dumps({"status": "DOWN"}))
        if path == "/text":
            return self._send(200, "hello", ctype="text/plain")
        if path == "/slow":
            time.sleep(int(query.get("ms", "300")) / 1000.0)
            return self._send(200, json.dumps({"status": "ok"}))
        if path == "/redirect":
            return self._send(302, "", extra={"Location": "/health"})
        if path == "/echo":
            return self._send(200, json.dumps({"method": self.command, "body": body,
                                               "headers": dict(self.headers.items())}))
        if path == "/recovering":
            # unhealthy for the first `bad` hits of this path, healthy afterwards
            state["recovering"] = state.get("recovering", 0) + 1
            if state["recovering"] <= int(query.get("bad", "2")):
                return self._send(500, json.dumps({"status": "error"}))
            return self._send(200, json.dumps({"status": "ok"}))
        if path == "/flapping":
            state["flapping"] = state.get("flapping", 0) + 1
            ok = state["flapping"] % 2 == 0
            return self._send(200 if ok else 500, json.dumps({"status": "ok" if ok else "error"}))
        if path == "/hangup":
            self.close_connection = True
            self.wfile.flush()
            self.connection.shutdown(2)
            return None
        return self._send(404, json.dumps({"error": "not found"}))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _route


class Server:
    def __init__(self, tls_dir=None):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.state = {}
        self.scheme = "http"
        self.ca_file = None
        if tls_dir is not None:
            cert, key = make_self_signed(tls_dir)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
            self.ca_file = cert
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def state(self):
        return self.httpd.state

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.httpd.server_address[1], path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_self_signed(directory):
    """A self-signed certificate for 127.0.0.1, made with the cryptography package."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)
