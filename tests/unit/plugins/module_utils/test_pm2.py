# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.pm2 import (
    Pm2Error,
    ReleaseLayout,
    choose_targets,
    clear_bad,
    empty_state,
    mark_bad,
    ordered_releases,
    parse_jlist,
    parse_revisions,
    release_evidence,
    record_live,
    releases_to_prune,
    rollback_candidates,
    summarize,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pm2"


def fixture(name):
    return (FIXTURES / name).read_text()


# --- jlist, captured from PM2 7.0.4 --------------------------------------------------------

def test_parse_online_cluster_and_fork():
    procs = parse_jlist(fixture("jlist-online.json"))
    views = [summarize(p, now_ms=p["pm2_env"]["pm_uptime"] + 5000) for p in procs]
    assert [(v["name"], v["pm_id"], v["status"], v["exec_mode"]) for v in views] == [
        ("ai-service", 0, "online", "cluster"), ("worker", 1, "online", "fork"),
        ("ai-service", 2, "online", "cluster")]
    assert views[0]["uptime_s"] == 5
    assert views[0]["instances"] == 2
    assert views[0]["cwd"].endswith("/current")
    assert all(v["pid"] > 0 for v in views)


def test_parse_errored_and_stopped():
    views = [summarize(p) for p in parse_jlist(fixture("jlist-errored-stopped.json"))]
    assert [(v["name"], v["status"], v["pid"], v["uptime_s"]) for v in views] == [
        ("ai-service", "errored", 0, None), ("worker", "stopped", 0, None),
        ("ai-service", "errored", 0, None)]
    assert views[0]["restarts"] == 3


def test_summary_never_carries_the_environment():
    raw = fixture("jlist-online.json")
    assert "sk-fixture-not-a-real-key" in raw      # the capture does hold the secret...
    views = [summarize(p) for p in parse_jlist(raw)]
    assert "sk-fixture-not-a-real-key" not in json.dumps(views)   # ...the summary does not
    assert not any("env" in v or "AI_API_KEY" in v for v in views)


def test_parse_output_after_daemon_spawn_banner():
    assert parse_jlist(fixture("jlist-spawning-daemon.txt")) == []


@pytest.mark.parametrize("text", ["", "[PM2] Spawning PM2 daemon", '{"a": 1}', "[not json"])
def test_parse_garbage_does_not_echo_output(text):
    with pytest.raises(Pm2Error) as err:
        parse_jlist(text + ' "AI_API_KEY": "sk-secret"')
    assert "sk-secret" not in str(err.value)


# --- release selection (truth tables) --------------------------------------------------

def state_with(history, bad=()):
    state = empty_state("ai")
    for rel in history:
        record_live(state, rel, "deployed", when="t-%s" % rel)
    for rel in bad:
        mark_bad(state, rel, "broken", when="t-bad")
    return state


@pytest.mark.parametrize("history, bad, current, on_disk, expected", [
    (["v1", "v2"], [], "v2", ["v1", "v2"], "v1"),
    (["v1", "v2", "v3"], ["v2"], "v3", ["v1", "v2", "v3"], "v1"),     # skips a bad one
    (["v1", "v2", "v3"], [], "v3", ["v2", "v3"], "v2"),
    (["v1", "v2", "v3"], [], "v3", ["v3"], None),                      # nothing else on disk
    (["v1", "v2", "v1"], [], "v1", ["v1", "v2"], "v2"),                # most recent other
    (["v2", "v3"], ["v2"], "v3", ["v1", "v2", "v3"], "v1"),           # never live, older on disk
    ([], [], "v3", ["v1", "v2", "v3"], "v2"),                          # adopted: newest older one
    ([], [], "v2", ["v1", "v2", "v3", "v4"], "v1"),                    # staged ahead: never picked
    (["v2"], [], "v2", ["v1", "v2", "v3", "v4"], "v1"),
    ([], [], "v1", ["v1", "v2"], None),
    ([], [], None, ["v1"], "v1"),
    (["v1"], ["v1"], None, ["v1"], None),
])
def test_previous_good(history, bad, current, on_disk, expected):
    candidates = rollback_candidates(release_evidence(state_with(history, bad)), current, on_disk)
    assert (candidates[0] if candidates else None) == expected


@pytest.mark.parametrize("mode, release, force, expected", [
    ("deployed", "v3", False, ["v3"]),
    ("deployed", "v2", True, ["v2"]),                # bad, forced
    ("rolled_back", None, False, ["v1"]),            # previous good (v2 is bad)
    ("rolled_back", "v1", False, ["v1"]),            # named
    ("rolled_back", "v2", True, ["v2"]),
])
def test_choose_targets(mode, release, force, expected):
    state = state_with(["v1", "v2", "v3"], bad=["v2"])
    assert choose_targets(state, mode, release, "v3", ["v1", "v2", "v3"], force=force) == expected


