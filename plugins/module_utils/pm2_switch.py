# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What pm2_release does: switch a PM2 app between releases of the Capistrano layout - a
deploy, or a rollback through the candidates the history supports - and verify each switch,
putting the previous release back when nothing passes. The decisions (which releases, in what
order, what to prune) are pure functions in pm2.py; this is the doing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import time

from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    Probe,
    ProbeError,
    run_probes,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.pm2 import (
    Pm2Cli,
    Pm2Error,
    ReleaseLayout,
    choose_targets,
    clear_bad,
    empty_state,
    mark_bad,
    ordered_releases,
    record_live,
    release_evidence,
    release_of_pid,
    releases_to_prune,
    rollback_candidates,
    summarize,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import read_state, write_state

POLL_SECONDS = 0.5


class ReleaseManager:
    def __init__(self, module):
        self.module = module
        p = module.params
        self.p = p
        self.layout = ReleaseLayout(p["app_dir"])
        self.pm2 = Pm2Cli(module, binary=p["pm2_binary"], pm2_home=p["pm2_home"])
        self.ecosystem = p["ecosystem"] or os.path.join(p["app_dir"], "ecosystem.config.js")
        self.probe = None
        if p["health"]:
            h = p["health"]
            self.probe = Probe(h["url"], status_codes=h["status_codes"], json_checks=h["json_checks"],
                               timeout=h["timeout"])
            if h["consecutive"] < 1 or h["retries"] + 1 < h["consecutive"]:
                raise ProbeError("health: consecutive=%d needs 1 <= consecutive <= retries+1 (%d)"
                                 % (h["consecutive"], h["retries"] + 1))

    # -- observation ----------------------------------------------------------------

    def processes(self):
        if self.pm2.daemon_pid() is None:
            return []
        return self.pm2.processes(self.p["name"])

    def views(self, procs):
        return [summarize(proc, live_release=release_of_pid(proc.get("pid"), self.layout.releases_dir))
                for proc in procs]

    def serving(self, release, procs):
        """True when every instance is online and runs `release`."""
        views = self.views(procs)
        return bool(views) and all(v["status"] == "online" and v["pid"] and v["release"] == release
                                   for v in views)

    def wait_serving(self, release):
        """Wait until every instance is online on `release`; return (ok, seen, pids)."""
        deadline = time.monotonic() + self.p["online_timeout"]
        while True:
            views = self.views(self.pm2.processes(self.p["name"]))
            if views and all(v["status"] == "online" and v["pid"] and v["release"] == release
                             for v in views):
                return True, "online", sorted(v["pid"] for v in views)
            # PM2 sets errored/stopped once it stops restarting: no point waiting longer.
            if views and all(v["status"] in ("errored", "stopped") for v in views):
                return False, "instances %s" % describe(views), None
            if time.monotonic() >= deadline:
                return False, "not every instance online on %s after %ds: %s" % (
                    release, self.p["online_timeout"], describe(views) or "no instance"), None
            time.sleep(POLL_SECONDS)

    def check_health(self):
        if self.probe is None:
            return True, None
        h = self.p["health"]
        result, history = run_probes(self.probe.once, retries=h["retries"], delay=h["delay"],
                                     until_healthy=True, consecutive=h["consecutive"],
                                     give_up_after=h["give_up_after"] or None)
        verdict = {"healthy": result["healthy"], "status": result["status"],
                   "reason": result["reason"], "attempts": len(history)}
        return result["healthy"], verdict

    # -- action ---------------------------------------------------------------------

    def activate(self, release, had_processes):
        """Switch to `release` and make PM2 run it; return (ok, what was seen, health)."""
        self.layout.switch(release)
        if had_processes:
            self.pm2.call("reload", self.p["name"])
        else:
            if not os.path.isfile(self.ecosystem):
                raise Pm2Error("app %s is not running and ecosystem file %s does not exist"
                               % (self.p["name"], self.ecosystem))
            self.pm2.call("start", self.ecosystem, "--only", self.p["name"])
        ok, seen, pids = self.wait_serving(release)
        if not ok:
            return False, seen, None
        if self.probe is None:
            time.sleep(POLL_SECONDS)    # no health window: give a crash loop time to show
        healthy, verdict = self.check_health()
        if not healthy:
            return False, "health: %s" % verdict["reason"], verdict
        # Same instances still online after the health window: none crashed and restarted.
        ok, seen, pids_after = self.wait_serving(release)
        if not ok or pids_after != pids:
            return False, "instances restarted after coming online (%s)" % seen, verdict
        return True, "online and healthy" if verdict else "online", verdict

    def run(self):
        p = self.p
        mode = p["state"]
        if mode == "deployed" and not p["release"]:
            raise Pm2Error("release is required with state=deployed")
        if p["attempts"] < 1:
            raise Pm2Error("attempts must be 1 or more, got %r" % (p["attempts"],))
        self.layout.check()
        state = read_state(self.layout.state_path, default=empty_state(p["name"]))
        revisions = self.layout.revisions(p["revisions_log"])
        on_disk = ordered_releases(state.get("releases", []), self.layout.on_disk())
        current = self.layout.current()
        targets = choose_targets(state, mode, p["release"], current, on_disk, force=p["force"],
                                 revisions=revisions)[:p["attempts"]]
        target = targets[0]

        if not p["start_if_stopped"]:
            self.pm2.require_daemon()
        procs = self.processes()
        if not procs and not p["start_if_stopped"]:
            raise Pm2Error("app %s is not in PM2's list for PM2_HOME=%s; set start_if_stopped=true "
                           "to start it from %s" % (p["name"], self.pm2.home, self.ecosystem))

        new_state = _copy(state)
        if current and new_state.get("live") != current:
            # Live now without us (adopted as found, or a deploy by other means): the first
            # thing we know of it, not evidence that it is good.
            record_live(new_state, current, "adopted")
        if p["force"]:
            clear_bad(new_state, target)
        evidence = release_evidence(new_state, revisions)
        result = dict(changed=False, previous=current, release=current, action="none",
                      health=None, pruned=[], pruned_why={}, restored=None, tried=[],
                      candidates=targets,
                      evidence=dict((r, evidence[r]) for r in on_disk if r in evidence),
                      diff={"before": {"release": current}, "after": {"release": target}})
        if target == current and self.serving(target, procs):
            # Already live. Only a cleared bad mark may change.
            if new_state != state:
                result["changed"] = True
                if not self.module.check_mode:
                    new_state["releases"] = on_disk
                    write_state(self.layout.state_path, new_state)
            return self.finish(result, new_state, procs)

        result.update(changed=True, release=target)
        if self.module.check_mode:
            result["action"] = "started" if not procs else mode
            result["pruned_why"] = self.prune_plan(new_state, revisions, on_disk, target, current)
            result["pruned"] = list(result["pruned_why"])
            return self.finish(result, new_state, procs)

        running = bool(procs)
        for target in targets:
            ok, seen, verdict = self.activate(target, running)
            running = True
            result["tried"].append({"release": target, "ok": ok, "seen": seen})
            result.update(health=verdict, release=target)
            if ok:
                break
            # Never gone back to in this run, nor by a later one.
            mark_bad(new_state, target, "%s%s" % (p["reason"] + "; " if p["reason"] else "", seen))

        if ok:
            action = mode if current != target else "started"
            result["action"] = action
            record_live(new_state, target, action)
            if mode == "rolled_back" and p["mark_bad"] and current and current != target:
                mark_bad(new_state, current, p["reason"] or "rolled back to %s" % target)
            result["pruned_why"] = self.prune_plan(new_state, revisions, on_disk, target, current)
            result["pruned"] = list(result["pruned_why"])
            for rel in result["pruned"]:
                shutil.rmtree(os.path.join(self.layout.releases_dir, rel))
            new_state["releases"] = [r for r in on_disk if r not in result["pruned"]]
            write_state(self.layout.state_path, new_state)
            return self.finish(result, new_state, self.processes())

        # Every release tried failed its checks: put back the one that was live, so the
        # server is as the on-call found it, and say so.
        if mode == "rolled_back" and p["mark_bad"] and current:
            mark_bad(new_state, current, p["reason"] or "rolled back from")
        msg = "; ".join("release %s failed: %s" % (t["release"], t["seen"]) for t in result["tried"])
        if current and current != target:
            restored, restored_seen, restored_verdict = self.activate(current, True)
            result.update(release=current, action="restored", health=restored_verdict or verdict,
                          restored={"release": current, "ok": restored, "seen": restored_seen})
            how = restored_seen if restored else "which is failing too: %s" % restored_seen
            msg += "; restored %s (%s)" % (current, how)
        else:
            msg += "; no earlier release to restore"
        new_state["releases"] = on_disk
        write_state(self.layout.state_path, new_state)
        self.finish(result, new_state, self.processes(), failed_msg=msg)

    def prune_plan(self, state, revisions, on_disk, target, current):
        """{release: why} to delete after `target` went live: never it, what was live before
        it, nor the best release to roll back to from it."""
        evidence = release_evidence(state, revisions)
        fallback = rollback_candidates(evidence, target, on_disk)
        return releases_to_prune(on_disk, self.p["keep_releases"],
                                 [target, current] + fallback[:1], evidence)

    def finish(self, result, state, procs, failed_msg=None):
        result["processes"] = self.views(procs)
        result["bad_releases"] = state.get("bad", {})
        if not self.module._diff:
            result.pop("diff")
        if failed_msg:
            self.module.fail_json(msg=failed_msg, **result)
        self.module.exit_json(**result)


def describe(views):
    return ", ".join("%s:%s%s" % (v["pm_id"], v["status"],
                                  "@%s" % v["release"] if v["release"] else "") for v in views)


def _copy(state):
    return json.loads(json.dumps(state))
