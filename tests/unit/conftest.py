# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

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
