# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""daily_report as a module: the files it writes, html=false for a template, the view, check mode."""
from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import daily_report

ITEMS = [{"host": "web", "check": "health: gw", "status": "ok", "value": 41, "unit": "ms"},
         {"host": "ai", "check": "health: ai", "status": "fail", "detail": "500", "value": 900, "unit": "ms"}]


def run(capsys, args, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            daily_report.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("html, check_mode, files", [
    (True, False, ["history.json", "report.html", "report.json"]),
    (False, False, ["history.json", "report.json"]),          # a template draws the page
    (True, True, []),
])
def test_files_written(tmp_path, capsys, html, check_mode, files):
    out = run(capsys, {"dest": str(tmp_path / "r"), "items": ITEMS, "html": html}, check_mode)
    assert out["changed"] is False and out["summary"]["overall"] == "fail"
    assert out["html"] == str(tmp_path / "r" / "report.html")
    written = sorted(p.name for p in (tmp_path / "r").iterdir()) if (tmp_path / "r").exists() else []
    assert written == files
    assert out["view"]["attention"][0]["key"] == "ai: health: ai" and out["view"]["kept_runs"] == 1


def test_history_feeds_the_sparklines(tmp_path, capsys):
    for ms in (100, 200, 300):
        out = run(capsys, {"dest": str(tmp_path), "items": [dict(ITEMS[0], value=ms)], "keep_runs": 2})
    spark = out["view"]["groups"][0]["checks"][0]["spark"]
    assert [p["value"] for p in spark["points"]] == [200.0, 300.0]
    runs = json.loads((tmp_path / "history.json").read_text())["runs"]
    assert [r["checks"]["web: health: gw"]["value"] for r in runs] == [300.0, 200.0]


def test_open_incidents_and_timezone(tmp_path, capsys):
    out = run(capsys, {"dest": str(tmp_path), "items": ITEMS, "timezone": {"offset": "+00:00", "name": "UTC"},
                       "incidents": [{"id": "INC-1", "status": "open"}, {"id": "INC-0", "status": "resolved"}]})
    assert [i["id"] for i in out["view"]["incidents"]] == ["INC-1"]
    assert out["view"]["clock"]["local"].endswith(" UTC")
