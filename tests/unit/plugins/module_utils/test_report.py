# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils import report

ITEMS = [{"host": "lab-ai", "check": "health: ai", "status": "ok", "detail": "OK 200"},
         {"host": "lab-tls", "check": "certificate: x", "status": "warn", "detail": "12 days"},
         {"host": "lab-web", "check": "scheduled job: mysql_backup", "status": "fail", "detail": "never <script>"}]


def test_failures_first_and_summary():
    items = report.normalize(ITEMS)
    assert [i["status"] for i in items] == ["fail", "warn", "ok"]
    assert report.summarize(items) == {"overall": "fail", "counts": {"fail": 1, "warn": 1, "ok": 1},
                                       "failed": ["lab-web: scheduled job: mysql_backup"]}
    assert report.summarize(report.normalize(ITEMS[:2]))["overall"] == "warn"
    assert report.summarize([])["overall"] == "ok"


def test_bad_items():
    with pytest.raises(report.ReportError, match="status must be one of fail, warn, ok"):
        report.normalize([{"check": "x", "status": "green"}])
    with pytest.raises(report.ReportError, match="needs at least check"):
        report.normalize([{"status": "ok"}])


def test_history_keeps_the_newest():
    history = []
    for n in range(5):
        history = report.add_run(history, {"generated": n}, keep=3)
    assert [h["generated"] for h in history] == [4, 3, 2]


def test_html_escapes_and_colours():
    items = report.normalize(ITEMS)
    page = report.render_html("Daily <check>", "now", items, report.summarize(items), [])
    assert "never &lt;script&gt;" in page and "<script>" not in page
    assert "Daily &lt;check&gt;" in page
    assert '<tr class="fail"><td class="status" style="background:#c62828">FAILED</td><td>lab-web</td>' in page
    assert "1 check(s) FAILED" in page
