# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Alertmanager event source, started for real on 127.0.0.1 and sent Alertmanager v4 webhooks."""
from __future__ import annotations

import asyncio
import http.client
import importlib.util
import json
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alertmanager"
SPEC = importlib.util.spec_from_file_location("eda_alertmanager", ROOT / "extensions/eda/plugins/event_source/alertmanager.py")
source = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(source)


def free_port():
    for port in range(18990, 19000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 18990-18999")


def request(port, method, path, body=None, headers=None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    out = resp.status, resp.read().decode(), resp.getheader("Connection")
    if own:
        conn.close()
    return out


def drain(queue):
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def serve(args, scenario):
    """Run main() as ansible-rulebook does, call scenario(port) in a thread, return (its result, events)."""
    port = free_port()

    async def run():
        queue = asyncio.Queue()
        task = asyncio.create_task(source.main(queue, dict({"host": "127.0.0.1", "port": port}, **args)))
        deadline = asyncio.get_running_loop().time() + 5
        while True:
            await asyncio.sleep(0.02)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert asyncio.get_running_loop().time() < deadline, "the source never listened"
        result = await asyncio.to_thread(scenario, port)
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return result, drain(queue)

    return asyncio.run(run())


def test_one_event_per_alert_plus_the_payload():
    body = (FIXTURES / "backend-firing.json").read_bytes()
    (status, text, _conn), events = serve({}, lambda port: request(
        port, "POST", "/alerts", body, {"Content-Type": "application/json", "User-Agent": "Alertmanager/0.25.0"}))
    assert (status, text) == (202, "Received")
    payload = json.loads(body)
    assert len(events) == 3
    assert events[0]["payload"] == payload
    assert events[0]["meta"]["endpoint"] == "alerts"
    assert events[0]["meta"]["headers"]["User-Agent"] == "Alertmanager/0.25.0"
    assert [e["alert"] for e in events[1:]] == payload["alerts"]
    assert [e["meta"]["hosts"] for e in events[1:]] == [["lab-web"], ["lab-web"]]
    assert all(e["meta"]["endpoint"] == "alerts" for e in events[1:])


def test_skip_original_data_and_ipv6_instance():
    body = (FIXTURES / "cert-resolved.json").read_bytes()
    (status, _text, _conn), events = serve({"skip_original_data": True}, lambda port: request(port, "POST", "/am", body))
    assert status == 202
    assert len(events) == 1
    assert events[0]["alert"]["labels"]["alertname"] == "CertificateExpiringSoon"
    assert events[0]["alert"]["status"] == "resolved"
    assert events[0]["meta"]["hosts"] == ["2001:db8::10"]


def test_keep_alive_burst_is_queued_in_order():
    body = (FIXTURES / "backend-firing.json").read_bytes()

    def burst(port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        answers = [request(port, "POST", "/alerts", body, conn=conn) for dummy in range(5)]
        conn.close()
        return answers

    answers, events = serve({"skip_original_data": True}, burst)
    assert [a[:2] for a in answers] == [(202, "Received")] * 5
    assert answers[0][2] == "keep-alive"
    assert len(events) == 10
    assert [e["alert"]["fingerprint"] for e in events[:2]] == ["7c1a8c3e0a6d2f41", "0d9e2b7f51aa3c08"]


def test_custom_paths():
    body = json.dumps({"data": {"items": [{"who": {"host": "db-1:3306"}, "n": 1}]}})
    args = {"data_alerts_path": "data/items", "data_host_path": "who/host", "data_path_separator": "/", "skip_original_data": True}
    _answer, events = serve(args, lambda port: request(port, "POST", "/x", body))
    assert events == [{"alert": {"who": {"host": "db-1:3306"}, "n": 1},
                       "meta": {"endpoint": "x", "headers": events[0]["meta"]["headers"], "hosts": ["db-1"]}}]
    whole = {"data_alerts_path": "", "data_host_path": "", "skip_original_data": True}
    _answer, events = serve(whole, lambda port: request(port, "POST", "/x", body))
    assert events[0]["alert"] == json.loads(body)
    assert events[0]["meta"]["hosts"] == []


def test_status_and_errors_queue_nothing():
    def calls(port):
        return [
            request(port, "GET", "/"),
            request(port, "POST", "/alerts", b"{not json", {"Content-Type": "application/json"}),
            request(port, "GET", "/alerts"),
            request(port, "POST", "/", b"{}"),
            request(port, "POST", "/a/b", b"{}"),
            request(port, "POST", "/alerts", b"x" * 2048),
        ]

    answers, events = serve({"max_body_bytes": 1024}, calls)
    assert [a[0] for a in answers] == [200, 400, 405, 404, 404, 413]
    assert answers[0][1] == "up"
    assert events == []


def test_payload_without_alerts_gives_only_the_payload():
    _answer, events = serve({}, lambda port: request(port, "POST", "/alerts", b'{"version": "4", "status": "firing"}'))
    assert events == [{"payload": {"version": "4", "status": "firing"}, "meta": {"endpoint": "alerts", "headers": events[0]["meta"]["headers"]}}]


def test_chunked_body_is_refused():
    def chunked(port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            return sock.recv(4096).decode()

    answer, events = serve({}, chunked)
    assert answer.startswith("HTTP/1.1 411 ")
    assert events == []


@pytest.mark.parametrize("args, message", [
    ({"port": "http"}, "port must be an integer"),
    ({"port": 70000}, "port must be 0-65535"),
    ({"skip_original_data": "maybe"}, "skip_original_data must be a boolean"),
    ({"data_path_separator": ""}, "data_path_separator must not be empty"),
    ({"prot": 5000}, "unknown argument"),
])
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        source.settings_from(args)


def test_defaults_match_ansible_eda():
    settings = source.settings_from({})
    assert settings == {"host": "localhost", "port": 5000, "data_alerts_path": "alerts", "data_host_path": "labels.instance",
                        "data_path_separator": ".", "skip_original_data": False, "max_body_bytes": 1048576}
    assert source.settings_from({"port": "5001", "skip_original_data": "true"})["skip_original_data"] is True
