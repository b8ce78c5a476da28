# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The daily report (a failure, a warning and a week of history) and an incident page, drawn by
the collection's templates and opened in headless Chromium (the oncall-runbooks/chromium
image) at 1280x900 and at a phone's 390x844: nothing overflows horizontally, failures come
first, each sparkline has one point per kept run, the incident's timeline shows KST and UTC
and no secret. Screenshots are kept as artifacts ($ONCALL_TEST_ARTIFACTS, else
~/.cache/oncall-runbooks/artifacts/report-pages); the path is printed.

Chromium is driven through its DevTools protocol (one browser for every page and size): the
viewport is set exactly (a headless window cannot be narrower than 500 px) and the DOM is
measured in the page. No lab is needed."""
from __future__ import annotations

import base64
import datetime
import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils import incident
from labvars import PREFIX

# websockets comes with ansible-rulebook (requirements.txt)
websockets_sync = pytest.importorskip("websockets.sync.client")

PORT = int(os.environ.get("ONCALL_CHROMIUM_PORT", "18604"))
NAME = "%s-pages-%d" % (PREFIX, os.getpid())
SIZES = [(1280, 900), (390, 844)]
KEPT = 7
SECRET = "hooks-secret-7f3e9a"
ARTIFACTS = Path(os.environ.get("ONCALL_TEST_ARTIFACTS")
                 or Path.home() / ".cache" / "oncall-runbooks" / "artifacts" / "report-pages")

# What the page's layout looks like from inside: overflow, order, sparklines.
MEASURE = r"""(() => {
  const vw = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.width > vw + 0.5 || r.right > vw + 0.5 || r.left < -0.5))
      wide.push(el.tagName + ' ' + (el.getAttribute('class') || '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  const all = (sel) => Array.from(document.querySelectorAll(sel));
  const before = (a, b) => !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));
  return {
    innerWidth: vw, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 20),
    attention: all('#attention li').map(li => li.className),
    attentionBeforeHosts: before(document.querySelector('#attention'), document.querySelector('#hosts')),
    hostOrder: all('#hosts h3.host').map(h => h.className.replace('host ', '')),
    rowsPerHost: all('#hosts table.checks').map(t => Array.from(t.querySelectorAll('tbody tr')).map(tr => tr.className)),
    sparkPoints: all('svg.spark').map(s => s.querySelectorAll('circle').length),
    sparkThresholds: all('svg.spark line.threshold').length,
    incidentLinks: all('#incidents a').map(a => a.getAttribute('href')),
    timeline: all('ol.timeline li').map(li => li.innerText),
    chartPoints: all('svg.chart circle').length,
    html: document.documentElement.outerHTML,
  };
})()"""


def record():
    """An incident as seed 003's loop leaves it: declared P2, classified P1, an action whose
    text carries the webhook (masked on the page), the exit condition's samples, a
    notification, resolved late in the evening KST (the previous day in UTC)."""
    t0 = datetime.datetime(2026, 11, 22, 14, 59, 0, tzinfo=datetime.timezone.utc)   # 23:59 KST

    def at(seconds):
        return (t0 + datetime.timedelta(seconds=seconds)).isoformat()

    rec = incident.new_record("INC-20261122T145900Z-api-down", "API answers 503", "P2", "api-down",
                              "lab-soul", at(0))
    samples = [(130, True, 0.0), (140, True, 10.0), (150, False, 0.0), (160, True, 0.0), (190, True, 30.0)]
    events = [incident.make_event("detected", "GET /health: 503, trace 9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0", at(-30)),
              incident.make_event("declared", "declared: API answers 503", at(0), {"severity": "P2"}),
              incident.make_event("classified", "P1: api_error_rate_pct > 5", at(5),
                                  {"severity": "P1", "matched": ["api_error_rate_pct > 5"]}),
              incident.make_event("action", "redeployed the last good build via https://x.test/%s" % SECRET, at(60),
                                  {"result": {"changed": True, "status": 200, "msg": "deployment SUCCESS"}}),
              incident.make_event("action", "rotated the API key", at(90), {"result": {"censored": incident.CENSORED}}),
              incident.make_event("verify_started", "waiting for API health to hold 30s", at(125))]
    events += [incident.make_event("sample" if ok or i == 0 else "verify_reset", "%s: GET /health" % ("pass" if ok else "FAIL"),
                                   at(s), {"ok": ok, "streak": streak})
               for i, (s, ok, streak) in enumerate(samples)]
    events += [incident.make_event("verify_held", "held 30s", at(191), {"hold": 30, "resets": 1}),
               incident.make_event("notification", 'P1 "resolved" sent (HTTP 204)', at(195)),
               incident.make_event("resolved", "resolved: API answers 503", at(196))]
    incident.append_events(rec, events)
    incident.apply_kind(rec, "classified", at(5), severity="P1", matched=["api_error_rate_pct > 5"])
    incident.apply_kind(rec, "resolved", incident.iso(at(196)))
    return rec


def history():
    """Six earlier daily runs, newest first, with the values the checks measured."""
    runs = []
    day = datetime.datetime(2026, 11, 21, 0, 0, tzinfo=datetime.timezone.utc)
    for n in range(KEPT - 1):
        checks = {"lab-ai: health: ai-service": {"status": "ok", "value": 300 + 200 * (KEPT - n)},
                  "lab-tls: certificate: 127.0.0.1:18088 (lab-tls.example.test)": {"status": "ok", "value": 13.5 + n},
                  "lab-web: health: gateway": {"status": "ok", "value": 40 + n},
                  "lab-web: scheduled job: mysql_backup": {"status": "ok", "value": 2.0 + n},
                  "lab-ai: health: refit-ai": {"status": "ok", "value": 90 - n}}
        runs.append({"overall": "ok", "counts": {"fail": 0, "warn": 0, "ok": 5}, "failed": [],
                     "generated": (day - datetime.timedelta(days=n)).isoformat(), "checks": checks})
    return {"runs": runs}


class Browser:
    """A page of headless Chromium over the DevTools protocol."""

    def __init__(self, ws_url):
        self.ws = websockets_sync.connect(ws_url, max_size=64 * 1024 * 1024)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                return msg["result"]

    def open(self, url, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 600)
        self.call("Page.navigate", url=url)
        # file:// pages with no external asset: ready when the document is complete
        for _attempt in range(200):
            state = self.call("Runtime.evaluate", expression="document.readyState", returnByValue=True)
            if state["result"]["value"] == "complete":
                break
            time.sleep(0.05)
        return self.call("Runtime.evaluate", expression=MEASURE, returnByValue=True)["result"]["value"]

    def screenshot(self, path):
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.fail("port %d is taken: set ONCALL_CHROMIUM_PORT to a free one" % PORT)
    pages = tmp_path_factory.mktemp("pages")
    pages.chmod(0o755)
    subprocess.run(["docker", "run", "-d", "--rm", "--name", NAME, "--network", "host", "-v", "%s:/r:ro" % pages,
                    "oncall-runbooks/chromium:latest", "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=%d" % PORT, "--user-data-dir=/tmp/profile", "about:blank"],
                   check=True, capture_output=True, text=True)
    try:
        for _attempt in range(600):
            try:
                targets = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % PORT, timeout=2).read())
                page = [t for t in targets if t.get("type") == "page"]
                if page:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("Chromium did not answer on 127.0.0.1:%d" % PORT)
        browser = Browser(page[0]["webSocketDebuggerUrl"])
        yield pages, browser
        browser.ws.close()
    finally:
        subprocess.run(["docker", "rm", "-f", NAME], capture_output=True, check=False)


def test_report_and_incident_page_fit_and_read_in_order(chromium, run_playbook):
    pages, browser = chromium
    (pages / "history.json").write_text(json.dumps(history()))
    (pages / "incident.json").write_text(json.dumps(record()))
    run = run_playbook("tests/integration/playbooks/render-pages.yml", inventory="inventories/lab",
                       extravars={"pages_dir": str(pages), "pages_record": str(pages / "incident.json"),
                                  "pages_secret": SECRET})
    assert run.status == "successful", run.stdout
    for name in ("report.html", "incident.html"):
        (pages / name).chmod(0o644)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print("\nscreenshots: %s" % ARTIFACTS)

    for width, height in SIZES:
        report = browser.open("file:///r/report.html", width, height)
        browser.screenshot(ARTIFACTS / ("report-%dx%d.png" % (width, height)))
        # a phone widens its layout viewport to fit content that overflows
        assert report["innerWidth"] == width, "the page is wider than %d px" % width
        assert report["scrollWidth"] <= width and report["wide"] == [], (width, report["wide"])
        # failures first: in the attention list, among the hosts, in each host's table
        assert report["attention"] == ["fail", "warn"]
        assert report["attentionBeforeHosts"]
        assert report["hostOrder"] == ["fail", "warn", "ok"]
        for rows in report["rowsPerHost"]:
            assert rows == sorted(rows, key=["fail", "warn", "ok"].index)
        # one point per kept run, in every sparkline (two in the attention list, five by host)
        assert report["sparkPoints"] == [KEPT] * 7
        assert report["sparkThresholds"] == 3      # the certificate's twice, the job's once
        assert report["incidentLinks"] == ["incident.html"]     # the resolved one is not listed

        page = browser.open("file:///r/incident.html", width, height)
        browser.screenshot(ARTIFACTS / ("incident-%dx%d.png" % (width, height)))
        assert page["innerWidth"] == width, "the page is wider than %d px" % width
        assert page["scrollWidth"] <= width and page["wide"] == [], (width, page["wide"])
        assert len(page["timeline"]) == len(record()["events"])
        assert page["timeline"][0].startswith("23:58:30 KST 14:58:30 UTC")
        assert any(line.startswith("00:00:00 KST 15:00:00 UTC (2026-11-22)") for line in page["timeline"])
        assert page["chartPoints"] == 5
        assert SECRET not in page["html"] and incident.MASK in page["html"]
        assert "output hidden (no_log)" in page["html"]
    assert sorted(p.name for p in ARTIFACTS.glob("*.png")) == [
        "incident-1280x900.png", "incident-390x844.png", "report-1280x900.png", "report-390x844.png"]
