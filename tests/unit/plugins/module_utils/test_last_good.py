# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The last-good-deployment rule, once, on a toy platform: truth tables of what it picks and
what it refuses. railway.py and cloudflare.py supply their own evidence and words to it."""
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.last_good import Platform, plan_rollback


class ToyError(Exception):
    def __init__(self, msg, kind=None):
        super().__init__(msg)
        self.kind = kind


WORDS = dict(named_missing="missing {id} of {count}", named_not_good="{id} not good ({status})",
             named_live="{id} live ({source})", no_live="no live", bad_missing="bad {ids} of {count} missing",
             found="before {bad}: {id} ({source}, {created})", none_found="none before {bad} of {count}")


def toy(same_code_is_live=False):
    return Platform(ToyError, created=lambda d: d["t"], good=lambda d: d["ok"], source=lambda d: d["code"],
                    words=WORDS, same_code_is_live=same_code_is_live)


def d(i, code, ok=True):
    return {"id": "d%d" % i, "t": "2026-01-%02d" % i, "code": code, "ok": ok}


# d5 is live and runs v4's code again (a redeploy of the bad one); d2 failed to build
DEPS = [d(1, "v1"), d(2, "v2", ok=False), d(3, "v3"), d(4, "v4"), d(5, "v4")]


@pytest.mark.parametrize("active, named, bad, expected", [
    ("d5", None, None, ("rollback", "d3", "before d5: d3 (v3, 2026-01-03)")),   # other code than every bad one
    ("d5", None, ["d3"], ("none", "d5", "the live deployment d5 (v4) is not a bad one")),
    ("d5", None, ["d4", "d5"], ("rollback", "d3", "before d4, d5: d3 (v3, 2026-01-03)")),
    ("d3", None, ["d4"], ("none", "d3", "the live deployment d3 (v3) is not a bad one")),
    ("d5", "d1", None, ("rollback", "d1", "roll back to deployment d1 as asked")),
    ("d5", "d5", None, ("none", "d5", "d5 live (v4)")),
    ("d5", "d4", None, ("rollback", "d4", "roll back to deployment d4 as asked")),   # same code, other id
])
def test_what_it_picks(active, named, bad, expected):
    by_id = dict((x["id"], x) for x in DEPS)
    action, target, _active, reason = plan_rollback(toy(), list(reversed(DEPS)), by_id[active], named, bad)
    assert (action, target["id"], reason) == expected


def test_the_same_code_counts_as_live_when_the_platform_says_so():
    action, target, _active, reason = plan_rollback(toy(same_code_is_live=True), DEPS, DEPS[4], "d4")
    assert (action, target["id"], reason) == ("none", "d4", "d5 live (v4)")


@pytest.mark.parametrize("deps, active, named, bad, msg, kind", [
    (DEPS, DEPS[4], "d9", None, "missing d9 of 5", "not_found"),
    (DEPS, DEPS[4], "d2", None, "d2 not good (None)", "input"),
    (DEPS, None, None, None, "no live", "not_found"),
    (DEPS, DEPS[4], None, ["d9", "d5"], "bad d9 of 5 missing", "not_found"),
    ([d(1, "v4"), d(2, "v2", ok=False), d(3, "v4")], d(3, "v4"), None, None, "none before d3 of 3", "not_found"),
])
def test_what_it_refuses(deps, active, named, bad, msg, kind):
    with pytest.raises(ToyError) as err:
        plan_rollback(toy(), deps, active, named, bad)
    assert (str(err.value), err.value.kind) == (msg, kind)
