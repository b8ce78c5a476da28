# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oncall.runbooks.alertmanager: an ansible-rulebook event source receiving Alertmanager webhooks.

A small HTTP/1.1 server on the standard library's asyncio (no aiohttp, no dpath), so the
execution environment needs nothing beyond Python. It puts the same events on the queue as
ansible.eda.alertmanager, so a rulebook works with either source:

- unless ``skip_original_data``: ``{"payload": <the webhook JSON>, "meta": {"endpoint", "headers"}}``
- one per alert: ``{"alert": <alert>, "meta": {"endpoint", "headers", "hosts": [<instance without port>]}}``

``GET /`` answers 200 ``up``; ``POST /<endpoint>`` with a JSON body answers 202 ``Received``.
A body that is not JSON gets 400, a chunked or unsized body 411, a body over
``max_body_bytes`` 413; nothing is queued for them.
"""
from __future__ import annotations

import asyncio
import json
import logging

DOCUMENTATION = r"""
---
short_description: Receive Alertmanager webhooks (one event per alert)
description:
  - An ansible-rulebook event source that listens for Alertmanager's webhook (payload version 4)
    and puts one event per alert on the queue, shaped like ansible.eda.alertmanager's.
  - Standard library only (asyncio); HTTP/1.1 with keep-alive, bodies sized by Content-Length.
options:
  host:
    description: Address to listen on; 0.0.0.0 for every interface.
    type: str
    default: localhost
  port:
    description: TCP port to listen on.
    type: int
    default: 5000
  data_alerts_path:
    description: Path of the alert list in the payload; empty to treat the whole payload as one alert.
    type: str
    default: alerts
  data_host_path:
    description: Path of the alerting host inside an alert (its port is removed); empty for none.
    type: str
    default: labels.instance
  data_path_separator:
    description: Separator of the two paths above.
    type: str
    default: "."
  skip_original_data:
    description: Put only the alerts on the queue, not the received payload first.
    type: bool
    default: false
  max_body_bytes:
    description: Largest accepted body; larger ones get 413.
    type: int
    default: 1048576
"""

EXAMPLES = r"""
- name: Remediate from Alertmanager
  hosts: all
  sources:
    - oncall.runbooks.alertmanager:
        host: 127.0.0.1
        port: 5001
        data_alerts_path: alerts
        data_host_path: labels.instance
        skip_original_data: true
