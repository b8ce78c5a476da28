# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pm2_release's doing (pm2_switch.ReleaseManager) on a real release tree, with PM2's part
scripted: which releases a rollback makes live and in what order, what it marks and records,
and that check mode and bad input touch nothing. Molecule's pm2_app runs the same against real
PM2; here each path is pinned, including those a live app rarely shows."""
from __future__ import annotations

import json
import os

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.pm2 import Pm2Error
from ansible_collections.oncall.runbooks.plugins.module_utils.pm2_switch import ReleaseManager

A, G, CRASH, HANG, SLOW = ("20261110090000", "20261120090000", "20261127140000",
                           "20261128160000", "20261201100000")
REVISIONS = "".join("Branch main (at x) deployed as release %s by deploy\n%s" % (
    r, "deploy rolled back to release %s\n" % G if r in (CRASH, HANG, SLOW) else "") for r in (A, G, CRASH, HANG, SLOW))


class Done(Exception):
    def __init__(self, failed, result):
        super().__init__(result.get("msg"))
        self.failed, self.result = failed, result


class FakeModule:
    def __init__(self, params, check_mode=False):
        self.params, self.check_mode, self._diff = params, check_mode, False

    def fail_json(self, **kw):
        raise Done(True, kw)

    def exit_json(self, **kw):
        raise Done(False, kw)


@pytest.fixture
def app(tmp_path):
    for i, rel in enumerate((A, G, CRASH, HANG, SLOW)):
        (tmp_path / "releases" / rel).mkdir(parents=True)
        os.utime(tmp_path / "releases" / rel, (1000 + i, 1000 + i))      # the bad ones are newest
    pm2 = tmp_path / "pm2"
    pm2.write_text("#!/bin/sh\nexit 99\n")       # never run: PM2's part is scripted below
    pm2.chmod(0o755)
    return tmp_path


def manager(app, current, healthy, check_mode=False, revisions=True, **params):
    """A ReleaseManager on `app` with `current` live; activating a release passes its checks
    when it is in `healthy`. Returns (manager, the releases activated in order)."""
    (app / "current").symlink_to("releases/" + current)
    if revisions:
        (app / "revisions.log").write_text(REVISIONS)
    p = dict(name="refit-ai", app_dir=str(app), state="rolled_back", release=None, force=False, mark_bad=True,
             reason="P0: health", ecosystem=None, start_if_stopped=False, online_timeout=5, health=None,
             keep_releases=10, attempts=3, revisions_log=None, pm2_home=str(app / ".pm2"),
             pm2_binary=str(app / "pm2"))
    p.update(params)
    mgr = ReleaseManager(FakeModule(p, check_mode))
    activated = []

    def activate(release, _running):
        mgr.layout.switch(release)
        activated.append(release)
        ok = release in healthy
        return ok, "online and healthy" if ok else "health: status 500", None
    mgr.activate = activate
    mgr.processes = lambda: [{"pid": 1}]
    mgr.views = lambda procs: []
    mgr.serving = lambda release, procs: False
    mgr.pm2.require_daemon = lambda: None
    return mgr, activated


def run(mgr):
    with pytest.raises(Done) as done:
        mgr.run()
    return done.value


def state(app):
    return json.loads((app / "release-state.json").read_text())


@pytest.mark.parametrize("current", [CRASH, HANG, SLOW])
def test_revisions_log_sends_it_straight_to_the_good_release(app, current):
    mgr, activated = manager(app, current, healthy={A, G})
    done = run(mgr)
    assert not done.failed and activated == [G] and done.result["tried"][0]["release"] == G
    assert os.readlink(app / "current") == "releases/" + G                  # still relative
    st = state(app)
    assert st["live"] == G and list(st["bad"]) == [current]
    assert [h["action"] for h in st["history"]] == ["adopted", "rolled_back"]


def test_thin_history_tries_in_turn_and_never_goes_back(app):
    mgr, activated = manager(app, SLOW, healthy={A, G}, revisions=False)
    done = run(mgr)
    assert not done.failed and activated == [HANG, CRASH, G]
    assert sorted(state(app)["bad"]) == sorted([HANG, CRASH, SLOW])


def test_every_candidate_failing_puts_the_found_release_back_and_says_each_reason(app):
    mgr, activated = manager(app, SLOW, healthy={SLOW}, revisions=False, attempts=2)
    done = run(mgr)
    assert done.failed and activated == [HANG, CRASH, SLOW]
    assert done.result["msg"] == ("release %s failed: health: status 500; release %s failed: health: status 500; "
                                  "restored %s (online and healthy)" % (HANG, CRASH, SLOW))
    assert done.result["restored"] == {"release": SLOW, "ok": True, "seen": "online and healthy"}
    assert os.readlink(app / "current") == "releases/" + SLOW
    assert state(app)["live"] == SLOW


def test_check_mode_plans_and_touches_nothing(app):
    mgr, activated = manager(app, HANG, healthy={G}, check_mode=True)
    done = run(mgr)
    assert not done.failed and done.result["changed"] and activated == []
    assert done.result["candidates"] == [G, A] and done.result["release"] == G
    assert not (app / "release-state.json").exists() and os.readlink(app / "current") == "releases/" + HANG


@pytest.mark.parametrize("release, fragment", [
    ("../x", "is not a valid release id"),
    ("v9", "release v9 is not on disk"),
])
def test_bad_input_is_refused_before_anything(app, release, fragment):
    mgr, activated = manager(app, HANG, healthy={G}, release=release)
    with pytest.raises(Pm2Error, match=fragment):
        mgr.run()
    assert activated == [] and not (app / "release-state.json").exists()


def test_a_deploy_prunes_bad_releases_first_and_says_why(app):
    mgr, activated = manager(app, G, healthy={SLOW}, state="deployed", release=SLOW, force=True, keep_releases=3)
    done = run(mgr)
    assert activated == [SLOW]
    assert list(done.result["pruned_why"]) == [CRASH, HANG]
    assert done.result["pruned_why"][CRASH].startswith("bad (rolled back from, to %s (revisions.log))" % G)
    assert sorted(os.listdir(app / "releases")) == [A, G, SLOW]
