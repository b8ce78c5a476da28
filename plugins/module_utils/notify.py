# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Chat notifications: payloads for Discord, Slack and a generic JSON webhook, and sending
them with retries that honour rate limits.

Payload shapes follow the services' documented webhook APIs: Discord "Execute Webhook"
(content + embeds, with its length limits), Slack incoming webhooks (text + blocks).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    TRANSPORT_ERRORS,
    request,
    transport_reason,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import now_iso

SEVERITIES = ("P0", "P1", "P2", "P3", "info", "success")

# Seed 004: red P0, yellow P1, green P2; plus grey P3, blue info, green success.
COLOURS = {"P0": 0xE74C3C, "P1": 0xF1C40F, "P2": 0x2ECC71, "P3": 0x95A5A6,
           "info": 0x3498DB, "success": 0x2ECC71}
EMOJI = {"P0": "\U0001F6A8", "P1": "\U0001F7E1", "P2": "\U0001F7E2", "P3": "\u26AA",
         "info": "\U0001F680", "success": "\u2705"}

# Discord's documented limits (Execute Webhook / Embed Limits).
DISCORD_LIMITS = {"content": 2000, "title": 256, "description": 4096, "fields": 25,
                  "field_name": 256, "field_value": 1024, "footer": 2048, "username": 80,
                  "embed_total": 6000}


class NotifyError(Exception):
    pass


def _cut(text, limit):
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def normalize_fields(fields):
    """Fields as an ordered list of (name, value); accepts a dict or a list of dicts."""
    if not fields:
        return []
    if isinstance(fields, dict):
        return [(str(k), "" if v is None else str(v)) for k, v in fields.items()]
    out = []
    for item in fields:
        if not isinstance(item, dict) or "name" not in item or "value" not in item:
            raise NotifyError("each field must be a dict with name and value, got %r" % (item,))
        out.append((str(item["name"]), str(item["value"])))
    return out


def headline(title, severity):
    return "%s %s" % (EMOJI[severity], title)


def discord_payload(title, message, severity, fields, mention=None, username=None,
                    timestamp=None, footer=None):
    embed = {
        "title": _cut(headline(title, severity), DISCORD_LIMITS["title"]),
        "color": COLOURS[severity],
        "timestamp": timestamp or now_iso(),
    }
    if message:
        embed["description"] = _cut(message, DISCORD_LIMITS["description"])
    embed_fields = [{"name": _cut(name, DISCORD_LIMITS["field_name"]) or "-",
                     "value": _cut(value, DISCORD_LIMITS["field_value"]) or "-",
                     "inline": len(value) <= 40}
                    for name, value in fields[:DISCORD_LIMITS["fields"]]]
    if embed_fields:
        embed["fields"] = embed_fields
    embed["footer"] = {"text": _cut(footer or "oncall.runbooks \u00b7 %s" % severity,
                                    DISCORD_LIMITS["footer"])}
    fit_embed(embed)
    payload = {"embeds": [embed]}
    if mention:
        payload["content"] = _cut(mention, DISCORD_LIMITS["content"])
    if username:
        payload["username"] = _cut(username, DISCORD_LIMITS["username"])
    return payload


def fit_embed(embed):
    """Keep the embed's text under Discord's 6000-character total: shorten the description,
    then drop fields from the end (saying how many were dropped)."""
    limit = DISCORD_LIMITS["embed_total"]
    excess = embed_total(embed) - limit
    if excess > 0 and "description" in embed:
        embed["description"] = _cut(embed["description"], max(200, len(embed["description"]) - excess))
    dropped = 0
    while embed_total(embed) > limit - 40 and embed.get("fields"):
        embed["fields"].pop()
        dropped += 1
    if dropped:
        embed.setdefault("fields", []).append(
            {"name": "…", "value": "%d more field(s) not shown" % dropped, "inline": False})


def embed_total(embed):
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    for field in embed.get("fields", []):
        total += len(field["name"]) + len(field["value"])
    return total


def slack_payload(title, message, severity, fields, mention=None):
    head = headline(title, severity)
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": _cut(head, 150), "emoji": True}}]
    text = "\n".join(t for t in (mention, message) if t)
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, 3000)}})
    if fields:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _cut("*%s*\n%s" % (name, value), 2000)}
            for name, value in fields[:10]]})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": "severity *%s* \u00b7 oncall.runbooks" % severity}]})
    return {"text": _cut("%s: %s" % (head, message or ""), 3000), "blocks": blocks}


def webhook_payload(title, message, severity, fields, mention=None, timestamp=None):
    return {"source": "oncall.runbooks", "title": title, "message": message or "",
            "severity": severity, "fields": dict(fields), "mention": mention,
            "timestamp": timestamp or now_iso()}


def build_payload(service, title, message=None, severity="info", fields=None, mention=None,
                  username=None):
    if severity not in SEVERITIES:
        raise NotifyError("severity must be one of %s, got %r" % (", ".join(SEVERITIES), severity))
    if not title or not str(title).strip():
        raise NotifyError("title must not be empty")
    fields = normalize_fields(fields)
    if service == "discord":
        return discord_payload(title, message, severity, fields, mention, username)
    if service == "slack":
        return slack_payload(title, message, severity, fields, mention)
    if service == "webhook":
        return webhook_payload(title, message, severity, fields, mention)
    raise NotifyError("unknown service %r" % (service,))


def retry_after_seconds(headers, body):
    """Seconds to wait from a 429 answer: Retry-After, else Discord's JSON retry_after."""
    value = (headers or {}).get("Retry-After") if headers is not None else None
    try:
        if value is not None:
            return max(0.0, float(value))
    except ValueError:
        pass
    try:
        data = json.loads(body.decode("utf-8"))
        return max(0.0, float(data.get("retry_after")))
    except (ValueError, TypeError, AttributeError):
        return None


def send(url, payload, retries=3, timeout=10.0, validate_certs=True, max_wait=30.0,
         sleep=time.sleep):
    """POST `payload`; return a dict (sent, status, attempts, error). Never raises for HTTP
    or network errors: the caller decides whether a failed notification fails the task.

    429: wait what the service says (at most `max_wait`), then retry. 5xx and network
    errors: retry after 1, 2, 4... seconds. Other 4xx: the payload or URL is wrong, no retry.
    """
    body = json.dumps(payload).encode("utf-8")
    attempts = 0
    error = None
    status = None
    for attempt in range(retries + 1):
        attempts += 1
        try:
            status, headers, data = request(url, method="POST", body=body,
                                            headers={"Content-Type": "application/json"},
                                            timeout=timeout, validate_certs=validate_certs,
                                            use_proxy=True)
        except TRANSPORT_ERRORS as exc:
            status, error = None, transport_reason(exc)
            wait = 2 ** attempt
        else:
            if 200 <= status < 300:
                return {"sent": True, "status": status, "attempts": attempts, "error": ""}
            error = "HTTP %d: %s" % (status, _answer_text(data))
            if status == 429:
                wait = retry_after_seconds(headers, data)
                wait = 1.0 if wait is None else wait
                if wait > max_wait:
                    error += " (asked to wait %.1fs, more than max_retry_wait)" % wait
                    break
            elif status >= 500:
                wait = 2 ** attempt
            else:
                break
        if attempt < retries:
            sleep(min(wait, max_wait))
    return {"sent": False, "status": status, "attempts": attempts, "error": error}


def _answer_text(data, limit=200):
    text = (data or b"").decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    return (text[:limit] + "...") if len(text) > limit else (text or "(empty)")