@pytest.mark.parametrize("mode, release, current, fragment", [
    ("deployed", "v2", "v3", "release v2 is marked bad since t-bad (broken); deploy it with force=true"),
    ("rolled_back", "v2", "v3", "release v2 is marked bad"),
    ("deployed", "v9", "v3", "release v9 is not on disk (on disk: v1, v2, v3)"),
    ("rolled_back", "v9", "v3", "release v9 is not on disk"),
    ("deployed", "../etc", "v3", "is not a valid release id"),
    ("deployed", "", "v3", "is not a valid release id"),
    ("rolled_back", "v1; reboot", "v3", "release 'v1; reboot' is not a valid release id"),
    ("rolled_back", "$(id)", "v3", "is not a valid release id"),
    ("rolled_back", ".hidden", "v3", "is not a valid release id"),
    ("rolled_back", None, "v1", "no earlier good release to roll back to (current: v1; on disk: v1, v2; bad: v2)"),
])
def test_choose_targets_refuses(mode, release, current, fragment):
    state = state_with(["v1", "v2", "v3"], bad=["v2"])
    on_disk = ["v1", "v2", "v3"] if current != "v1" else ["v1", "v2"]
    with pytest.raises(Pm2Error) as err:
        choose_targets(state, mode, release, current, on_disk)
    assert fragment in str(err.value)


# --- evidence from Capistrano's revisions.log (seed 004 servers as found) ---------------

# A server as the CD left it: A and G good, then three bad deploys each rolled back to G.
# By mtime the bad ones are newer than G, so "the newest older than current" lands on one.
REVISIONS = """\
Branch main (at 1a2b3c4) deployed as release 20261110090000 by deploy
Branch main (at 5d6e7f8) deployed as release 20261120090000 by deploy
Branch main (at 9a8b7c6) deployed as release 20261127140000 by deploy
deploy rolled back to release 20261120090000
[2026-11-28 16:00:00] Branch main (at aa11bb2) deployed as release 20261128160000 by deploy
deploy rolled back to release 20261120090000
some other line the operator added by hand
Branch main (at cc33dd4) deployed as release 20261201100000 by deploy
deploy rolled back to release 20261120090000
Branch main (at ee55ff6) deployed as release ../../etc by deploy
"""
A, G, CRASH, HANG, SLOW = ("20261110090000", "20261120090000", "20261127140000",
                           "20261128160000", "20261201100000")
ON_DISK = [A, G, CRASH, HANG, SLOW]      # by mtime, oldest first


def test_parse_revisions_reads_capistrano_wording_only():
    assert parse_revisions(REVISIONS) == [
        ("deployed", A), ("deployed", G), ("deployed", CRASH), ("rolled_back", G),
        ("deployed", HANG), ("rolled_back", G), ("deployed", SLOW), ("rolled_back", G)]
    assert parse_revisions("") == []


def test_evidence_from_revisions():
    ev = release_evidence(empty_state("ai"), parse_revisions(REVISIONS))
    assert {r: e["verdict"] for r, e in ev.items()} == {
        A: "good", G: "good", CRASH: "bad", HANG: "bad", SLOW: "bad"}
    assert ev[CRASH]["why"] == "rolled back from, to %s (revisions.log)" % G
    assert ev[A]["why"] == "replaced by the deploy of %s, never rolled back from (revisions.log)" % G


@pytest.mark.parametrize("current, expected", [
    (CRASH, [G, A]),            # the bad ones newer than G by mtime are never candidates
    (HANG, [G, A]),             # by mtime alone: CRASH
    (SLOW, [G, A]),             # by mtime alone: HANG
    (G, [A]),
])
def test_candidates_follow_the_evidence_not_mtime(current, expected):
    ev = release_evidence(empty_state("ai"), parse_revisions(REVISIONS))
    assert rollback_candidates(ev, current, ON_DISK) == expected


@pytest.mark.parametrize("revisions, history, bad, current, expected", [
    # no evidence at all: Capistrano's rule, newest older first (tried in turn)
    ("", [], [], SLOW, [HANG, CRASH, G, A]),
    # our own verified history outranks revisions.log, and a bad mark outranks both
    ("", [A, G], [], CRASH, [G, A]),
    (REVISIONS, [], [G], SLOW, [A]),
    # pm2_release verified a release revisions.log had rolled back from: good again
    (REVISIONS, [HANG], [], SLOW, [HANG, G, A]),
    # revisions.log ends on a release found live: unknown, tried after the good ones
    ("Branch m (at 1) deployed as release %s by d\nBranch m (at 2) deployed as release %s by d\n"
     % (A, CRASH), [], [], SLOW, [A, HANG, CRASH, G]),
])
def test_candidates_truth_table(revisions, history, bad, current, expected):
    ev = release_evidence(state_with(history, bad), parse_revisions(revisions))
    assert rollback_candidates(ev, current, ON_DISK) == expected


def test_adopted_entry_is_no_evidence_of_health():
    state = empty_state("ai")
    record_live(state, SLOW, "adopted", when="t")
    assert release_evidence(state)[SLOW]["verdict"] == "unknown"


def test_bad_current_release_may_be_redeployed_in_place():
    state = state_with(["v1", "v2"], bad=["v2"])
    assert choose_targets(state, "deployed", "v2", "v2", ["v1", "v2"]) == ["v2"]


