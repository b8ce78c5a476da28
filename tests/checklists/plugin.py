# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pytest plugin behind `python -m tests.checklists`: runs each suite item once per
inventory host (fixture `target`, ids = inventory host names), and records every item's
outcome with its checklist id, title and criticality for the verdict."""
from __future__ import annotations

import pytest

from tests.checklists.verdict import Result


def item(item_id, title, critical=True):
    """Mark a suite function as checklist item `item_id` ("critical" = a P0/P1 when it fails)."""
    return pytest.mark.checklist(id=item_id, title=title, critical=critical)


def _message(report):
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):                  # skipped: (path, line, "Skipped: why")
        return longrepr[2].replace("Skipped: ", "", 1)
    crash = getattr(longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(longrepr)
    text = text.split("\nassert ")[0]
    for prefix in ("AssertionError: ", "Failed: ", "ConnectionError: "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return " ".join(text.split())


class ChecklistPlugin:
    def __init__(self, targets):
        self.targets = targets
        self.results = []
        self._order = []

    def ordered_results(self):
        """Results by host (inventory order), then item (suite order)."""
        return [result for _order, result in sorted(zip(self._order, self.results), key=lambda pair: pair[0])]

    @staticmethod
    def pytest_configure(config):
        config.addinivalue_line("markers", "checklist(id, title, critical): a checklist item of a suite")

    def pytest_generate_tests(self, metafunc):
        if "entry" in metafunc.fixturenames:
            # one test per entry of the suite's entries(target), e.g. each smoke check; a host
            # with none gets one entry None, which the test reports as not applicable
            pairs = []
            for target in self.targets:
                pairs += [(target, e) for e in metafunc.module.entries(target)] or [(target, None)]
            metafunc.parametrize(["target", "entry"], pairs,
                                 ids=["%s-%s" % (t.name, e["id"] if e else "none") for t, e in pairs])
        elif "target" in metafunc.fixturenames:
            metafunc.parametrize("target", self.targets, ids=[t.name for t in self.targets], scope="module")

    @pytest.fixture
    def host(self, target):  # pylint: disable=no-self-use
        """The testinfra host of the target; an unreachable host fails the item, saying why."""
        try:
            return target.host
        except ConnectionError as exc:
            pytest.fail(str(exc), pytrace=False)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):  # pylint: disable=unused-argument
        outcome = yield
        report = outcome.get_result()
        mark = item.get_closest_marker("checklist")
        if mark is None or not hasattr(item, "callspec"):
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            meta = dict(mark.kwargs)
            entry = item.callspec.params.get("entry")
            if entry:                                   # an entry names itself
                meta.update(id=entry["id"], title=entry["name"], critical=bool(entry.get("critical", True)))
            entries = getattr(item.module, "entries", None)
            self._order.append((self.targets.index(item.callspec.params["target"]), item.function.__code__.co_firstlineno,
                                entries(item.callspec.params["target"]).index(entry) if entry and entries else 0))
            self.results.append(Result(
                host=item.callspec.params["target"].name, item=meta["id"], title=meta["title"],
                critical=meta.get("critical", True), outcome=report.outcome, message=_message(report)))
