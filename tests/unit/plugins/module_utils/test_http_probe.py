# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    JsonCheck,
    Probe,
    ProbeError,
    check_url,
    percentile,
    run_probes,
    sample,
)

DOC = {"status": "ok", "code": 200, "ratio": 0.25, "up": True, "none": None,
       "components": {"db": {"status": "UP"}}, "items": [{"id": "a"}, {"id": "b"}],
       "version": "1.4.2", "text200": "200"}


@pytest.mark.parametrize("expr, holds", [
    ("status == ok", True),
    ('status == "ok"', True),
    ("status == OK", False),
    ("status != ok", False),
    ("status != down", True),
    ("code == 200", True),
    ("text200 == 200", False),       # a string is not the number 200
    ('text200 == "200"', True),
    ("up == true", True),
    ("up == 1", False),              # bool is not int
    ("none == null", True),
    ("code >= 200", True),
    ("code < 200", False),
    ("ratio <= 0.25", True),
    ("ratio > 0.3", False),
    ("status > 1", False),           # not a number
    ("components.db.status == UP", True),
    ("items[1].id == b", True),
    ("items[2].id == c", False),     # index out of range is missing
    ("items.id == a", False),        # a list has no names
    ("version =~ ^1\\.4\\.", True),
    ("version =~ ^2", False),
    ("code =~ 200", False),          # =~ needs a string
    ("status exists", True),
    ("missing exists", False),
    ("missing absent", True),
    ("status absent", False),
    ("missing == x", False),
])
def test_json_check_truth_table(expr, holds):
    assert (JsonCheck.parse(expr).failure(DOC) is None) is holds


def test_json_check_reason_names_path_and_values():
    reason = JsonCheck.parse("components.db.status == UP").failure(
        {"components": {"db": {"status": "DOWN"}}})
    assert reason == 'components.db.status is "DOWN" (wanted == "UP")'


def test_json_check_on_top_level_list():
    assert JsonCheck.parse("[0].id == a").failure([{"id": "a"}]) is None


@pytest.mark.parametrize("expr, fragment", [
    ("status", "expected '<path> <op> <value>'"),
    ("status === ok", "unknown operator '==='"),
    ("status =! ok", "expected '<path> <op> <value>'"),
    ("a..b == 1", "unknown path syntax 'a..b'"),
    ("a[x] == 1", "unknown path syntax 'a[x]'"),
    ("$.status == ok", "unknown path syntax '$.status'"),
    ("a == ", "no value after '=='"),
    ("code > abc", "> needs a number"),
    ("v =~ ([", "bad regular expression"),
    (42, "must be a string"),
])
def test_json_check_bad_syntax(expr, fragment):
    with pytest.raises(ProbeError) as err:
        JsonCheck.parse(expr)
    assert fragment in str(err.value)


@pytest.mark.parametrize("url, fragment", [
    ("not a url", "must start with http:// or https://"),
    ("ftp://127.0.0.1/", "must start with http:// or https://"),
    ("http://", "has no host"),
    ("http:///health", "has no host"),
    ("http://127.0.0.1:99999/", "is not a valid URL"),
    ("http://127.0.0.1:0/", "has port 0"),
])
def test_check_url_rejects(url, fragment):
    with pytest.raises(ProbeError) as err:
        check_url(url)
    assert fragment in str(err.value)


def test_check_url_accepts():
    assert check_url("https://127.0.0.1:8443/a?b=c") == "https://127.0.0.1:8443/a?b=c"


@pytest.mark.parametrize("kwargs, fragment", [
    ({"status_codes": []}, "at least one code"),
    ({"status_codes": [99]}, "between 100 and 599"),
    ({"max_response_ms": 0}, "max_response_ms must be greater than 0"),
    ({"timeout": 0}, "timeout must be greater than 0"),
])
def test_probe_rejects_bad_settings(kwargs, fragment):
    with pytest.raises(ProbeError) as err:
        Probe("http://127.0.0.1/", **kwargs)
    assert fragment in str(err.value)


