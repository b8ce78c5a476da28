# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))

from http_fixtures import Server  # noqa: E402


@pytest.fixture
def server():
    with Server() as srv:
        yield srv


@pytest.fixture
def tls_server(tmp_path):
    with Server(tls_dir=tmp_path) as srv:
        yield srv


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def webhook_double():
    """The Discord/Slack webhook double (tests/doubles) on a free port of 127.0.0.1."""
    import threading
    from webhook_double import Double
    srv = Double(("127.0.0.1", 0))
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    srv.base = "http://127.0.0.1:%d" % srv.server_address[1]
    yield srv
    srv.shutdown()
    srv.server_close()
