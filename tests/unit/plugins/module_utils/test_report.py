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


def test_values_are_kept_only_when_numbers():
    rows = report.normalize([{"host": "h", "check": "c", "status": "ok", "value": "41", "unit": "ms", "threshold": 500},
                             {"host": "h", "check": "d", "status": "ok", "value": "n/a", "unit": "ms"},
                             {"host": "h", "check": "e", "status": "ok", "value": True}])
    assert rows[0] == {"host": "h", "check": "c", "status": "ok", "detail": "", "value": 41.0, "unit": "ms",
                       "threshold": 500.0}
    assert "value" not in rows[1] and "unit" not in rows[1] and "value" not in rows[2]


def test_run_record_keeps_each_checks_status_and_value():
    items = report.normalize([{"host": "a", "check": "x", "status": "warn", "value": 12},
                              {"host": "b", "check": "y", "status": "ok"}])
    run = report.run_record(report.summarize(items), "2026-11-22T03:00:00+00:00", items)
    assert run["checks"] == {"a: x": {"status": "warn", "value": 12.0}, "b: y": {"status": "ok"}}
    assert run["overall"] == "warn" and run["generated"] == "2026-11-22T03:00:00+00:00"


def runs(values):
    """History (newest first) of check "a: x" from values given oldest first."""
    return [{"overall": "ok", "counts": {}, "generated": "2026-11-%02dT00:00:00+00:00" % (i + 1),
             "checks": {} if v is None else {"a: x": {"status": "ok", "value": v}}}
            for i, v in reversed(list(enumerate(values)))]


@pytest.mark.parametrize("values, expected", [
    ([1, 2, 3], [1.0, 2.0, 3.0]),
    ([None, 2, None], [None, 2.0, None]),
    ([], []),
])
def test_series_is_oldest_first(values, expected):
    assert report.series(runs(values), "a: x") == expected


MIXED = [{"host": "web", "check": "b ok", "status": "ok", "value": 5},
         {"host": "web", "check": "a warn", "status": "warn"},
         {"host": "ai", "check": "z fail", "status": "fail", "detail": "500", "value": 3, "threshold": 2},
         {"host": "ai", "check": "y ok", "status": "ok"},
         {"host": "db", "check": "c ok", "status": "ok"},
         {"host": "cert", "check": "d fail", "status": "fail"}]


def test_view_orders_failures_first_everywhere():
    items = report.normalize(MIXED)
    history = runs([1, 2])
    v = report.view("T", "2026-11-22T03:00:00+00:00", items, report.summarize(items), history)
    assert [(r["host"], r["status"]) for r in v["attention"]] == [("ai", "fail"), ("cert", "fail"), ("web", "warn")]
    assert [(g["host"], g["status"]) for g in v["groups"]] == [("ai", "fail"), ("cert", "fail"), ("web", "warn"), ("db", "ok")]
    assert [c["check"] for c in v["groups"][2]["checks"]] == ["a warn", "b ok"]
    assert v["groups"][0]["counts"] == {"fail": 1, "warn": 0, "ok": 1}
    assert v["headline"] == "2 check(s) FAILED" and v["kept_runs"] == 2
    assert v["clock"]["local"] == "12:00:00 KST"


def test_view_sparkline_has_a_slot_per_kept_run():
    items = report.normalize([{"host": "a", "check": "x", "status": "ok", "value": 3, "threshold": 5}])
    history = report.add_run(runs([1, None, 2]), report.run_record(report.summarize(items), "now", items), 30)
    v = report.view("T", "2026-11-22T03:00:00+00:00", items, report.summarize(items), history)
    spark = v["groups"][0]["checks"][0]["spark"]
    assert [p["value"] for p in spark["points"]] == [1.0, 2.0, 3.0]
    assert [p["x"] for p in spark["points"]] == [3, 79, 117]         # slot 2 of 4 is empty
    assert spark["threshold"] == 5.0 and v["groups"][0]["checks"][0]["key"] == "a: x"


@pytest.mark.parametrize("incidents, ids", [
    ([], []),
    ([{"id": "A", "status": "open", "started": "1"}, {"id": "B", "status": "resolved"},
      {"id": "C", "status": "escalated", "started": "2"}], ["C", "A"]),
    ([{"title": "no id"}, "junk", {"id": "D"}], ["D"]),
])
def test_only_open_incidents_are_linked(incidents, ids):
    assert [i["id"] for i in report.open_incidents(incidents)] == ids


def test_view_shows_a_hand_edited_run_time_as_written():
    v = report.view("T", "2026-11-22T03:00:00+00:00", [], report.summarize([]),
                    [{"generated": "last tuesday", "overall": "weird"}])
    assert v["runs"] == [{"overall": "ok", "generated": "last tuesday", "clock": None, "counts": {}, "failed": []}]
