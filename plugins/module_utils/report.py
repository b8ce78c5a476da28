# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The daily check's report: one JSON document and one HTML page a person would rather look
at than read (status table in red/amber/green, failures first with their reason, the last
runs' history). Pure functions; the daily_report module writes the files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html

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
        clean.append({"host": str(item.get("host") or "-"), "check": str(item["check"]),
                      "status": status, "detail": str(item.get("detail") or "")})
    return sorted(clean, key=lambda it: (STATUSES.index(it["status"]), it["host"], it["check"]))


def summarize(items):
    counts = dict((s, sum(1 for it in items if it["status"] == s)) for s in STATUSES)
    overall = "fail" if counts["fail"] else ("warn" if counts["warn"] else "ok")
    return {"overall": overall, "counts": counts,
            "failed": ["%s: %s" % (it["host"], it["check"]) for it in items if it["status"] == "fail"]}


def add_run(history, run, keep):
    """Newest first, at most `keep` runs."""
    return ([run] + [h for h in history if isinstance(h, dict)])[:keep]


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
    headline = {"fail": "%d check(s) FAILED" % summary["counts"]["fail"],
                "warn": "%d warning(s), nothing failed" % summary["counts"]["warn"],
                "ok": "All %d checks passed" % summary["counts"]["ok"]}[summary["overall"]]
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%(title)s</title>
<style>
body{font-family:sans-serif;margin:2em;color:#222}
h1{margin-bottom:0} .banner{padding:.6em 1em;color:#fff;font-size:1.3em;margin:1em 0}
table{border-collapse:collapse;width:100%%;margin-bottom:2em} td,th{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}
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
       "colour": COLOURS[summary["overall"]], "headline": headline, "rows": "\n".join(rows), "runs": "\n".join(runs)}
