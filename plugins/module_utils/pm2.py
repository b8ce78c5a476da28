# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PM2 and the Capistrano release layout, shared by pm2_info and pm2_release.

    <app_dir>/releases/<id>/      one directory per release
    <app_dir>/current -> releases/<id>    switched atomically (new link, then rename)
    <app_dir>/release-state.json  which release was live when, which are marked bad, and
                                  the order the releases arrived in

Facts of PM2 7 this is built on (shared/reference/components.md, section B):
- `pm2 jlist` carries the whole environment of whoever started the app: never return or
  log its raw output; only whitelisted fields leave this file.
- jlist shows the symlink path, not the release: the live release is read from
  /proc/<pid>/cwd of a running instance.
- any pm2 command starts a daemon when none runs (an empty one, for the wrong user if
  PM2_HOME is wrong), so the daemon is checked through its pid file first.
- `pm2 reload` exits 0 even when the new release crashes: online status and health are
  checked afterwards.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import time

from ansible_collections.oncall.runbooks.plugins.module_utils.cli_output import last_lines
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import now_iso

STATE_FILE = "release-state.json"


class Pm2Error(Exception):
    """An error to report as the module's msg."""


# ---------------------------------------------------------------------------------------
# jlist parsing
# ---------------------------------------------------------------------------------------

def parse_jlist(stdout):
    """The list of processes in `pm2 jlist` output.

    When the daemon had to be spawned, PM2 prints "[PM2] ..." lines before the JSON. The
    output is never quoted in errors: it holds the apps' environment, secrets included.
    """
    text = stdout.strip()
    candidates = [text] + [line.strip() for line in reversed(text.splitlines())]
    for candidate in candidates:
        if not candidate.startswith("[") or candidate.startswith("[PM2"):
            continue
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, list):
            return data
    raise Pm2Error("pm2 jlist printed no JSON list (%d bytes of output, not shown: it may "
                   "hold secrets)" % len(stdout))


EXEC_MODES = {"cluster_mode": "cluster", "fork_mode": "fork"}


def summarize(proc, now_ms=None, live_release=None):
    """A whitelisted view of one jlist entry: no environment, nothing secret."""
    env = proc.get("pm2_env") or {}
    monit = proc.get("monit") or {}
    status = env.get("status", "unknown")
    uptime_ms = env.get("pm_uptime")
    if now_ms is None:
        now_ms = int(time.time() * 1000)
    uptime_s = None
    if status == "online" and isinstance(uptime_ms, (int, float)):
        uptime_s = max(0, int((now_ms - uptime_ms) / 1000))
    return {
        "name": proc.get("name", env.get("name")),
        "pm_id": proc.get("pm_id", env.get("pm_id")),
        "pid": proc.get("pid") or 0,
        "status": status,
        "restarts": env.get("restart_time", 0),
        "unstable_restarts": env.get("unstable_restarts", 0),
        "uptime_s": uptime_s,
        "exec_mode": EXEC_MODES.get(env.get("exec_mode"), env.get("exec_mode")),
        "instances": env.get("instances"),
        "namespace": env.get("namespace"),
        "version": env.get("version"),
        "cwd": env.get("pm_cwd"),
        "script": env.get("pm_exec_path"),
        "release": live_release,
        "memory_bytes": monit.get("memory"),
        "cpu_percent": monit.get("cpu"),
    }


def release_of_pid(pid, releases_dir=None):
    """The release a running process serves: the resolved cwd of its pid.

    With `releases_dir`, the release id (directory name under it); otherwise the resolved
    path. None when the process is gone or not readable.
    """
    if not pid:
        return None
    try:
        cwd = os.readlink("/proc/%d/cwd" % int(pid))
    except OSError:
        return None
    if releases_dir:
        parent, name = os.path.split(cwd.rstrip("/"))
        if os.path.realpath(parent) == os.path.realpath(releases_dir):
            return name
    return cwd


# ---------------------------------------------------------------------------------------
# The PM2 command line
# ---------------------------------------------------------------------------------------

