# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP health probe shared by every runbook: one request, its verdict, and the retry policy.

Runs on the managed node with the standard library and ansible-core's own module_utils only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import socket
import threading
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible.module_utils.urls import open_url

# Read no more than this of a response: a health endpoint that returns megabytes is itself news.
MAX_BODY_BYTES = 1024 * 1024

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# Header names whose values are credentials. Their values are masked in every output.
SECRET_HEADER_RE = re.compile(r"auth|cookie|token|secret|passw|api[-_]?key|signature", re.I)


class ProbeError(Exception):
    """Bad input: raised before any request is made."""


def check_url(url):
    """Return the URL if it is an absolute http(s) URL with a host, else raise ProbeError."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise ProbeError("url %r is not a valid URL: %s" % (url, exc))
    if parts.scheme not in ("http", "https"):
        raise ProbeError("url %r must start with http:// or https://" % (url,))
    if not parts.hostname:
        raise ProbeError("url %r has no host" % (url,))
    if port == 0:
        raise ProbeError("url %r has port 0" % (url,))
    return url


# ---------------------------------------------------------------------------------------
# JSON field assertions: "<path> <op> <value>" or "<path> exists|absent"
# path: name(.name)* with [index] after any part, e.g. components.db.status, items[0].id
# ---------------------------------------------------------------------------------------

_NAME = r"[A-Za-z0-9_\-]+"
_PATH_RE = re.compile(r"^(?:%s|\[\d+\])(?:\.%s|\[\d+\])*$" % (_NAME, _NAME))
_TOKEN_RE = re.compile(r"\.?(%s)|\[(\d+)\]" % _NAME)
_CHECK_RE = re.compile(
    r"^\s*(?P<path>\S+?)\s*"
    r"(?:(?P<op>==|!=|<=|>=|<|>|=~)\s*(?P<value>.*?)|\s(?P<word>exists|absent))\s*$"
)
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "=~", "exists", "absent")
_MISSING = object()


def _literal(text):
    """A JSON literal if it parses as one (1, true, null, "x"), else the bare text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


class JsonCheck:
    def __init__(self, expr, path, tokens, op, expected):
        self.expr = expr
        self.path = path
        self.tokens = tokens
        self.op = op
        self.expected = expected

    @classmethod
    def parse(cls, expr):
        if not isinstance(expr, str):
            raise ProbeError("JSON check %r must be a string like 'status == ok'" % (expr,))
        m = _CHECK_RE.match(expr)
        if not m:
            raise ProbeError(
                "JSON check %r: expected '<path> <op> <value>' or '<path> exists|absent', "
                "with <op> one of %s" % (expr, ", ".join(OPERATORS[:7])))
        path = m.group("path")
        if not _PATH_RE.match(path):
            raise ProbeError(
                "JSON check %r: unknown path syntax %r; use names separated by dots and "
                "[index] for list items, e.g. components.db.status or items[0].id" % (expr, path))
        tokens = [int(idx) if idx else name for name, idx in _TOKEN_RE.findall(path)]
        op = m.group("op") or m.group("word")
        expected = None
        if m.group("op"):
            raw = m.group("value")
            if raw == "":
                raise ProbeError("JSON check %r: no value after %r" % (expr, op))
            if raw[0] in "=<>!~":
                raise ProbeError("JSON check %r: unknown operator %r; use one of %s"
                                 % (expr, op + raw.split()[0], ", ".join(OPERATORS[:7])))
            if op == "=~":
                try:
                    expected = re.compile(raw)
                except re.error as exc:
                    raise ProbeError("JSON check %r: bad regular expression: %s" % (expr, exc))
            else:
                expected = _literal(raw)
            if op in ("<", "<=", ">", ">=") and not _is_number(expected):
                raise ProbeError("JSON check %r: %s needs a number, got %r" % (expr, op, raw))
        return cls(expr, path, tokens, op, expected)

    def lookup(self, doc):
        node = doc
        for token in self.tokens:
            if isinstance(token, int):
                if not isinstance(node, list) or token >= len(node):
                    return _MISSING
            elif not isinstance(node, dict) or token not in node:
                return _MISSING
            node = node[token]
        return node

    def failure(self, doc):
        """None when the check holds, else a short reason."""
        actual = self.lookup(doc)
        if self.op == "exists":
            return None if actual is not _MISSING else "%s is missing" % self.path
        if self.op == "absent":
            return None if actual is _MISSING else "%s is present" % self.path
        if actual is _MISSING:
            return "%s is missing (wanted %s)" % (self.path, self.expr.strip())
        shown = json.dumps(actual, sort_keys=True)
        if self.op == "=~":
            ok = isinstance(actual, str) and self.expected.search(actual) is not None
            return None if ok else "%s is %s, does not match %s" % (
                self.path, shown, self.expected.pattern)
        if self.op in ("==", "!="):
            equal = actual == self.expected and type(actual) is type(self.expected)
            if (self.op == "==") == equal:
                return None
            return "%s is %s (wanted %s %s)" % (
                self.path, shown, self.op, json.dumps(self.expected))
        if not _is_number(actual):
            return "%s is %s, not a number" % (self.path, shown)
        ok = {
            "<": actual < self.expected, "<=": actual <= self.expected,
            ">": actual > self.expected, ">=": actual >= self.expected,
        }[self.op]
        return None if ok else "%s is %s (wanted %s %s)" % (
            self.path, shown, self.op, json.dumps(self.expected))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------
