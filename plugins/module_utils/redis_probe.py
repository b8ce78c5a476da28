# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis reachability (seed 002: "Redis 연결 - 연결 실패" is an alert): PING over redis:// or
TLS rediss:// URLs, speaking RESP with the standard library's socket and ssl.

The password of the URL is sent in AUTH and never shown: `redact()` gives the URL to print.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import ssl
import time

from ansible.module_utils.six.moves.urllib.parse import unquote, urlsplit

DEFAULT_PORT = 6379
MAX_REPLY = 64 * 1024


class RedisProbeError(Exception):
    """Bad input (raised before connecting)."""


class RedisReplyError(Exception):
    """The server answered with an error or something that is not RESP."""


def parse_url(url):
    """{scheme, tls, host, port, username, password, db} of a redis:// or rediss:// URL."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as exc:
        raise RedisProbeError("the Redis URL is not valid: %s" % exc)
    if parts.scheme not in ("redis", "rediss"):
        raise RedisProbeError("the Redis URL must start with redis:// or rediss://, got %r" % ((parts.scheme or "") + "://",))
    if not parts.hostname:
        raise RedisProbeError("the Redis URL has no host")
    db = 0
    path = (parts.path or "").strip("/")
    if path:
        if not path.isdigit():
            raise RedisProbeError("the Redis URL's path must be a database number, got %r" % path)
        db = int(path)
    return {
        "scheme": parts.scheme, "tls": parts.scheme == "rediss", "host": parts.hostname,
        "port": port or DEFAULT_PORT,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password is not None else None,
        "db": db,
    }


def redact(target):
    """The URL to show: the password replaced by ****."""
    auth = ""
    if target["username"] or target["password"] is not None:
        auth = "%s%s@" % (target["username"] or "", ":****" if target["password"] is not None else "")
    host = "[%s]" % target["host"] if ":" in target["host"] else target["host"]
    return "%s://%s%s:%d/%d" % (target["scheme"], auth, host, target["port"], target["db"])


def encode_command(*args):
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RedisReplyError("the server closed the connection")
            self.buf += chunk
            if len(self.buf) > MAX_REPLY:
                raise RedisReplyError("reply too long")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        """A simple reply: (kind, text) with kind '+', '-', ':' or '$' (bulk, read whole)."""
        line = self.line()
        if not line:
            raise RedisReplyError("empty reply")
        kind, rest = line[:1], line[1:].decode("utf-8", "replace")
        if kind in (b"+", b"-", b":"):
            return kind.decode(), rest
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return "$", None
            while len(self.buf) < size + 2:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise RedisReplyError("the server closed the connection")
                self.buf += chunk
            data, self.buf = self.buf[:size], self.buf[size + 2:]
            return "$", data.decode("utf-8", "replace")
        raise RedisReplyError("not a Redis (RESP) reply: %r" % line[:40])


def _error_text(text):
    """Redis error replies, without anything the client sent."""
    first = text.split(" ", 1)[0]
    if first in ("WRONGPASS", "NOAUTH") or "invalid password" in text or "invalid username-password" in text:
        return first if first in ("WRONGPASS", "NOAUTH") else "ERR", text
    return first, text


def ping(url, timeout=5.0, ca_path=None, validate_certs=True, connect=None):
    """PING the server; returns a result dict, never raises for a failed check.

    {ok, reply, tls, target (redacted), elapsed_ms, reason, error_kind}
    """
    target = parse_url(url)
    result = {"ok": False, "reply": None, "tls": target["tls"], "target": redact(target),
              "elapsed_ms": None, "reason": "", "error_kind": None}
    started = time.monotonic()
    sock = None
    try:
        raw = (connect or socket.create_connection)((target["host"], target["port"]), timeout)
        sock = raw
        if target["tls"]:
            ctx = ssl.create_default_context(cafile=ca_path) if validate_certs else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if not validate_certs:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(raw, server_hostname=target["host"])
        sock.settimeout(timeout)
        reader = _Reader(sock)
        if target["password"] is not None:
            args = ["AUTH"] + ([target["username"]] if target["username"] else []) + [target["password"]]
            sock.sendall(encode_command(*args))
            kind, text = reader.reply()
            if kind == "-":
                code, text = _error_text(text)
                result.update(reason="authentication failed: %s" % text, error_kind="auth")
                return result
        if target["db"]:
            sock.sendall(encode_command("SELECT", target["db"]))
            kind, text = reader.reply()
            if kind == "-":
                result.update(reason="SELECT %d failed: %s" % (target["db"], text), error_kind="select")
                return result
        sock.sendall(encode_command("PING"))
        kind, text = reader.reply()
        result["reply"] = text if kind != "-" else None
        if kind == "-":
            code, text = _error_text(text)
            result.update(reason="PING answered %s" % text,
                          error_kind="auth" if code in ("NOAUTH", "WRONGPASS") else "error")
        elif text != "PONG":
            result.update(reason="PING answered %r, expected PONG" % text, error_kind="error")
        else:
            result["ok"] = True
    except ssl.SSLError as exc:
        why = getattr(exc, "reason", None) or exc
        result.update(reason="TLS handshake with %s:%d failed: %s" % (target["host"], target["port"], why),
                      error_kind="tls")
    except (socket.timeout, TimeoutError):
        result.update(reason="%s:%d: timed out" % (target["host"], target["port"]), error_kind="timeout")
    except ConnectionResetError:
        hint = " (a TLS port spoken to without TLS?)" if not target["tls"] else ""
        result.update(reason="%s:%d: connection reset by the server%s" % (target["host"], target["port"], hint),
                      error_kind="protocol")
    except ConnectionRefusedError:
        result.update(reason="%s:%d: connection refused" % (target["host"], target["port"]), error_kind="unreachable")
    except RedisReplyError as exc:
        hint = " (a TLS port spoken to without TLS, or not Redis?)" if not target["tls"] else ""
        result.update(reason="%s:%d: %s%s" % (target["host"], target["port"], exc, hint), error_kind="protocol")
    except (OSError, ValueError) as exc:
        result.update(reason="%s:%d: %s" % (target["host"], target["port"], exc), error_kind="unreachable")
    finally:
        result["elapsed_ms"] = round((time.monotonic() - started) * 1000.0, 1)
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass
    return result