class Pm2Cli:
    """Runs pm2 as argument lists, with PM2_HOME fixed for every call."""

    def __init__(self, module, binary=None, pm2_home=None):
        self.module = module
        self.binary = binary or module.get_bin_path("pm2")
        if not self.binary:
            raise Pm2Error("pm2 not found on PATH; install it (role oncall.runbooks.pm2_app "
                           "with pm2_app_install=true) or set pm2_binary")
        if not os.access(self.binary, os.X_OK):
            raise Pm2Error("pm2_binary %s is not an executable file" % self.binary)
        self.home = pm2_home or os.environ.get("PM2_HOME") or os.path.expanduser("~/.pm2")
        # PM2 keeps its sockets in PM2_HOME; past ~100 bytes their names get cut off.
        if len(os.path.join(self.home, "rpc.sock")) > 100:
            raise Pm2Error("PM2_HOME %s is too long for PM2's unix sockets; use a shorter path"
                           % self.home)
        # PM2 runs on node; a node found beside pm2 comes first.
        path = os.environ.get("PATH", "")
        here = os.path.dirname(os.path.realpath(self.binary))
        self.env = {"PM2_HOME": self.home, "LC_ALL": "C",
                    "PATH": os.pathsep.join(p for p in (here, path) if p)}

    def daemon_pid(self):
        """Pid of the live PM2 daemon of this PM2_HOME, else None."""
        try:
            with open(os.path.join(self.home, "pm2.pid")) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid  # alive, owned by another user
        return pid

    def require_daemon(self):
        if self.daemon_pid() is None:
            raise Pm2Error(
                "no PM2 daemon is running for PM2_HOME=%s (no live pid in %s/pm2.pid). "
                "Run as the user that owns the app (become_user), or set pm2_home to that "
                "user's PM2 home; a pm2 command here would start a new, empty daemon"
                % (self.home, self.home))

    def run(self, *args, **kwargs):
        rc, out, err = self.module.run_command(
            [self.binary] + list(args), environ_update=self.env,
            expand_user_and_vars=False, **kwargs)
        return rc, out, err

    def call(self, *args):
        rc, out, err = self.run(*args)
        if rc != 0:
            raise Pm2Error("pm2 %s failed (rc %d): %s"
                           % (" ".join(args), rc, last_lines(err or out)))
        return out

    def jlist(self):
        rc, out, _err = self.run("jlist")
        if rc != 0:
            raise Pm2Error("pm2 jlist failed (rc %d)" % rc)
        return parse_jlist(out)

    def processes(self, name):
        return [p for p in self.jlist() if p.get("name") == name]


# ---------------------------------------------------------------------------------------
# Releases on disk
# ---------------------------------------------------------------------------------------

RELEASE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}$")


def check_release_id(release):
    """A directory name under releases/ as deploy tools make them (a tag, a timestamp):
    letters, digits and ._+- - never a path, a shell string or a hidden name."""
    if not release or not RELEASE_ID.match(release) or release in (".", ".."):
        raise Pm2Error("release %r is not a valid release id (a directory name under releases/: "
                       "letters, digits and ._+-)" % (release,))
    return release


class ReleaseLayout:
    def __init__(self, app_dir):
        self.app_dir = app_dir
        self.releases_dir = os.path.join(app_dir, "releases")
        self.current_link = os.path.join(app_dir, "current")
        self.state_path = os.path.join(app_dir, STATE_FILE)

    def check(self):
        if not os.path.isdir(self.releases_dir):
            raise Pm2Error("releases directory %s does not exist" % self.releases_dir)

    def on_disk(self):
        """Release ids on disk, oldest first (by modification time, then name)."""
        entries = []
        for name in os.listdir(self.releases_dir):
            path = os.path.join(self.releases_dir, name)
            if os.path.isdir(path) and not os.path.islink(path) and not name.startswith("."):
                entries.append((os.stat(path).st_mtime, name))
        return [name for _mtime, name in sorted(entries)]

    def current(self):
        """Release id `current` points to; None when there is no link yet."""
        if not os.path.lexists(self.current_link):
            return None
        if not os.path.islink(self.current_link):
            raise Pm2Error("%s exists but is not a symlink; move it away by hand"
                           % self.current_link)
        target = os.readlink(self.current_link)
        if not os.path.isabs(target):
            target = os.path.join(self.app_dir, target)
        parent, name = os.path.split(os.path.normpath(target))
        if os.path.realpath(parent) != os.path.realpath(self.releases_dir):
            raise Pm2Error("%s points to %s, outside %s"
                           % (self.current_link, target, self.releases_dir))
        return name

    def has(self, release):
        return os.path.isdir(os.path.join(self.releases_dir, release))

    def switch(self, release):
        """Point `current` at releases/<release> atomically (a reader never sees no link).
        A relative link stays relative (the tree can be moved or mounted elsewhere)."""
        relative = (os.path.islink(self.current_link)
                    and not os.path.isabs(os.readlink(self.current_link)))
        tmp = self.current_link + ".tmp-%d" % os.getpid()
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(os.path.join("releases" if relative else self.releases_dir, release), tmp)
        os.rename(tmp, self.current_link)

    def revisions(self, path=None):
        """Events of Capistrano's revisions.log (parse_revisions); [] when there is none."""
        path = path or os.path.join(self.app_dir, REVISIONS_LOG)
        try:
            with open(path) as f:
                return parse_revisions(f.read())
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise Pm2Error("cannot read %s: %s" % (path, exc))


