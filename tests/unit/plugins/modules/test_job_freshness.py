# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import job_freshness

UTC = datetime.timezone.utc


def run(capsys, args, check_mode=False):
    with patch_module_args(dict(args, _ansible_check_mode=check_mode)):
        with pytest.raises(SystemExit):
            job_freshness.main()
    return json.loads(capsys.readouterr().out)


def ago(**delta):
    return (datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(**delta)).isoformat()


@pytest.mark.parametrize("text, hours", [(26, 26.0), ("26h", 26.0), ("8d", 192.0), ("2w", 336.0), ("1.5", 1.5)])
def test_periods(text, hours):
    assert job_freshness.hours(text) == hours


@pytest.mark.parametrize("text", ["soon", "0", "-3d", "d"])
def test_bad_periods(text):
    with pytest.raises(ValueError):
        job_freshness.hours(text)


def test_record_then_again_within_the_interval_changes_nothing(tmp_path, capsys):
    path = tmp_path / "sub" / "freshness.json"
    first = run(capsys, {"path": str(path), "record": "mysql_backup"})
    assert first["changed"] is True
    assert json.loads(path.read_text())["successes"]["mysql_backup"] == first["recorded"]
    second = run(capsys, {"path": str(path), "record": "mysql_backup"})
    assert second["changed"] is False and second["recorded"] == first["recorded"]


def test_record_in_check_mode_writes_nothing(tmp_path, capsys):
    path = tmp_path / "freshness.json"
    assert run(capsys, {"path": str(path), "record": "prune"}, check_mode=True)["changed"] is True
    assert not path.exists()


def test_overdue_and_never_run_jobs_are_stale(tmp_path, capsys):
    path = tmp_path / "freshness.json"
    path.write_text(json.dumps({"successes": {"mysql_backup": ago(hours=30), "image_prune": ago(days=2)}}))
    out = run(capsys, {"path": str(path), "max_age": {"mysql_backup": "26h", "image_prune": "8d",
                                                      "certbot_dry_run": "32d"}})
    assert out["changed"] is False
    assert out["stale"] == ["certbot_dry_run", "mysql_backup"]
    assert [j["job"] for j in out["jobs"]] == ["certbot_dry_run", "mysql_backup", "image_prune"]
    never = out["jobs"][0]
    assert never["last_success"] is None and never["age_hours"] is None and never["max_age_hours"] == 768.0
    assert 29.9 < out["jobs"][1]["age_hours"] < 30.1


def test_fail_on_stale_names_them(tmp_path, capsys):
    out = run(capsys, {"path": str(tmp_path / "f.json"), "max_age": {"mysql_backup": 26}, "fail_on_stale": True})
    assert out["failed"] is True and out["msg"] == "overdue: mysql_backup (last success never)"


def test_corrupt_state_and_bad_period_change_nothing(tmp_path, capsys):
    path = tmp_path / "freshness.json"
    path.write_text("{not json")
    out = run(capsys, {"path": str(path), "record": "x"})
    assert out["failed"] is True and "is corrupt" in out["msg"]
    assert path.read_text() == "{not json"
    good = tmp_path / "good.json"
    out = run(capsys, {"path": str(good), "record": "x", "max_age": {"x": "soon"}})
    assert out["failed"] is True and "'soon' is not a period" in out["msg"] and not good.exists()