def test_history_closes_previous_entry_and_marks():
    state = state_with(["v1"])
    record_live(state, "v2", "deployed", when="t2")
    assert state["live"] == "v2"
    assert state["history"] == [
        {"release": "v1", "since": "t-v1", "until": "t2", "action": "deployed"},
        {"release": "v2", "since": "t2", "until": None, "action": "deployed"}]
    assert clear_bad(mark_bad(state, "v2", "x"), "v2") is True
    assert clear_bad(state, "v2") is False


@pytest.mark.parametrize("on_disk, keep, protect, expected", [
    (["v1", "v2", "v3", "v4"], 2, ["v4", "v3"], ["v1", "v2"]),
    (["v1", "v2", "v3", "v4"], 2, ["v4", "v1"], ["v2", "v3"]),   # previous good v1 kept
    (["v1", "v2", "v3"], 5, ["v3"], []),
    (["v1", "v2", "v3"], 1, ["v3", "v2", "v1"], []),             # all protected
    (["v1", "v2", "v3"], 1, ["v3", None], ["v1", "v2"]),
])
def test_releases_to_prune(on_disk, keep, protect, expected):
    assert list(releases_to_prune(on_disk, keep, protect)) == expected


def test_prune_takes_bad_then_unknown_and_keeps_the_good_ones():
    ev = release_evidence(empty_state("ai"), parse_revisions(REVISIONS))
    pruned = releases_to_prune(ON_DISK + ["new1"], 4, ["new1", SLOW], ev)
    assert list(pruned) == [CRASH, HANG]
    assert pruned[CRASH] == "bad (rolled back from, to %s (revisions.log)); keep_releases=4" % G
    pruned = releases_to_prune(["old", A, G, "new1"], 2, ["new1"], ev)
    assert pruned == {"old": "no record of being healthy (not in the history); keep_releases=2",
                      A: "oldest beyond the limit although good (replaced by the deploy of %s, never "
                         "rolled back from (revisions.log)); keep_releases=2" % G}


def test_prune_rejects_zero_keep():
    with pytest.raises(Pm2Error):
        releases_to_prune(["v1"], 0, [])


# --- the layout on a real filesystem ---------------------------------------------------

def make_layout(tmp_path, releases=("v1", "v2")):
    for i, rel in enumerate(releases):
        path = tmp_path / "releases" / rel
        path.mkdir(parents=True)
        os.utime(path, (1000 + i, 1000 + i))
    return ReleaseLayout(str(tmp_path))


def test_layout_switch_and_current(tmp_path):
    layout = make_layout(tmp_path, ("v2", "v10", "v1"))
    assert layout.on_disk() == ["v2", "v10", "v1"]      # by age, not by name
    assert layout.current() is None
    layout.switch("v10")
    assert layout.current() == "v10"
    assert os.readlink(tmp_path / "current") == str(tmp_path / "releases" / "v10")
    layout.switch("v1")
    assert os.readlink(tmp_path / "current") == str(tmp_path / "releases" / "v1")
    assert layout.current() == "v1"
    assert sorted(os.listdir(tmp_path)) == ["current", "releases"]   # no temp link left


def test_layout_refuses_odd_current(tmp_path):
    layout = make_layout(tmp_path)
    (tmp_path / "current").mkdir()
    with pytest.raises(Pm2Error, match="is not a symlink"):
        layout.current()
    (tmp_path / "current").rmdir()
    (tmp_path / "current").symlink_to("/tmp")
    with pytest.raises(Pm2Error, match="outside"):
        layout.current()


def test_layout_without_releases_dir(tmp_path):
    with pytest.raises(Pm2Error, match="releases directory .* does not exist"):
        ReleaseLayout(str(tmp_path)).check()


@pytest.mark.parametrize("known, by_age, expected", [
    ([], ["v1", "v2"], ["v1", "v2"]),                          # nothing recorded: by age
    (["v1", "v2", "v3"], ["v1", "v3", "v2"], ["v1", "v2", "v3"]),  # v2 touched later: order kept
    (["v1", "v2"], ["v2", "v1", "v3"], ["v1", "v2", "v3"]),    # a new release comes last
    (["v1", "v2", "v3"], ["v3", "v1"], ["v1", "v3"]),          # v2 gone from disk
])
def test_ordered_releases(known, by_age, expected):
    assert ordered_releases(known, by_age) == expected


def test_layout_keeps_a_relative_link_relative(tmp_path):
    layout = make_layout(tmp_path)
    (tmp_path / "current").symlink_to("releases/v1")
    layout.switch("v2")
    assert os.readlink(tmp_path / "current") == "releases/v2"
    assert layout.current() == "v2"


def test_layout_reads_revisions_log(tmp_path):
    layout = make_layout(tmp_path)
    assert layout.revisions() == []                                    # none: no evidence
    (tmp_path / "revisions.log").write_text("Branch m (at 1) deployed as release v1 by d\n")
    assert layout.revisions() == [("deployed", "v1")]
    (tmp_path / "revisions.log").write_bytes(b"\xff\xfe not text")
    with pytest.raises(Pm2Error, match="cannot read .*revisions.log"):
        layout.revisions()