# ---------------------------------------------------------------------------------------
# Release history and selection (pure: tested with truth tables)
# ---------------------------------------------------------------------------------------

def empty_state(app):
    return {"app": app, "live": None, "history": [], "bad": {}}


# Capistrano 3's wording (lib/capistrano/i18n.rb: revision_log_message and
# rollback_log_message), one line per deploy or rollback, appended to <deploy_to>/revisions.log.
# Other tools that keep the file add a timestamp in front; only the end of the line is read.
REVISIONS_LOG = "revisions.log"
_DEPLOYED_LINE = re.compile(r"\bdeployed as release (\S+)(?: by \S.*)?$")
_ROLLED_BACK_LINE = re.compile(r"\brolled back to release (\S+)$")
# pm2_release's own history entries that were verified online and healthy when recorded.
VERIFIED_ACTIONS = ("deployed", "rolled_back", "started")


def parse_revisions(text):
    """Capistrano's revisions.log as events, oldest first: ("deployed"|"rolled_back", id).
    Lines in another wording, and ids that are not release ids, are skipped."""
    events = []
    for line in text.splitlines():
        line = line.strip()
        for kind, pattern in (("rolled_back", _ROLLED_BACK_LINE), ("deployed", _DEPLOYED_LINE)):
            m = pattern.search(line)
            if m and RELEASE_ID.match(m.group(1)):
                events.append((kind, m.group(1)))
                break
    return events


def release_evidence(state, revisions=()):
    """What the server's history says about each release it mentions.

    {release: {"verdict": "good"|"bad"|"unknown", "why": str, "seen": n}}, where a higher
    `seen` means live more recently. From revisions.log: a release the next event rolled
    back from is bad; one replaced by a later deploy and never rolled back from is good; the
    one live at the end is unknown. Our release-state.json comes after and weighs more: a
    release pm2_release verified healthy is good, a bad mark is bad.
    """
    evidence = {}

    def note(release, verdict, why, seen):
        entry = evidence.setdefault(release, {"verdict": "unknown", "why": why, "seen": seen})
        entry["seen"] = max(entry["seen"], seen)
        # bad sticks within one source: the same code was rolled back from once
        if verdict != "unknown" and entry["verdict"] != "bad":
            entry.update(verdict=verdict, why=why)

    live = None
    for seen, (kind, release) in enumerate(revisions, 1):
        if live and live != release:
            if kind == "rolled_back":
                note(live, "bad", "rolled back from, to %s (revisions.log)" % release, seen - 1)
            else:
                note(live, "good", "replaced by the deploy of %s, never rolled back from "
                     "(revisions.log)" % release, seen - 1)
        note(release, "unknown", "live at the end of revisions.log" if seen == len(revisions)
             else "in revisions.log", seen)
        live = release

    base = len(revisions)
    for seen, entry in enumerate(state.get("history", []), base + 1):
        release = entry.get("release")
        if not release:
            continue
        if entry.get("action") in VERIFIED_ACTIONS:
            evidence[release] = {"verdict": "good", "seen": seen,
                                 "why": "verified healthy by pm2_release (%s %s)"
                                        % (entry.get("action"), entry.get("since"))}
        else:
            note(release, "unknown", "found live (%s)" % entry.get("since"), seen)
    for release, mark in state.get("bad", {}).items():
        evidence[release] = {"verdict": "bad", "seen": evidence.get(release, {}).get("seen", 0),
                             "why": "marked bad since %s: %s" % (mark.get("since"), mark.get("reason"))}
    return evidence


