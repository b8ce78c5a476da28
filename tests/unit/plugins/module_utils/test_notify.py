# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from webhook_double import discord_errors, slack_error

from ansible_collections.oncall.runbooks.plugins.module_utils.notify import (
    COLOURS,
    NotifyError,
    build_payload,
    retry_after_seconds,
    send,
)

DISCORD = "/api/webhooks/123/tok"


def test_discord_payload_follows_discords_rules():
    payload = build_payload("discord", "rollback started", "ai-service failing", "P0",
                            {"host": "lab-ai", "from": "v2", "to": "v1"}, mention="<@&42>",
                            username="oncall.runbooks")
    assert discord_errors(payload) == {}
    embed = payload["embeds"][0]
    assert embed["title"] == "\U0001F6A8 rollback started"
    assert embed["color"] == COLOURS["P0"] == 0xE74C3C
    assert embed["fields"][0] == {"name": "host", "value": "lab-ai", "inline": True}
    assert payload["content"] == "<@&42>"


def test_discord_payload_is_cut_to_discords_limits():
    payload = build_payload("discord", "t" * 500, "d" * 9000, "P1",
                            [{"name": "n%d" % i, "value": "v" * 2000} for i in range(40)])
    assert discord_errors(payload) == {}
    embed = payload["embeds"][0]
    assert len(embed["title"]) == 256
    assert embed["fields"][-1]["value"].endswith("more field(s) not shown")
    assert len(embed["fields"]) < 25


def test_slack_payload_is_valid_blocks():
    payload = build_payload("slack", "rollback done", "v1 serving", "success", {"release": "v1"})
    assert slack_error(payload) is None
    assert payload["blocks"][0]["type"] == "header"
    assert "*release*\nv1" in payload["blocks"][2]["fields"][0]["text"]


@pytest.mark.parametrize("args, fragment", [
    (("discord", ""), "title must not be empty"),
    (("discord", "t", None, "P9"), "severity must be one of"),
    (("discord", "t", None, "P0", [{"name": "x"}]), "must be a dict with name and value"),
    (("teams", "t"), "unknown service"),
])
def test_bad_payload_input(args, fragment):
    with pytest.raises(NotifyError) as err:
        build_payload(*args)
    assert fragment in str(err.value)


@pytest.mark.parametrize("headers, body, expected", [
    ({"Retry-After": "2"}, b"", 2.0),
    ({"Retry-After": "0.25"}, b"", 0.25),
    ({}, b'{"retry_after": 1.5, "global": false}', 1.5),
    ({"Retry-After": "soon"}, b'{"retry_after": 3}', 3.0),
    ({}, b"not json", None),
])
def test_retry_after(headers, body, expected):
    assert retry_after_seconds(headers, body) == expected


def test_send_delivers(webhook_double):
    payload = build_payload("discord", "deploy done", None, "success", None)
    out = send(webhook_double.base + DISCORD, payload)
    assert out == {"sent": True, "status": 204, "attempts": 1, "error": ""}
    assert webhook_double.records == [{"service": "discord", "path": DISCORD, "payload": payload}]


def test_send_honours_rate_limit(webhook_double):
    webhook_double.control.update(rate_limit=2, retry_after=0.05)
    waits = []
    out = send(webhook_double.base + DISCORD, build_payload("discord", "x"), retries=3, sleep=waits.append)
    assert out["sent"] is True and out["attempts"] == 3
    assert waits == [0.05, 0.05]
    assert len(webhook_double.records) == 1


def test_send_gives_up_when_asked_to_wait_too_long(webhook_double):
    webhook_double.control.update(rate_limit=5, retry_after=120)
    out = send(webhook_double.base + DISCORD, build_payload("discord", "x"), retries=3, max_wait=30,
               sleep=lambda s: None)
    assert out["sent"] is False and out["attempts"] == 1
    assert "HTTP 429" in out["error"] and "more than max_retry_wait" in out["error"]


def test_send_retries_server_errors_then_reports(webhook_double):
    webhook_double.control.update(server_error=10)
    waits = []
    out = send(webhook_double.base + DISCORD, build_payload("discord", "x"), retries=2, sleep=waits.append)
    assert out["sent"] is False and out["attempts"] == 3 and out["status"] == 500
    assert waits == [1, 2]


def test_send_does_not_retry_a_rejected_payload(webhook_double):
    out = send(webhook_double.base + DISCORD, {"embeds": []}, retries=3, sleep=lambda s: None)
    assert out["attempts"] == 1 and out["status"] == 400
    assert "Cannot send an empty message" in out["error"]


def test_send_to_nothing(closed_port):
    out = send("http://127.0.0.1:%d/hooks/x" % closed_port, {"a": 1}, retries=1, sleep=lambda s: None)
    assert out == {"sent": False, "status": None, "attempts": 2, "error": "connection refused"}
