# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The daily check's report: one JSON document and one HTML page a person would rather look
at than read (status table in red/amber/green, failures first with their reason, the last
runs' history). Pure functions; the daily_report module writes the files.

`view()` is everything the full page shows, worked out here so a template (the
oncall.runbooks.report role's, or a team's own) only has to draw it; `render_html()` is the
plain page the module writes when no template renders one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html

from ansible_collections.oncall.runbooks.plugins.module_utils.incident import IncidentError
from ansible_collections.oncall.runbooks.plugins.module_utils.page import clock, number, sparkline

STATUSES = ("fail", "warn", "ok")
COLOURS = {"fail": "#c62828", "warn": "#ef8f00", "ok": "#2e7d32"}
LABELS = {"fail": "FAILED", "warn": "WARNING", "ok": "OK"}


class ReportError(Exception):
    pass


def normalize(items):
    """Check the items ({host, check, status, detail}); failures first, then warnings."""
    clean = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("check"):
            raise ReportError("item %d needs at least check and status, got %r" % (i, item))
        status = str(item.get("status", "")).lower()
        if status not in STATUSES:
            raise ReportError("item %d (%s): status must be one of %s, got %r"
                              % (i, item["check"], ", ".join(STATUSES), item.get("status")))
        row = {"host": str(item.get("host") or "-"), "check": str(item["check"]),
               "status": status, "detail": str(item.get("detail") or "")}
        # the number the check measured (ms, days left, hours since...), drawn over the runs
        for key in ("value", "threshold"):
            if number(item.get(key)) is not None:
                row[key] = number(item[key])
        if row.get("value") is not None and item.get("unit"):
            row["unit"] = str(item["unit"])
        clean.append(row)
    return sorted(clean, key=lambda it: (STATUSES.index(it["status"]), it["host"], it["check"]))


def key(item):
    return "%s: %s" % (item["host"], item["check"])


def summarize(items):
    counts = dict((s, sum(1 for it in items if it["status"] == s)) for s in STATUSES)
    overall = "fail" if counts["fail"] else ("warn" if counts["warn"] else "ok")
    return {"overall": overall, "counts": counts,
            "failed": ["%s: %s" % (it["host"], it["check"]) for it in items if it["status"] == "fail"]}


def run_record(summary, generated, items):
    """What history.json keeps of a run: its summary, and each check's status and value
    (the sparklines are drawn from these)."""
    checks = {}
    for it in items:
        checks[key(it)] = dict((k, it[k]) for k in ("status", "value") if k in it)
    return dict(summary, generated=generated, checks=checks)


def add_run(history, run, keep):
    """Newest first, at most `keep` runs."""
    return ([run] + [h for h in history if isinstance(h, dict)])[:keep]


def headline(summary):
    return {"fail": "%d check(s) FAILED" % summary["counts"]["fail"],
            "warn": "%d warning(s), nothing failed" % summary["counts"]["warn"],
            "ok": "All %d checks passed" % summary["counts"]["ok"]}[summary["overall"]]


def series(history, name):
    """The values of check `name` over the kept runs, oldest first (None where it was not
    measured); history is newest first, as kept."""
    values = []
    for run in reversed(history):
        check = (run.get("checks") or {}).get(name) or {}
        values.append(number(check.get("value")))
    return values


def open_incidents(incidents):
    """The incidents still needing someone (open or escalated), newest first."""
    rows = []
    for inc in incidents or ():
        if not isinstance(inc, dict) or not inc.get("id") or inc.get("status") == "resolved":
            continue
        rows.append({"id": str(inc["id"]), "title": str(inc.get("title") or inc["id"]),
                     "severity": str(inc.get("severity") or "-"), "status": str(inc.get("status") or "open"),
                     "started": str(inc.get("started") or ""), "href": str(inc.get("href") or "")})
    return sorted(rows, key=lambda r: r["started"], reverse=True)


def view(title, generated, items, summary, history, incidents=(), tz_offset="+09:00", tz_name="KST"):
    """Everything the page shows: the checks needing attention first (failures, then
    warnings) with their reason, then every check grouped by host - hosts with a failure
    first - each with its sparkline over the kept runs (history, newest first, this run
    included), the last runs, and the open incidents."""
    rank = dict((s, i) for i, s in enumerate(STATUSES))
    rows = []
    for it in items:
        row = dict(it, key=key(it))
        row["spark"] = sparkline(series(history, row["key"]), it.get("threshold"))
        rows.append(row)
    hosts = {}
    for row in rows:
        hosts.setdefault(row["host"], []).append(row)
    groups = []
    for host, checks in hosts.items():
        checks.sort(key=lambda r: (rank[r["status"]], r["check"]))
        worst = checks[0]["status"]
        groups.append({"host": host, "status": worst, "checks": checks,
                       "counts": dict((s, sum(1 for r in checks if r["status"] == s)) for s in STATUSES)})
    groups.sort(key=lambda g: (rank[g["status"]], g["host"]))
    attention = sorted([r for r in rows if r["status"] != "ok"],
                       key=lambda r: (rank[r["status"]], r["host"], r["check"]))
    runs = []
    for run in history:
        when = run.get("generated")
        try:
            shown = clock(when, tz_offset, tz_name) if when else None
        except IncidentError:   # a hand-edited history line: shown as written
            shown = None
        runs.append({"overall": run.get("overall") if run.get("overall") in STATUSES else "ok",
                     "generated": str(when or ""), "clock": shown, "counts": run.get("counts") or {},
                     "failed": [str(f) for f in run.get("failed") or []]})
    return {"title": title, "generated": generated, "clock": clock(generated, tz_offset, tz_name),
            "overall": summary["overall"], "headline": headline(summary), "counts": summary["counts"],
            "attention": attention, "groups": groups, "runs": runs, "kept_runs": len(history),
            "incidents": open_incidents(incidents), "colours": COLOURS, "labels": LABELS}


def render_html(title, generated, items, summary, history):
    esc = html.escape
    rows = []
    for it in items:
        rows.append('<tr class="%s"><td class="status" style="background:%s">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
                    % (it["status"], COLOURS[it["status"]], LABELS[it["status"]], esc(it["host"]), esc(it["check"]),
                       esc(it["detail"])))
    runs = []
    for run in history:
        c = run.get("counts", {})
        runs.append('<tr class="run-%s"><td class="status" style="background:%s">%s</td><td>%s</td>'
                    '<td>%s failed, %s warnings, %s ok</td><td>%s</td></tr>'
                    % (esc(run.get("overall", "ok")), COLOURS.get(run.get("overall"), "#777"),
                       LABELS.get(run.get("overall"), "?"), esc(str(run.get("generated", ""))),
                       c.get("fail", 0), c.get("warn", 0), c.get("ok", 0), esc(", ".join(run.get("failed", [])))))
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%(title)s</title>
<style>
body{font-family:sans-serif;margin:1em;color:#222}
h1{margin-bottom:0} .banner{padding:.6em 1em;color:#fff;font-size:1.3em;margin:1em 0}
table{border-collapse:collapse;width:100%%;margin-bottom:2em;table-layout:fixed} td{overflow-wrap:anywhere}
td,th{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}
td.status{color:#fff;font-weight:bold;white-space:nowrap}
</style></head>
<body>
<h1>%(title)s</h1>
<p>Generated %(generated)s</p>
<div id="overall" class="banner %(overall)s" style="background:%(colour)s">%(headline)s</div>
<h2>Checks</h2>
<table id="checks"><thead><tr><th>Status</th><th>Host</th><th>Check</th><th>What was seen</th></tr></thead>
<tbody>
%(rows)s
</tbody></table>
<h2>Last runs</h2>
<table id="history"><thead><tr><th>Result</th><th>When</th><th>Counts</th><th>Failed</th></tr></thead>
<tbody>
%(runs)s
</tbody></table>
</body></html>
""" % {"title": esc(title), "generated": esc(generated), "overall": summary["overall"],
       "colour": COLOURS[summary["overall"]], "headline": headline(summary), "rows": "\n".join(rows), "runs": "\n".join(runs)}