# One HTTP request (shared with notify)
# ---------------------------------------------------------------------------------------

def request(url, method="GET", headers=None, body=None, timeout=10.0, validate_certs=True,
            ca_path=None, follow_redirects="none", use_proxy=True):
    """Return (status, headers, body bytes), whatever the status; raise on transport errors."""
    try:
        resp = open_url(
            url, data=body, headers=headers or {}, method=method, timeout=timeout,
            validate_certs=validate_certs, ca_path=ca_path, follow_redirects=follow_redirects,
            use_proxy=use_proxy, http_agent="oncall.runbooks", use_netrc=False)
    except HTTPError as exc:
        # Any status that urllib calls an error (3xx without follow, 4xx, 5xx) is an answer.
        data = exc.read(MAX_BODY_BYTES) if exc.fp is not None else b""
        return exc.code, exc.headers, data
    try:
        return resp.status, resp.headers, resp.read(MAX_BODY_BYTES)
    finally:
        resp.close()


def transport_reason(exc):
    """A short text for an exception raised by request()."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason) or type(reason).__name__


TRANSPORT_ERRORS = (URLError, OSError, socket.timeout, ValueError)


# ---------------------------------------------------------------------------------------
# One request and its verdict
# ---------------------------------------------------------------------------------------

class Probe:
    """One configured health probe. `once()` makes one request and judges it."""

    def __init__(self, url, method="GET", headers=None, body=None, status_codes=(200,),
                 json_checks=(), max_response_ms=None, timeout=10.0, validate_certs=True,
                 ca_path=None, follow_redirects=False, use_proxy=True):
        self.url = check_url(url)
        self.method = method.upper()
        self.headers = dict(headers or {})
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        if not status_codes:
            raise ProbeError("status_codes must list at least one code")
        for code in status_codes:
            if not 100 <= int(code) <= 599:
                raise ProbeError("status code %r is not between 100 and 599" % (code,))
        self.status_codes = [int(code) for code in status_codes]
        self.checks = [JsonCheck.parse(expr) for expr in json_checks or ()]
        if max_response_ms is not None and max_response_ms <= 0:
            raise ProbeError("max_response_ms must be greater than 0, got %r" % (max_response_ms,))
        self.max_response_ms = max_response_ms
        if timeout <= 0:
            raise ProbeError("timeout must be greater than 0, got %r" % (timeout,))
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.follow_redirects = "safe" if follow_redirects else "none"
        self.use_proxy = use_proxy

    def _request(self):
        return request(self.url, method=self.method, headers=self.headers, body=self.body,
                       timeout=self.timeout, validate_certs=self.validate_certs,
                       ca_path=self.ca_path, follow_redirects=self.follow_redirects,
                       use_proxy=self.use_proxy)

    def once(self):
        started = time.monotonic()
        try:
            status, headers, body = self._request()
        except TRANSPORT_ERRORS as exc:
            return {
                "healthy": False, "status": None, "json": None, "headers": {}, "content": "",
                "elapsed_ms": _ms_since(started),
                "reason": "%s %s: %s" % (self.method, self.url, transport_reason(exc)),
                "transport_error": True,
            }
        except Exception as exc:  # http.client raises several unrelated types on a broken peer
            return {
                "healthy": False, "status": None, "json": None, "headers": {}, "content": "",
                "elapsed_ms": _ms_since(started),
                "reason": "%s %s: %s: %s" % (self.method, self.url, type(exc).__name__, exc),
                "transport_error": True,
            }
        elapsed = _ms_since(started)
        text = body.decode("utf-8", "replace")
        doc = _parse_json(text, headers)
        result = {
            "healthy": True, "status": status, "json": doc, "elapsed_ms": elapsed,
            "headers": dict((k.lower(), v) for k, v in (headers or {}).items()),
            "content": text, "reason": "", "transport_error": False,
        }
        reasons = self.judge(status, doc, text, elapsed)
        if reasons:
            result["healthy"] = False
            result["reason"] = "; ".join(reasons)
        return result

    def judge(self, status, doc, text, elapsed_ms):
        """List what is wrong with a response; empty when healthy."""
        reasons = []
        if status not in self.status_codes:
            reasons.append("status %s (expected %s)" % (
                status, ", ".join(str(c) for c in self.status_codes)))
        if self.checks:
            if doc is None:
                reasons.append("body is not JSON: %s" % snippet(text))
            else:
                reasons.extend(r for r in (c.failure(doc) for c in self.checks) if r)
        if self.max_response_ms is not None and elapsed_ms > self.max_response_ms:
            reasons.append("slow: %d ms > %d ms" % (elapsed_ms, self.max_response_ms))
        return reasons


def _ms_since(started):
    return round((time.monotonic() - started) * 1000.0, 1)


def _parse_json(text, headers):
    ctype = (headers or {}).get("Content-Type", "") if headers else ""
    if not text.strip() or ("json" not in ctype and text.lstrip()[:1] not in "{["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def snippet(text, limit=80):
    """An answer body on one line, cut at `limit` characters, for error messages."""
    text = " ".join((text or "").split())
    return (text[:limit] + "...") if len(text) > limit else (text or "(empty)")


def decode_json(body):
    """(text, parsed JSON or None) of an answer body, bytes or text."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        return text, json.loads(text)
    except ValueError:
        return text, None


