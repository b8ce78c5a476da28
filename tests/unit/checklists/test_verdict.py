# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 003 section 6's verdict (tests/checklists/verdict.py): its truth table."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.tests.checklists.verdict import (
    CONDITIONAL_PASS, EXIT_CODES, FAIL, PASS, NothingChecked, Result, per_host, report, verdict, worst)


def r(outcome, critical=True, host="h1", item="x"):
    return Result(host=host, item=item, title="title of " + item, critical=critical, outcome=outcome,
                  message="why " + item if outcome != "passed" else "")


@pytest.mark.parametrize("results, expected", [
    ([r("passed")], PASS),
    ([r("passed"), r("passed", critical=False)], PASS),
    ([r("passed"), r("skipped"), r("skipped", critical=False)], PASS),        # n/a does not count
    ([r("passed"), r("failed", critical=False)], CONDITIONAL_PASS),           # one P2+ issue
    ([r("passed"), r("failed", critical=False), r("failed", critical=False)], CONDITIONAL_PASS),  # two
    ([r("passed")] + [r("failed", critical=False)] * 3, FAIL),                # more than the seed's 1-2
    ([r("failed")], FAIL),                                                    # a P0/P1 item
    ([r("failed"), r("passed", critical=False)], FAIL),
    ([r("passed", critical=False), r("failed")], FAIL),
    ([r("failed", critical=False)], CONDITIONAL_PASS),                        # only non-critical items ran
])
def test_verdict_truth_table(results, expected):
    assert verdict(results) == expected


def test_nothing_applicable_has_no_verdict():
    with pytest.raises(NothingChecked):
        verdict([r("skipped"), r("skipped", critical=False)])
    with pytest.raises(NothingChecked):
        verdict([])


def test_a_group_is_as_good_as_its_worst_host():
    assert worst([PASS, CONDITIONAL_PASS, PASS]) == CONDITIONAL_PASS
    assert worst([PASS, FAIL, CONDITIONAL_PASS]) == FAIL
    assert worst([PASS]) == PASS
    with pytest.raises(NothingChecked):
        worst([])


def test_per_host_keeps_hosts_apart():
    results = [r("passed", host="a"), r("failed", host="b"), r("skipped", host="c"),
               r("failed", critical=False, host="a", item="y")]
    assert per_host(results) == {"a": CONDITIONAL_PASS, "b": FAIL, "c": None}


def test_exit_codes_tell_the_verdicts_apart():
    assert EXIT_CODES == {PASS: 0, FAIL: 1, CONDITIONAL_PASS: 3}


def test_report_names_the_failing_item_and_the_verdict():
    results = [r("passed", item="7.1-docker"), r("failed", item="7.2-active"), r("skipped", item="7.1-cert")]
    lines, overall = report("postdeploy", "web", results)
    assert overall == FAIL
    assert "FAILED   h1               7.2-active     critical  title of 7.2-active  -- why 7.2-active" in lines
    assert not any("7.1-cert" in line for line in lines)                 # n/a hidden by default
    assert lines[-1] == ("VERDICT: FAIL (suite postdeploy, group web; "
                         "1 passed, 1 failed (1 critical), 1 not applicable)")
    verbose, _overall = report("postdeploy", "web", results, show_skipped=True)
    assert any(line.startswith("n/a") and "7.1-cert" in line for line in verbose)


def test_report_of_nothing_applicable():
    lines, overall = report("smoke", "ai_service", [r("skipped")])
    assert overall is None
    assert lines[-1].startswith("VERDICT: nothing checked (suite smoke, group ai_service;")
