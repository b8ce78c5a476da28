# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pages' arithmetic as tables: sparkline and chart coordinates, times in two zones."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import IncidentError
from ansible_collections.oncall.runbooks.plugins.module_utils.page import clock, number, sparkline, timechart


@pytest.mark.parametrize("value, expected", [
    (3, 3.0), ("2.5", 2.5), (True, None), (None, None), ("x", None), (float("nan"), None), (float("inf"), None)])
def test_number(value, expected):
    assert number(value) == expected


# width 120, height 28, pad 3: x from 3 to 117, y from 3 (highest) to 25 (lowest)
@pytest.mark.parametrize("values, threshold, points, threshold_y", [
    ([0, 10], None, [(3, 25), (117, 3)], None),
    ([10, 0, 5], None, [(3, 3), (60, 25), (117, 14)], None),
    ([5, 5, 5], None, [(3, 14), (60, 14), (117, 14)], None),            # flat: in the middle
    ([0, 10], 20, [(3, 25), (117, 14)], 3),                              # threshold above: part of the scale
    ([10, 20], 0, [(3, 14), (117, 3)], 25),                              # and below
    ([None, 4, None, 8], None, [(41, 25), (117, 3)], None),              # a slot per run, empty when not measured
    ([7], None, [(60, 14)], None),                                       # one run: one point, centred
])
def test_sparkline(values, threshold, points, threshold_y):
    s = sparkline(values, threshold)
    assert [(p["x"], p["y"]) for p in s["points"]] == points
    assert s["threshold_y"] == threshold_y
    assert s["polyline"] == " ".join("%g,%g" % p for p in points)


@pytest.mark.parametrize("values, last, lo, hi", [
    ([1, 2, 3], 3, 1, 3), ([3, None], None, 3, 3), (["2", 1], 1, 1, 2)])
def test_sparkline_summary(values, last, lo, hi):
    s = sparkline(values)
    assert (s["last"], s["min"], s["max"]) == (last, lo, hi)


@pytest.mark.parametrize("values", [[], [None, None], ["n/a"], [True]])
def test_nothing_measured_draws_nothing(values):
    assert sparkline(values) is None


def test_timechart_places_samples_by_time():
    # width 320, height 80, pad 6: x from 6 to 314 over the span, y from 6 (top) to 74
    c = timechart([{"at": "2026-11-22T03:00:00+00:00", "value": 0, "ok": False},
                   {"at": "2026-11-22T03:00:30+00:00", "value": 20, "ok": True},
                   {"at": "2026-11-22T03:00:10+00:00", "value": 0, "ok": True}], threshold=40)
    assert [(p["x"], p["y"], p["ok"], p["seconds"]) for p in c["points"]] == [
        (6, 74, False, 0), (108.7, 74, True, 10), (314, 40, True, 30)]
    assert (c["threshold_y"], c["span"], c["min"], c["max"]) == (6, 30, 0, 20)
    assert timechart([]) is None and timechart([{"at": "2026-11-22T03:00:00Z", "value": None}]) is None


# seed 003 writes KST (UTC+9); UTC's date is shown only when it is not the local one
@pytest.mark.parametrize("at, offset, name, local, utc, date", [
    ("2026-11-22T03:00:00+00:00", "+09:00", "KST", "12:00:00 KST", "03:00:00 UTC", "2026-11-22"),
    ("2026-11-22T15:30:05Z", "+09:00", "KST", "00:30:05 KST", "15:30:05 UTC (2026-11-22)", "2026-11-23"),
    ("2026-11-22T12:00:00+09:00", "+09:00", "KST", "12:00:00 KST", "03:00:00 UTC", "2026-11-22"),
    ("2026-11-22T02:00:00", "-05:00", "EST", "21:00:00 EST", "02:00:00 UTC (2026-11-22)", "2026-11-21"),  # naive = UTC
    ("2026-11-22T03:00:00.250+00:00", "+00:00", "UTC", "03:00:00 UTC", "03:00:00 UTC", "2026-11-22"),
])
def test_clock(at, offset, name, local, utc, date):
    c = clock(at, offset, name)
    assert (c["local"], c["utc"], c["date"]) == (local, utc, date)
    assert c["iso"].endswith("Z")


@pytest.mark.parametrize("at, offset", [("yesterday", "+09:00"), ("2026-11-22T03:00:00Z", "KST")])
def test_clock_refuses_what_it_cannot_read(at, offset):
    with pytest.raises(IncidentError):
        clock(at, offset)