# ---------------------------------------------------------------------------------------
# Retry policy
# ---------------------------------------------------------------------------------------

def check_policy(retries, delay, until_healthy, consecutive):
    if retries < 0:
        raise ProbeError("retries must be 0 or more, got %r" % (retries,))
    if delay < 0:
        raise ProbeError("delay must be 0 or more, got %r" % (delay,))
    if consecutive < 1:
        raise ProbeError("consecutive must be 1 or more, got %r" % (consecutive,))
    if consecutive > 1 and not until_healthy:
        raise ProbeError("consecutive > 1 needs until_healthy=true")
    if consecutive > retries + 1:
        raise ProbeError("consecutive=%d healthy probes cannot happen in retries+1=%d attempts"
                         % (consecutive, retries + 1))


def run_probes(probe_once, retries=0, delay=1.0, until_healthy=False, consecutive=1,
               sleep=time.sleep, give_up_after=None):
    """Probe according to the policy; return (last result, history of short results).

    until_healthy=False: one verdict. Only a transport error (no HTTP answer at all) is
    retried, up to `retries` times, to ride out a dropped connection.
    until_healthy=True: probe up to retries+1 times until `consecutive` healthy answers in
    a row; a bad answer resets the count. With `give_up_after`, that many unhealthy answers
    in a row end it at once (a service that hangs or answers 500 will not heal by waiting).
    """
    check_policy(retries, delay, until_healthy, consecutive)
    if give_up_after is not None and give_up_after < 1:
        raise ProbeError("give_up_after must be 1 or more, got %r" % (give_up_after,))
    history = []
    streak = failures = 0
    result = None
    for attempt in range(retries + 1):
        if attempt:
            sleep(delay)
        result = probe_once()
        history.append({k: result[k] for k in ("healthy", "status", "elapsed_ms", "reason")})
        if until_healthy:
            streak = streak + 1 if result["healthy"] else 0
            failures = 0 if result["healthy"] else failures + 1
            if streak >= consecutive:
                break
            if give_up_after and failures >= give_up_after:
                result = dict(result, reason="%s (%d unhealthy answers in a row: gave up)"
                              % (result["reason"], failures))
                break
        elif not result["transport_error"]:
            break
    if until_healthy and result["healthy"] and streak < consecutive:
        # The last answer was fine but the service never held up long enough.
        result = dict(result, healthy=False, reason="healthy %d time(s) in a row at the end, %d needed"
                      % (streak, consecutive))
    return result, history


