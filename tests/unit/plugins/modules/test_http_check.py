# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import http_check


def run_raw(capsys, args):
    """Run the module's main() as Ansible would; return its raw stdout."""
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            http_check.main()
    return capsys.readouterr().out


def run(capsys, args):
    return json.loads(run_raw(capsys, args))


def test_healthy(server, capsys):
    out = run(capsys, {"url": server.url("/health"), "json_checks": ["status == ok"]})
    assert out.get("failed") is not True
    assert out["changed"] is False
    assert out["healthy"] is True
    assert out["reason"] == ""
    assert out["attempts"] == 1
    assert out["json"]["status"] == "ok"


def test_unhealthy_fails_with_reason(server, capsys):
    out = run(capsys, {"url": server.url("/down")})
    assert out["failed"] is True
    assert out["msg"] == "unhealthy: status 503 (expected 200)"
    assert out["status"] == 503
    assert out["healthy"] is False


def test_unhealthy_reported_without_failing(server, capsys):
    out = run(capsys, {"url": server.url("/down"), "fail_on_unhealthy": False})
    assert out.get("failed") is not True
    assert out["healthy"] is False
    assert out["reason"] == "status 503 (expected 200)"


def test_until_healthy_consecutive(server, capsys):
    out = run(capsys, {"url": server.url("/recovering?bad=1"), "until_healthy": True,
                       "consecutive": 2, "retries": 4, "delay": 0})
    assert out["healthy"] is True
    assert [h["status"] for h in out["history"]] == [500, 200, 200]
    assert out["attempts"] == 3


@pytest.mark.parametrize("args, msg", [
    ({"url": "not a url"}, "url 'not a url' must start with http:// or https://"),
    ({"url": "http://127.0.0.1:1/", "json_checks": ["status ?= ok"]},
     "JSON check 'status ?= ok': expected '<path> <op> <value>'"),
    ({"url": "http://127.0.0.1:1/", "json_checks": ["a..b == 1"]},
     "JSON check 'a..b == 1': unknown path syntax 'a..b'"),
    ({"url": "http://127.0.0.1:1/", "retries": -1}, "retries must be 0 or more, got -1"),
    ({"url": "http://127.0.0.1:1/", "body": {"a": 1}}, "body must be a string unless body_format=json"),
])
def test_bad_input_is_a_clear_error_without_request(server, capsys, args, msg):
    out = run(capsys, args)
    assert out["failed"] is True
    assert out["msg"].startswith(msg)
    assert "exception" not in out


def test_unreachable_host(closed_port, capsys):
    url = "http://127.0.0.1:%d/health" % closed_port
    out = run(capsys, {"url": url, "retries": 2, "delay": 0})
    assert out["failed"] is True
    assert out["msg"] == "unhealthy: GET %s: connection refused" % url
    assert out["attempts"] == 3
    assert "exception" not in out


def test_secret_header_values_never_printed(server, capsys):
    raw = run_raw(capsys, {"url": server.url("/echo"), "return_content": True,
                           "headers": {"Authorization": "Bearer s3cr3t-v4lue", "X-Trace": "visible"}})
    assert json.loads(raw)["healthy"] is True
    assert "s3cr3t-v4lue" not in raw  # not in invocation, json, nor content
    assert "visible" in raw


def test_body_format_json(server, capsys):
    out = run(capsys, {"url": server.url("/echo"), "method": "POST",
                       "body": {"reset": True}, "body_format": "json"})
    assert json.loads(out["json"]["body"]) == {"reset": True}
    assert out["json"]["headers"]["Content-Type"] == "application/json"


def test_check_mode_sends_no_unsafe_request(server, capsys):
    out = run(capsys, {"url": server.url("/echo"), "method": "POST", "_ansible_check_mode": True})
    assert out["skipped_in_check_mode"] is True
    assert out["healthy"] is None
    assert server.state.get("hits", 0) == 0


def test_check_mode_still_probes_with_get(server, capsys):
    out = run(capsys, {"url": server.url("/health"), "_ansible_check_mode": True})
    assert out["healthy"] is True
    assert server.state["hits"] == 1


def test_content_only_when_asked(server, capsys):
    out = run(capsys, {"url": server.url("/text")})
    assert "content" not in out
    out = run(capsys, {"url": server.url("/text"), "return_content": True})
    assert out["content"] == "hello"
