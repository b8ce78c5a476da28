# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import env_file_secret

OLD, NEW = "xoxb-old-0000", "xoxb-new-1111"


def run(capsys, args, check_mode=False, diff=False):
    with patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)):
        with pytest.raises(SystemExit):
            env_file_secret.main()
    out = capsys.readouterr().out
    assert OLD not in out and NEW not in out  # values never in the result
    return json.loads(out)


@pytest.fixture()
def env(tmp_path):
    path = tmp_path / ".env.monitoring.prod"
    path.write_text("# monitoring\nSMTP_HOST=mail.example.com\nexport SLACK_TOKEN='%s'\nOTHER=1" % OLD)
    path.chmod(0o640)
    return path


def test_rotate_keeps_the_previous_value_and_the_file_mode(env, capsys, tmp_path):
    keep = tmp_path / "previous.json"
    out = run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "value": NEW, "keep_previous": str(keep)}, diff=True)
    assert out["changed"] is True and out["before_fingerprint"] != out["after_fingerprint"]
    assert env.read_text() == "# monitoring\nSMTP_HOST=mail.example.com\nSLACK_TOKEN=%s\nOTHER=1" % NEW
    assert oct(env.stat().st_mode & 0o777) == "0o640"
    assert json.loads(keep.read_text()) == {"key": "SLACK_TOKEN", "value": OLD}
    assert oct(keep.stat().st_mode & 0o777) == "0o600"
    assert out["diff"]["before"].startswith("SLACK_TOKEN=<sha256 ")
    again = run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "value": NEW, "keep_previous": str(keep)})
    assert again["changed"] is False


def test_restore_puts_the_old_value_back_and_forgets_it(env, capsys, tmp_path):
    keep = tmp_path / "previous.json"
    run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "value": NEW, "keep_previous": str(keep)})
    out = run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "restore": True, "keep_previous": str(keep)})
    assert out["changed"] is True and "SLACK_TOKEN=%s\n" % OLD in env.read_text()
    assert not keep.exists()
    assert run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "restore": True, "keep_previous": str(keep)})["changed"] is False


def test_missing_key_is_appended_and_quoted_when_needed(env, capsys):
    run(capsys, {"path": str(env), "key": "SMTP_PASSWORD", "value": "p@ss word#1"})
    assert env.read_text().endswith("OTHER=1\nSMTP_PASSWORD='p@ss word#1'\n")


def test_check_mode_writes_nothing(env, capsys, tmp_path):
    before = env.read_text()
    out = run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "value": NEW, "keep_previous": str(tmp_path / "k")},
              check_mode=True)
    assert out["changed"] is True and env.read_text() == before and not os.path.exists(tmp_path / "k")


def test_bad_input(env, capsys, tmp_path):
    assert run(capsys, {"path": str(env), "key": "SLACK-TOKEN", "value": NEW})["msg"] == "key 'SLACK-TOKEN' is not a variable name"
    assert "single quote or a newline" in run(capsys, {"path": str(env), "key": "K", "value": "a'b"})["msg"]
    assert run(capsys, {"path": str(tmp_path / "none"), "key": "K", "value": "v"})["msg"].startswith("cannot read")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert "holds no value for SLACK_TOKEN" in run(capsys, {"path": str(env), "key": "SLACK_TOKEN", "restore": True,
                                                            "keep_previous": str(bad)})["msg"]