# --- retry policy: a scripted sequence of verdicts stands in for the network -------------

def scripted(verdicts):
    """probe_once that returns the given verdicts in order: 'ok', 'bad' (HTTP answer) or 'down'."""
    calls = []

    def probe_once():
        kind = verdicts[len(calls)]
        calls.append(kind)
        return {"healthy": kind == "ok", "status": None if kind == "down" else (200 if kind == "ok" else 500),
                "elapsed_ms": 1.0, "reason": "" if kind == "ok" else kind,
                "transport_error": kind == "down"}
    return probe_once, calls


@pytest.mark.parametrize("verdicts, policy, calls_made, healthy", [
    # one verdict: an HTTP answer ends it, good or bad
    (["ok"], dict(retries=3), 1, True),
    (["bad", "ok"], dict(retries=3), 1, False),
    # ...but no answer at all is retried
    (["down", "down", "ok"], dict(retries=3), 3, True),
    (["down", "bad", "ok"], dict(retries=3), 2, False),
    (["down", "down"], dict(retries=1), 2, False),
    # until_healthy: keep going until healthy
    (["bad", "down", "ok"], dict(retries=5, until_healthy=True), 3, True),
    (["bad", "bad", "bad"], dict(retries=2, until_healthy=True), 3, False),
    # consecutive: a bad answer resets the count
    (["ok", "bad", "ok", "ok", "ok"], dict(retries=4, until_healthy=True, consecutive=3), 5, True),
    (["ok", "ok", "bad", "ok", "ok"], dict(retries=4, until_healthy=True, consecutive=3), 5, False),
    (["ok", "ok", "ok", "bad"], dict(retries=3, until_healthy=True, consecutive=2), 2, True),
    # give_up_after: that many unhealthy in a row end it (a hang or a 500 does not heal)
    (["down", "bad", "bad", "ok"], dict(retries=9, until_healthy=True, give_up_after=3), 3, False),
    (["bad", "ok", "bad", "bad", "ok"], dict(retries=9, until_healthy=True, consecutive=2, give_up_after=2), 4, False),
    (["bad", "ok", "ok", "ok"], dict(retries=9, until_healthy=True, consecutive=3, give_up_after=2), 4, True),
])
def test_run_probes_policy(verdicts, policy, calls_made, healthy):
    probe_once, calls = scripted(verdicts)
    sleeps = []
    result, history = run_probes(probe_once, delay=0.5, sleep=sleeps.append, **policy)
    assert len(calls) == calls_made == len(history)
    assert result["healthy"] is healthy
    assert sleeps == [0.5] * (calls_made - 1)


@pytest.mark.parametrize("policy, fragment", [
    (dict(retries=-1), "retries must be 0 or more"),
    (dict(delay=-1), "delay must be 0 or more"),
    (dict(consecutive=0), "consecutive must be 1 or more"),
    (dict(consecutive=2, retries=5), "needs until_healthy=true"),
    (dict(consecutive=3, retries=1, until_healthy=True), "cannot happen in retries+1=2 attempts"),
    (dict(retries=3, until_healthy=True, give_up_after=0), "give_up_after must be 1 or more"),
])
def test_run_probes_rejects_bad_policy(policy, fragment):
    probe_once, calls = scripted(["ok"] * 10)
    with pytest.raises(ProbeError) as err:
        run_probes(probe_once, **policy)
    assert fragment in str(err.value)
    assert calls == []


# --- real requests against a local server ------------------------------------------------

def test_healthy_json(server):
    result = Probe(server.url("/health"), json_checks=["status == ok", "checks[0].state == up"]).once()
    assert result["healthy"] is True, result["reason"]
    assert result["status"] == 200
    assert result["json"]["version"] == "1.4.2"
    assert result["headers"]["content-type"] == "application/json"
    assert result["elapsed_ms"] > 0