# ---------------------------------------------------------------------------------------
# Sampling: error rate and latency over several requests
# ---------------------------------------------------------------------------------------

def percentile(values, pct):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(-(-len(ordered) * pct // 100)))  # ceil without math
    return ordered[rank - 1]


def sample(probe_once, count, interval=0.0, sleep=time.sleep, concurrency=1, stop_when_all_fail=0):
    """Send `count` probes; return the signals a severity table reads.

    Probes go out `concurrency` at a time, `interval` seconds between rounds, so a service
    that hangs costs one timeout per round, not one per probe. With `stop_when_all_fail`,
    sampling stops as soon as that many probes were sent and none was healthy: a service
    plainly down is not measured for longer (`stopped_early`).
    error_rate_pct is the share of 5xx among the answers; answered_pct the share of probes
    that got any HTTP answer; healthy_pct the share judged healthy by the probe's rules.
    """
    if count < 1:
        raise ProbeError("samples must be 1 or more, got %r" % (count,))
    if concurrency < 1:
        raise ProbeError("concurrency must be 1 or more, got %r" % (concurrency,))
    if stop_when_all_fail < 0:
        raise ProbeError("stop_when_all_fail must be 0 or more, got %r" % (stop_when_all_fail,))
    results = []
    stopped_early = False
    while len(results) < count:
        if results and interval:
            sleep(interval)
        batch = min(concurrency, count - len(results))
        results.extend(_concurrently(probe_once, batch))
        if (stop_when_all_fail and len(results) >= stop_when_all_fail and len(results) < count
                and not any(r["healthy"] for r in results)):
            stopped_early = True
            break
    count = len(results)
    answered = [r for r in results if r["status"] is not None]
    statuses = {}
    for r in answered:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    server_errors = sum(1 for r in answered if r["status"] >= 500)
    times = [r["elapsed_ms"] for r in answered]
    reasons = []
    for r in results:
        if r["reason"] and r["reason"] not in reasons:
            reasons.append(r["reason"])
    last = results[-1]
    return {
        "samples": count,
        "healthy": last["healthy"],        # the newest verdict: the service as it is now
        "reason": last["reason"],
        "answered": len(answered),
        "answered_pct": round(100.0 * len(answered) / count, 1),
        "error_rate_pct": round(100.0 * server_errors / len(answered), 1) if answered else None,
        "healthy_pct": round(100.0 * sum(1 for r in results if r["healthy"]) / count, 1),
        "statuses": statuses,
        "p50_ms": percentile(times, 50) if times else None,
        "p95_ms": percentile(times, 95) if times else None,
        "max_ms": max(times) if times else None,
        "reasons": reasons[:5],
        "stopped_early": stopped_early,
    }


def _concurrently(probe_once, n):
    """`n` probes at once, in the order they were started."""
    if n == 1:
        return [probe_once()]
    out = [None] * n

    def run(i):
        out[i] = probe_once()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out
