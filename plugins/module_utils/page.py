# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the HTML pages (the daily report, the incident page) compute before a template draws
them: sparkline coordinates and times shown in two zones. Pure functions, so the numbers can
be tested as tables; the templates only loop and print."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math

# one parser for the record's times and the pages' (it raises IncidentError on a bad one)
from ansible_collections.oncall.runbooks.plugins.module_utils.incident import parse_offset, parse_time


def number(value):
    """A float, or None for anything that is not a number (bools are not numbers here)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _scale(lo, hi, threshold):
    """The value range drawn: the data's, with the threshold inside; a flat one widened so it
    sits in the middle rather than on an edge."""
    if threshold is not None:
        lo, hi = min(lo, threshold), max(hi, threshold)
    if hi == lo:
        half = (abs(hi) or 1.0) / 2.0
        lo, hi = lo - half, hi + half
    return lo, hi


def sparkline(values, threshold=None, width=120, height=28, pad=3):
    """Coordinates of a small line chart of `values` (oldest first; None = not measured that
    run, which leaves its slot empty so x stays one slot per run). The threshold, when given,
    is part of the scale so its line is always inside the box. Returns None when nothing in
    `values` is a number."""
    slots = [number(v) for v in values]
    nums = [v for v in slots if v is not None]
    if not nums:
        return None
    limit = number(threshold)
    lo, hi = _scale(min(nums), max(nums), limit)

    def y(v):
        return round(pad + (hi - v) / (hi - lo) * (height - 2 * pad), 1)

    step = (width - 2.0 * pad) / (len(slots) - 1) if len(slots) > 1 else 0.0
    points = []
    for i, v in enumerate(slots):
        if v is not None:
            x = round(pad + i * step, 1) if len(slots) > 1 else width / 2.0
            points.append({"x": x, "y": y(v), "value": v})
    return {"width": width, "height": height, "points": points,
            "polyline": " ".join("%g,%g" % (p["x"], p["y"]) for p in points),
            "threshold": limit, "threshold_y": y(limit) if limit is not None else None,
            "min": min(nums), "max": max(nums), "last": nums[-1] if slots[-1] is not None else None}


def clock(at, offset="+09:00", name="KST"):
    """One moment as the pages print it: the local zone first (seed 003 writes KST), UTC
    beside it; UTC's date is added only when it is not the local date (late evening KST is
    the previous day in UTC)."""
    moment = parse_time(at)
    local = moment.astimezone(parse_offset(offset))
    utc = moment.astimezone(datetime.timezone.utc)
    utc_text = utc.strftime("%H:%M:%S") + " UTC"
    if utc.date() != local.date():
        utc_text += utc.strftime(" (%Y-%m-%d)")
    return {"date": local.strftime("%Y-%m-%d"), "local": "%s %s" % (local.strftime("%H:%M:%S"), name),
            "utc": utc_text, "iso": utc.isoformat(timespec="seconds").replace("+00:00", "Z")}


def timechart(samples, threshold=None, width=320, height=80, pad=6):
    """A small chart of timed samples, each {at, value, ok}: x is the time since the first,
    y the value; the threshold (for the exit condition, the seconds it must hold) is drawn
    when given. Returns None without samples."""
    rows = [(parse_time(s["at"]), number(s.get("value")), bool(s.get("ok"))) for s in samples or ()]
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: r[0])
    start = rows[0][0]
    span = (rows[-1][0] - start).total_seconds() or 1.0
    limit = number(threshold)
    lo, hi = _scale(min(r[1] for r in rows), max(r[1] for r in rows), limit)

    def y(v):
        return round(pad + (hi - v) / (hi - lo) * (height - 2 * pad), 1)

    points = []
    for at, v, ok in rows:
        seconds = (at - start).total_seconds()
        x = round(pad + seconds / span * (width - 2 * pad), 1) if len(rows) > 1 else width / 2.0
        points.append({"x": x, "y": y(v), "value": v, "ok": ok, "seconds": round(seconds, 1)})
    return {"width": width, "height": height, "points": points,
            "polyline": " ".join("%g,%g" % (p["x"], p["y"]) for p in points),
            "threshold": limit, "threshold_y": y(limit) if limit is not None else None,
            "span": round(span, 1), "min": min(r[1] for r in rows), "max": max(r[1] for r in rows)}