def test_unhealthy_status_and_fields_all_reported(server):
    result = Probe(server.url("/down"), json_checks=["status == UP"]).once()
    assert result["healthy"] is False
    assert result["status"] == 503
    assert result["reason"] == 'status 503 (expected 200); status is "DOWN" (wanted == "UP")'


def test_expected_non_200(server):
    assert Probe(server.url("/down"), status_codes=[503]).once()["healthy"] is True


def test_nested_component_down(server):
    result = Probe(server.url("/actuator/health"),
                   json_checks=["status == UP", "components.db.status == UP"]).once()
    assert result["reason"] == 'components.db.status is "DOWN" (wanted == "UP")'


def test_not_json_with_checks(server):
    result = Probe(server.url("/text"), json_checks=["status == ok"]).once()
    assert result["json"] is None
    assert result["reason"] == "body is not JSON: hello"


def test_slow_answer(server):
    result = Probe(server.url("/slow?ms=300"), max_response_ms=100).once()
    assert result["healthy"] is False
    assert result["reason"].startswith("slow: ")
    assert result["elapsed_ms"] >= 300


def test_timeout_is_a_transport_error(server):
    result = Probe(server.url("/slow?ms=1500"), timeout=0.3).once()
    assert result["transport_error"] is True
    assert result["status"] is None
    assert result["reason"].endswith(": timed out")


def test_connection_refused(closed_port):
    result = Probe("http://127.0.0.1:%d/health" % closed_port).once()
    assert result["transport_error"] is True
    assert result["reason"] == "GET http://127.0.0.1:%d/health: connection refused" % closed_port


def test_peer_hangs_up(server):
    result = Probe(server.url("/hangup")).once()
    assert result["transport_error"] is True
    assert result["healthy"] is False


def test_redirect_judged_by_its_status_unless_followed(server):
    assert Probe(server.url("/redirect")).once()["status"] == 302
    followed = Probe(server.url("/redirect"), follow_redirects=True).once()
    assert followed["status"] == 200 and followed["json"]["status"] == "ok"


def test_method_headers_and_body_are_sent(server):
    result = Probe(server.url("/echo"), method="POST", headers={"X-Probe": "1"},
                   body='{"a": 1}').once()
    assert result["json"]["method"] == "POST"
    assert result["json"]["body"] == '{"a": 1}'
    assert result["json"]["headers"]["X-Probe"] == "1"


def test_until_healthy_against_recovering_service(server):
    probe = Probe(server.url("/recovering?bad=2"))
    result, history = run_probes(probe.once, retries=5, delay=0.01, until_healthy=True)
    assert result["healthy"] is True
    assert [h["status"] for h in history] == [500, 500, 200]


def test_consecutive_never_reached_on_flapping_service(server):
    probe = Probe(server.url("/flapping"))
    result, history = run_probes(probe.once, retries=5, delay=0.01, until_healthy=True, consecutive=2)
    assert result["healthy"] is False
    assert result["reason"] == "healthy 1 time(s) in a row at the end, 2 needed"
    assert [h["status"] for h in history] == [500, 200, 500, 200, 500, 200]


def test_tls_verification(tls_server):
    url = tls_server.url("/health")
    refused = Probe(url).once()
    assert refused["transport_error"] is True
    assert "CERTIFICATE_VERIFY_FAILED" in refused["reason"] or "certificate" in refused["reason"].lower()
    assert Probe(url, ca_path=tls_server.ca_file).once()["healthy"] is True
    assert Probe(url, validate_certs=False).once()["healthy"] is True


# --- sampling ------------------------------------------------------------------------------

@pytest.mark.parametrize("values, pct, expected", [
    ([5], 95, 5), ([1, 2, 3, 4], 50, 2), (list(range(1, 21)), 95, 19), (list(range(1, 101)), 95, 95),
])
def test_percentile(values, pct, expected):
    assert percentile(values, pct) == expected


