# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import notify


def run_raw(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            notify.main()
    return capsys.readouterr().out


def test_posts_and_never_shows_the_url(webhook_double, capsys):
    url = webhook_double.base + "/api/webhooks/99/s3cr3t-token"
    raw = run_raw(capsys, {"url": url, "title": "rollback done", "severity": "success",
                           "fields": {"release": "v1"}})
    out = json.loads(raw)
    assert out["sent"] is True and out["changed"] is True
    assert "s3cr3t-token" not in raw
    assert webhook_double.records[0]["payload"]["embeds"][0]["fields"] == [
        {"name": "release", "value": "v1", "inline": True}]


def test_check_mode_sends_nothing(webhook_double, capsys):
    out = json.loads(run_raw(capsys, {"url": webhook_double.base + "/api/webhooks/1/t", "title": "x",
                                      "_ansible_check_mode": True}))
    assert out["sent"] is False and out["payload"]["embeds"][0]["title"].endswith("x")
    assert webhook_double.requests == 0


def test_failure_warns_but_does_not_fail_by_default(closed_port, capsys, monkeypatch):
    # Where warnings end up depends on what else this process imported; record the call.
    warned = []
    original = notify.AnsibleModule.warn
    monkeypatch.setattr(notify.AnsibleModule, "warn",
                        lambda self, msg, **kw: (warned.append(msg), original(self, msg, **kw)))
    out = json.loads(run_raw(capsys, {"url": "http://127.0.0.1:%d/api/webhooks/1/t" % closed_port,
                                      "title": "x", "retries": 0}))
    assert out.get("failed") is not True
    assert out["sent"] is False and out["changed"] is False
    assert warned == ["discord notification not delivered after 1 attempt(s): connection refused"]


def test_failure_fails_when_asked(closed_port, capsys):
    out = json.loads(run_raw(capsys, {"url": "http://127.0.0.1:%d/hooks/x" % closed_port, "title": "x",
                                      "service": "webhook", "retries": 0, "fail_on_error": True}))
    assert out["failed"] is True
    assert out["msg"] == "webhook notification not delivered after 1 attempt(s): connection refused"


def test_bad_url_is_refused_without_echo(capsys):
    raw = run_raw(capsys, {"url": "hooks.example/s3cr3t", "title": "x"})
    out = json.loads(raw)
    assert out["failed"] is True and out["msg"] == "url must be an absolute http(s) URL with a host"
    assert "s3cr3t" not in raw
