# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bounded HTTP load client for 127.0.0.1: a few threads, a fresh connection per request
(as a browser behind a gateway would open), and a tally of what came back.

A request "failed" when no HTTP answer came (refused, reset, timed out); any status is an
answer and is counted by status (`server_errors` counts the 5xx among them: a 502 from a
gateway is a lost request to its user). A header (X-Release by default), or a field of a JSON
answer (`field="app.version"`, dotted), tells which release answered.
"""
from __future__ import annotations

import http.client
import json
import threading
import time


class LoadClient:
    def __init__(self, port, path="/actuator/health", threads=4, timeout=5.0, header="X-Release",
                 field=None):
        self.port, self.path, self.threads, self.timeout = port, path, threads, timeout
        self.header, self.field = header, field
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = []
        self.sent = 0
        self.failed = 0
        self.errors: dict[str, int] = {}
        self.statuses: dict[int, int] = {}
        self.releases: dict[str, int] = {}
        self.first_seen: dict[str, float] = {}         # release -> seconds into the run
        self.last_release = None
        self.started = self.ended = 0.0

    def _one(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("GET", self.path, headers={"Connection": "close"})
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, self._release(resp, body), None
        except (OSError, http.client.HTTPException) as exc:
            return None, None, type(exc).__name__
        finally:
            conn.close()

    def _release(self, resp, body):
        if not self.field:
            return resp.getheader(self.header, "?")
        try:
            value = json.loads(body)
            for key in self.field.split("."):
                value = value[key]
            return str(value)
        except (ValueError, KeyError, TypeError):
            return "?"

    def _run(self):
        while not self._stop.is_set():
            status, release, error = self._one()
            with self._lock:
                self.sent += 1
                if error:
                    self.failed += 1
                    self.errors[error] = self.errors.get(error, 0) + 1
                    continue
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.releases[release] = self.releases.get(release, 0) + 1
                self.first_seen.setdefault(release, round(time.monotonic() - self.started, 2))
                self.last_release = release

    def __enter__(self):
        self.started = time.monotonic()
        for _index in range(self.threads):
            worker = threading.Thread(target=self._run, daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def wait_for(self, sent, max_seconds=60):
        """Keep the load on until at least `sent` requests went out (or max_seconds)."""
        deadline = time.monotonic() + max_seconds
        while self.sent < sent and time.monotonic() < deadline:
            time.sleep(0.1)

    def __exit__(self, *exc):
        self._stop.set()
        for worker in self._workers:
            worker.join(self.timeout + 1)
        self.ended = time.monotonic()

    def summary(self):
        return {"sent": self.sent, "failed": self.failed, "errors": self.errors,
                "statuses": self.statuses,
                "server_errors": sum(n for code, n in self.statuses.items() if code >= 500),
                "releases": self.releases,
                "first_seen": self.first_seen, "last_release": self.last_release,
                "seconds": round(self.ended - self.started, 1)}