def rollback_candidates(evidence, current, on_disk):
    """Releases to try, best first, never `current` nor a bad one.

    First those the history calls good, the most recently live first; then, when that is
    all there is, Capistrano's rule: releases on disk older than `current` that the history
    says nothing bad about, newest first. Releases newer than `current` that were never
    live (staged ahead) are never picked."""
    def verdict(release):
        return evidence.get(release, {}).get("verdict", "unknown")

    good = sorted((r for r in on_disk if r != current and verdict(r) == "good"),
                  key=lambda r: evidence[r]["seen"], reverse=True)
    older = on_disk[:on_disk.index(current)] if current in on_disk else on_disk
    unknown = [r for r in reversed(older) if r != current and verdict(r) == "unknown"]
    return good + unknown


def choose_targets(state, mode, release, current, on_disk, force=False, revisions=()):
    """The releases to try in turn (best first), or raise Pm2Error saying why none.

    mode "deployed": `release` itself. mode "rolled_back": `release` when named, else the
    candidates the history supports (rollback_candidates). A release marked bad is refused
    unless `force`.
    """
    if mode == "rolled_back" and not release:
        evidence = release_evidence(state, revisions)
        targets = rollback_candidates(evidence, current, on_disk)
        if not targets:
            bad = sorted(r for r in on_disk if evidence.get(r, {}).get("verdict") == "bad")
            raise Pm2Error("no earlier good release to roll back to (current: %s; on disk: %s; "
                           "bad: %s)" % (current, ", ".join(on_disk) or "none",
                                         ", ".join(bad) or "none"))
        return targets
    check_release_id(release)
    if release not in on_disk:
        raise Pm2Error("release %s is not on disk (on disk: %s)"
                       % (release, ", ".join(on_disk) or "none"))
    mark = state.get("bad", {}).get(release)
    if mark and not force and release != current:
        raise Pm2Error("release %s is marked bad since %s (%s); deploy it with force=true to "
                       "clear the mark" % (release, mark.get("since"), mark.get("reason")))
    return [release]


def record_live(state, release, action, when=None):
    """Append `release` becoming live to the history (closing the previous entry)."""
    when = when or now_iso()
    history = state.setdefault("history", [])
    if history and history[-1].get("until") is None:
        history[-1]["until"] = when
    history.append({"release": release, "since": when, "until": None, "action": action})
    state["live"] = release
    return state


def mark_bad(state, release, reason, when=None):
    if release:
        state.setdefault("bad", {})[release] = {"since": when or now_iso(), "reason": reason}
    return state


def clear_bad(state, release):
    return state.setdefault("bad", {}).pop(release, None) is not None


def ordered_releases(known, on_disk_by_age):
    """Releases on disk, oldest first. Those release-state.json already lists keep that order
    (a drill writing into a release directory changes its mtime, not its age); new ones
    follow, by modification time."""
    return [r for r in known if r in on_disk_by_age] + [r for r in on_disk_by_age if r not in known]


def releases_to_prune(on_disk, keep, protect, evidence=None):
    """{release: why} for the releases to delete so that `keep` remain, never one of
    `protect` (live, the best rollback candidate, the one being deployed). Bad releases go
    first, then those the history knows nothing good about, and releases it calls good only
    last, oldest first in each group."""
    if keep < 1:
        raise Pm2Error("keep_releases must be 1 or more, got %r" % (keep,))
    evidence = evidence or {}
    protect = set(p for p in protect if p)
    excess = len(on_disk) - keep
    order = {"bad": 0, "unknown": 1, "good": 2}
    removable = sorted((r for r in on_disk if r not in protect),
                       key=lambda r: order[evidence.get(r, {}).get("verdict", "unknown")])
    pruned = {}
    for release in removable[:max(0, excess)]:
        ev = evidence.get(release)
        pruned[release] = "%s (%s); keep_releases=%d" % (
            {"bad": "bad", "good": "oldest beyond the limit although good",
             "unknown": "no record of being healthy"}[ev["verdict"] if ev else "unknown"],
            ev["why"] if ev else "not in the history", keep)
    return pruned
