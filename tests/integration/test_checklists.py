# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seeds' checklists (tests/checklists) against the integration lab, through the
documented command (python -m tests.checklists, as scripts/checklist.sh runs it) and the
lab inventory (testinfra's docker backend): PASS on the healthy lab; FAIL naming the item
with a stopped colour, an expired certificate, a failing health endpoint; and the lab left
as healthy as it was found (the other lab tests run after this file)."""
from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from labvars import LAB, PREFIX, WEB_ROOT, container

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit"))
from certs import make_cert  # noqa: E402  pylint: disable=wrong-import-position

TLS_PORT = 18905          # this file's own TLS server (ports 18900-18929)
EXTRA = json.dumps(LAB)


def checklist(suite, group, *extra):
    run = subprocess.run([sys.executable, "-m", "tests.checklists", suite, "-i", "inventories/lab", "-g", group,
                          "-e", EXTRA, *extra], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    return run.returncode, run.stdout + run.stderr


def line_of(out, item):
    lines = [line for line in out.splitlines() if line.split()[2:3] == [item]]
    assert len(lines) == 1, out
    return lines[0]


@pytest.mark.parametrize("suite, group, items", [
    ("predeploy", "web", ["7.1-docker", "7.1-compose", "7.1-state", "7.1-gateway"]),
    ("predeploy", "tls_gateway", ["7.1-cert", "7.1-cert-renew"]),
    ("postdeploy", "web", ["7.2-finalize", "7.2-active", "7.2-gateway", "7.2-standby"]),
    ("daily", "ai_service:web:tls_gateway", ["1.1-health", "1.2-instances"]),   # an Ansible host pattern
    ("smoke", "web", ["S1", "S2"]),
])
def test_healthy_lab_passes(lab, suite, group, items):  # pylint: disable=unused-argument
    rc, out = checklist(suite, group)
    assert rc == 0, out
    assert out.rstrip().splitlines()[-1].startswith("VERDICT: PASS (suite %s, group %s; " % (suite, group)), out
    for item in items:
        lines = [line for line in out.splitlines() if line.split()[2:3] == [item]]
        assert lines and all(line.startswith("ok ") for line in lines), out


def _backend_container(docker, color):
    ids = docker("ps", "-a", "-q", "--filter", "label=com.docker.compose.project=%sweb" % PREFIX.replace("-", ""),
                 "--filter", "label=com.docker.compose.service=backend-%s" % color).split()
    assert len(ids) == 1, ids
    return ids[0]


def test_stopped_colour_fails_naming_the_item(lab, docker):
    state = json.loads(Path(WEB_ROOT, "deploy-state.json").read_text())
    active = state["activeColor"]
    backend = _backend_container(docker, active)
    docker("stop", "-t", "2", backend)
    try:
        rc, out = checklist("postdeploy", "web")
    finally:
        docker("start", backend)
    assert rc == 1, out
    assert "VERDICT: FAIL (suite postdeploy, group web;" in out
    active_line = line_of(out, "7.2-active")
    assert active_line.startswith("FAILED ") and "critical" in active_line, out
    assert "active colour %s at http://127.0.0.1:%d/api/actuator/health: URLError" % (
        active, LAB["lab_web_%s_port" % active]) in active_line, out
    assert line_of(out, "7.2-gateway").startswith("FAILED "), out       # nginx: 502 with no backend
    assert line_of(out, "7.2-finalize").startswith("ok "), out

    deadline = time.monotonic() + 30
    while True:                                     # the lab healthy again for the tests after
        rc, out = checklist("postdeploy", "web")
        if rc == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert rc == 0, out


class TlsServer:
    """A TLS server on 127.0.0.1:TLS_PORT presenting a certificate made here."""

    def __init__(self, days):
        cert, key = make_cert(names=("web.lab.test",), days=days)
        self.dir = tempfile.mkdtemp(prefix="checklist-tls-")
        cert_path, key_path = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        Path(cert_path).write_bytes(cert)
        Path(key_path).write_bytes(key)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_path, key_path)
        self.sock = socket.create_server(("127.0.0.1", TLS_PORT), reuse_port=False)
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("days, rc, verdict, cert_line, renew_line", [
    (-3, 1, "FAIL", "FAILED ", "FAILED "),                 # expired: the critical item fails
    (10, 3, "CONDITIONAL PASS", "ok ", "FAILED "),          # renewal due (< 21 days), not yet critical (7)
])
def test_certificate_expiry(lab, days, rc, verdict, cert_line, renew_line):
    endpoint = json.dumps({"certbot_watch_endpoints": [{"host": "127.0.0.1", "port": TLS_PORT,
                                                        "server_name": "web.lab.test"}]})
    with TlsServer(days):
        got_rc, out = checklist("predeploy", "tls_gateway", "-e", endpoint)
    assert got_rc == rc, out
    assert "VERDICT: %s (suite predeploy, group tls_gateway;" % verdict in out
    assert line_of(out, "7.1-cert").startswith(cert_line), out
    renew = line_of(out, "7.1-cert-renew")
    assert renew.startswith(renew_line) and "P2+" in renew, out
    if days < 0:
        assert "127.0.0.1:%d (web.lab.test): certificate of CN=web.lab.test EXPIRED on " % TLS_PORT in line_of(out, "7.1-cert")
    else:
        assert "expires in 9.9 days" in renew or "expires in 10.0 days" in renew, out


def test_failing_health_endpoint_fails_naming_the_item(lab, docker):
    live = docker("exec", container("ai"), "readlink", "/srv/ai-service/current").strip()
    broken = live + "/BROKEN"
    docker("exec", container("ai"), "sh", "-c", "echo 500 > %s" % broken)
    try:
        rc, out = checklist("daily", "ai_service")
    finally:
        docker("exec", container("ai"), "rm", "-f", broken)
    assert rc == 1, out
    health = line_of(out, "1.1-health")
    assert health.startswith("FAILED ") and "critical" in health, out
    assert ('ai-service health: status 500 (expected 200); status is "DOWN" (wanted == "UP"); '
            'ai-service home: status 500 (expected 200)') in health, out
    assert line_of(out, "1.2-instances").startswith("ok "), out       # PM2 still runs both
    assert "VERDICT: FAIL (suite daily, group ai_service;" in out
    rc, out = checklist("daily", "ai_service")
    assert rc == 0, out