"""

LOG = logging.getLogger(__name__)
REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 413: "Payload Too Large", 431: "Request Header Fields Too Large"}
READ_TIMEOUT = 30
MAX_HEADERS = 100


class HttpError(Exception):
    """A request answered with an error status."""

    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text


def dig(data, path, separator):
    """The value at `path` (list items by index), or KeyError."""
    for key in path.split(separator):
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            raise KeyError(path)
    return data


def clean_host(host):
    """'web-1:9100' -> 'web-1'; IPv6 '[::1]:9100' -> '::1'."""
    host = str(host)
    if host.startswith("[") and "]" in host:
        return host[1:host.index("]")]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def events_for(payload, endpoint, headers, settings):
    """The events one webhook puts on the queue, in order."""
    events = []
    if not settings["skip_original_data"]:
        events.append({"payload": payload, "meta": {"endpoint": endpoint, "headers": headers}})
    if not settings["data_alerts_path"]:
        alerts = [payload]
    else:
        try:
            alerts = dig(payload, settings["data_alerts_path"], settings["data_path_separator"])
        except KeyError:
            alerts = []
        if not isinstance(alerts, list):
            alerts = [alerts]
    for alert in alerts:
        hosts = []
        if settings["data_host_path"]:
            try:
                host = dig(alert, settings["data_host_path"], settings["data_path_separator"])
            except KeyError:
                host = None
            if host is not None:
                hosts.append(clean_host(host))
        events.append({"alert": alert, "meta": {"endpoint": endpoint, "headers": headers, "hosts": hosts}})
    return events


def settings_from(args):
    """Validated settings; ValueError names the bad argument."""
    args = dict(args or {})
    known = {"host", "port", "data_alerts_path", "data_host_path", "data_path_separator", "skip_original_data", "max_body_bytes"}
    unknown = sorted(set(args) - known)
    if unknown:
        raise ValueError("unknown argument(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(known))))
    settings = {
        "host": str(args.get("host", "localhost")),
        "port": args.get("port", 5000),
        "data_alerts_path": str(args.get("data_alerts_path", "alerts")),
        "data_host_path": str(args.get("data_host_path", "labels.instance")),
        "data_path_separator": str(args.get("data_path_separator", ".")),
        "skip_original_data": args.get("skip_original_data", False),
        "max_body_bytes": args.get("max_body_bytes", 1048576),
    }
    for key in ("port", "max_body_bytes"):
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            else:
                raise ValueError("%s must be an integer, got %r" % (key, value))
        settings[key] = value
    if not 0 <= settings["port"] <= 65535:
        raise ValueError("port must be 0-65535, got %d" % settings["port"])
    if settings["max_body_bytes"] < 1:
        raise ValueError("max_body_bytes must be positive")
    if not settings["data_path_separator"]:
        raise ValueError("data_path_separator must not be empty")
    flag = settings["skip_original_data"]
    if isinstance(flag, str) and flag.lower() in ("true", "yes", "1", "false", "no", "0"):
        flag = flag.lower() in ("true", "yes", "1")
    if not isinstance(flag, bool):
        raise ValueError("skip_original_data must be a boolean, got %r" % (flag,))
    settings["skip_original_data"] = flag
    return settings


async def _read_request(reader, settings):
    """(method, path, headers, body) of the next request, or None at end of stream."""
    line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT)
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "bad request line")
    method, target, version = parts
    headers = {}
    while True:
        raw = await asyncio.wait_for(reader.readline(), READ_TIMEOUT)
        if raw in (b"\r\n", b"\n", b""):
            break
        if len(headers) >= MAX_HEADERS:
            raise HttpError(431, "too many headers")
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise HttpError(400, "bad header line")
        headers[name.strip()] = value.strip()
    lower = {k.lower(): v for k, v in headers.items()}
    keep_alive = version == "HTTP/1.1" and lower.get("connection", "").lower() != "close"
    body = b""
    if "transfer-encoding" in lower:
        raise HttpError(411, "send the body with a Content-Length")
    length = lower.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise HttpError(400, "bad Content-Length")
        if int(length) > settings["max_body_bytes"]:
            raise HttpError(413, "body over %d bytes" % settings["max_body_bytes"])
        body = await asyncio.wait_for(reader.readexactly(int(length)), READ_TIMEOUT)
    elif method == "POST":
        raise HttpError(411, "send the body with a Content-Length")
    return method, target.split("?", 1)[0], headers, body, keep_alive


async def _respond(writer, status, text, keep_alive):
    body = text.encode()
    head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n" % (
        status, REASONS.get(status, "Error"), len(body), "keep-alive" if keep_alive else "close")
    writer.write(head.encode("latin-1") + body)
    await writer.drain()


async def _handle(queue, settings, reader, writer):
    try:
        while True:
            try:
                request = await _read_request(reader, settings)
                if request is None:
                    return
                method, path, headers, body, keep_alive = request
                if path == "/" and method == "GET":
                    status, text = 200, "up"
                elif method != "POST":
                    raise HttpError(405, "POST alerts to /<endpoint>")
                elif path == "/" or "/" in path[1:] or not path.startswith("/"):
                    raise HttpError(404, "POST alerts to /<endpoint>")
                else:
                    try:
                        payload = json.loads(body.decode("utf-8"))
                    except (UnicodeDecodeError, ValueError) as exc:
                        raise HttpError(400, "body is not JSON: %s" % exc) from exc
                    for event in events_for(payload, path[1:], headers, settings):
                        await queue.put(event)
                    status, text = 202, "Received"
            except HttpError as exc:
                await _respond(writer, exc.status, exc.text, keep_alive=False)
                return
            await _respond(writer, status, text, keep_alive)
            if not keep_alive:
                return
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        return
    finally:
        writer.close()


async def start(queue, args):
    """Start listening; returns the asyncio server (its sockets tell the bound port)."""
    settings = settings_from(args)

    async def handler(reader, writer):
        await _handle(queue, settings, reader, writer)

    server = await asyncio.start_server(handler, settings["host"], settings["port"])
    LOG.info("alertmanager source listening on %s:%s", settings["host"], settings["port"])
    return server


async def main(queue, args):
    """ansible-rulebook's entry point: serve until cancelled."""
    server = await start(queue, args)
    try:
        await asyncio.Future()
    except asyncio.CancelledError:
        LOG.info("alertmanager source cancelled")
    finally:
        server.close()
        await server.wait_closed()


if __name__ == "__main__":

    class PrintQueue(asyncio.Queue):
        """Print the events instead of queueing them."""

        async def put(self, item):
            print(json.dumps(item))

    asyncio.run(main(PrintQueue(), {"host": "127.0.0.1", "port": 5000}))