def test_sample_counts_5xx_among_answers_and_unanswered():
    verdicts = iter(["ok", "bad", "down", "ok", "bad"])

    def probe_once():
        kind = next(verdicts)
        return {"healthy": kind == "ok", "status": {"ok": 200, "bad": 500, "down": None}[kind],
                "elapsed_ms": 10.0, "reason": "" if kind == "ok" else kind, "transport_error": kind == "down"}
    signals = sample(probe_once, 5)
    assert signals["answered_pct"] == 80.0
    assert signals["error_rate_pct"] == 50.0
    assert signals["healthy_pct"] == 40.0
    assert signals["statuses"] == {"200": 2, "500": 2}
    assert signals["reasons"] == ["bad", "down"]


def test_sample_against_flapping_service(server):
    signals = sample(Probe(server.url("/flapping")).once, 10)
    assert signals["error_rate_pct"] == 50.0 and signals["answered"] == 10


def test_sample_nothing_answers(closed_port):
    signals = sample(Probe("http://127.0.0.1:%d/" % closed_port).once, 3)
    assert signals["answered_pct"] == 0.0 and signals["error_rate_pct"] is None and signals["p95_ms"] is None


def test_sample_needs_one():
    with pytest.raises(ProbeError, match="samples must be 1 or more"):
        sample(lambda: None, 0)


def test_sample_healthy_is_the_newest_verdict(server):
    signals = sample(Probe(server.url("/recovering?bad=2")).once, 3)
    assert signals["healthy"] is True and signals["reason"] == ""
    assert signals["error_rate_pct"] == round(200 / 3, 1)


def test_give_up_says_so():
    probe_once, _calls = scripted(["bad"] * 5)
    result, _history = run_probes(probe_once, retries=4, until_healthy=True, give_up_after=2,
                                  sleep=lambda _s: None)
    assert result["reason"] == "bad (2 unhealthy answers in a row: gave up)"


@pytest.mark.parametrize("verdicts, stop, sent, stopped", [
    (["down"] * 20, 5, 5, True),                  # refused: plainly down, decided at 5
    (["bad"] * 20, 5, 5, True),                   # 500 everywhere
    (["down"] * 4 + ["ok"] + ["down"] * 15, 5, 20, False),   # one healthy: measure it all
    (["bad"] * 20, 0, 20, False),                 # never stops early by default
    (["down"] * 3, 5, 3, False),                  # fewer samples than the threshold
])
def test_sample_stops_when_plainly_down(verdicts, stop, sent, stopped):
    probe_once, calls = scripted(verdicts)
    signals = sample(probe_once, len(verdicts), stop_when_all_fail=stop)
    assert len(calls) == sent == signals["samples"]
    assert signals["stopped_early"] is stopped


def test_sample_sends_concurrently_in_rounds():
    import threading
    lock = threading.Lock()
    state = {"in_flight": 0, "max": 0}
    barrier = threading.Barrier(4, timeout=5)

    def probe_once():
        with lock:
            state["in_flight"] += 1
            state["max"] = max(state["max"], state["in_flight"])
        barrier.wait()          # all four of a round must be in flight together
        with lock:
            state["in_flight"] -= 1
        return {"healthy": True, "status": 200, "elapsed_ms": 1.0, "reason": "", "transport_error": False}
    sleeps = []
    signals = sample(probe_once, 8, interval=0.2, sleep=sleeps.append, concurrency=4)
    assert signals["samples"] == 8 and signals["healthy_pct"] == 100.0
    assert state["max"] == 4 and sleeps == [0.2]


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(concurrency=0), "concurrency must be 1 or more"),
    (dict(stop_when_all_fail=-1), "stop_when_all_fail must be 0 or more"),
])
def test_sample_rejects_bad_settings(kwargs, fragment):
    with pytest.raises(ProbeError, match=fragment):
        sample(lambda: None, 3, **kwargs)
