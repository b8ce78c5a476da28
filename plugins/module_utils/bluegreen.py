# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Blue-green deploys of seed 001: the state file, and the pure transition function that
turns (state file, what is really running and serving, phase, options) into a plan.

The executor (bluegreen_deploy) carries the plan out step by step; it never decides. The
plan is computed from what is observed, not only from the state file, so a run killed
half-way converges when it is run again.

deploy-state.json, as the seed's script writes it, holds `activeColor`. We keep that key
and add ours beside it (the seed's script ignores keys it does not know):

    {"activeColor": "blue", "phase": "idle" | "prepared" | "switched",
     "targetColor": "green" | null, "backendTag": "v2", "previousTag": "v1",
     "updatedAt": "...", "history": [{"at", "phase", "from", "to", "tag"}]}
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os
import re
import time

from ansible_collections.oncall.runbooks.plugins.module_utils.cli_output import last_lines
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import container_summary
from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    TRANSPORT_ERRORS,
    request,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    now_iso,
    read_state,
    write_state,
)

COLORS = ("blue", "green")
SAFE_TAG = re.compile(r"^[A-Za-z0-9._-]+$")
SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")
PHASES = ("prepare", "gateway", "finalize", "full", "cancel")
STATE_PHASES = ("idle", "prepared", "switched")


class BlueGreenError(Exception):
    """Refused: the message says why and what to do."""


def common_argument_spec():
    """Options of the deployment, shared by bluegreen_deploy and bluegreen_info
    (documented in the oncall.runbooks.bluegreen doc fragment)."""
    return dict(
        server_root=dict(type="path", required=True),
        project=dict(type="str"),
        compose_file=dict(type="str", default="application/docker-compose.application.prod.yml"),
        backends=dict(type="dict", required=True, options=dict(blue=dict(type="str", required=True),
                                                               green=dict(type="str", required=True))),
        health_path=dict(type="str", default="/api/actuator/health"),
    )


def other(color):
    return "green" if color == "blue" else "blue"


def check_state(data, path="deploy-state.json"):
    """Validate a parsed state file; return it with our keys filled in."""
    if not isinstance(data, dict):
        raise BlueGreenError("%s must hold a JSON object" % path)
    active = data.get("activeColor")
    if active not in COLORS:
        raise BlueGreenError("%s: activeColor is %r, expected blue or green; fix it by hand "
                             "to the colour the gateway serves" % (path, active))
    state = dict(data)
    state.setdefault("phase", "idle")
    state.setdefault("targetColor", None)
    state.setdefault("history", [])
    if state["phase"] not in STATE_PHASES:
        raise BlueGreenError("%s: phase is %r, expected one of %s"
                             % (path, state["phase"], ", ".join(STATE_PHASES)))
    if state["targetColor"] not in (None,) + COLORS:
        raise BlueGreenError("%s: targetColor is %r" % (path, state["targetColor"]))
    if not isinstance(state["history"], list):
        raise BlueGreenError("%s: history must be a list" % path)
    return state


def initial_state(active):
    return {"activeColor": active, "phase": "idle", "targetColor": None, "history": []}


class Observed:
    """What is really there: per colour (running, healthy, tag), and the gateway's colour."""

    def __init__(self, backends, serving, gateway_target=None, frontend_tag=None):
        self.backends = backends            # {"blue": {"running", "healthy", "tag"}, ...}
        self.serving = serving              # colour answering through the gateway, or None
        self.gateway_target = gateway_target  # colour the gateway config names, or None
        self.frontend_tag = frontend_tag    # FE_TAG whose dist is in the frontend-dist volume

    def up(self, color, tag=None):
        b = self.backends.get(color) or {}
        return bool(b.get("running")) and bool(b.get("healthy")) and (tag is None or b.get("tag") == tag)

    def present(self, color):
        return bool((self.backends.get(color) or {}).get("running"))


def target_of(state, phase, override_color=None, force_color=None):
    """Colour the phase works on."""
    active = state["activeColor"]
    if phase == "gateway" and force_color:
        return force_color
    if override_color:
        return override_color
    if state["phase"] in ("prepared", "switched") and state["targetColor"]:
        return state["targetColor"]
    return other(active)


def plan(state, phase, observed, tag=None, override_color=None, force_color=None,
         update_gateway=True, fe_tag=None):
    """Steps to carry out, in order; [] when the phase is already done.

    Steps: ("frontend", fe_tag) copy that frontend build into the frontend-dist volume (the
    seed's prepare does it, so the gateway serves it at once);
    ("start", colour, tag) start/replace the backend of that colour and wait healthy;
    ("switch", colour) point the gateway at it and confirm; ("watch", colour) watch it
    after a switch; ("stop", colour) stop and remove that backend; ("record", dict) write
    these keys to the state file.
    """
    if phase not in PHASES:
        raise BlueGreenError("phase must be one of %s, got %r" % (", ".join(PHASES), phase))
    for name, value in (("override_color", override_color), ("force_color", force_color)):
        if value is not None and value not in COLORS:
            raise BlueGreenError("%s must be blue or green, got %r" % (name, value))
    if force_color and phase != "gateway":
        raise BlueGreenError("force_color applies to phase=gateway only")
    active = state["activeColor"]
    target = target_of(state, phase, override_color, force_color)
    in_place = target == active        # seed 3.1: new image on the current colour
    front = [("frontend", fe_tag)] if fe_tag and observed.frontend_tag != fe_tag else []
    front_want = {"frontendTag": fe_tag} if fe_tag else {}

    if phase == "prepare":
        if state["phase"] == "switched" and state["targetColor"] != target:
            raise BlueGreenError("the gateway already serves %s from an unfinished deploy: "
                                 "run phase=finalize or phase=cancel first" % state["targetColor"])
        if tag is None:
            raise BlueGreenError("a backend tag (be_tag) is required to prepare")
        steps = front + ([] if observed.up(target, tag) else [("start", target, tag)])
        want = dict(front_want, phase="prepared" if not in_place else state["phase"],
                    targetColor=target if not in_place else state["targetColor"], backendTag=tag)
        return steps + _record(state, want)

    if phase == "gateway":
        if not observed.up(target):
            raise BlueGreenError("refusing to switch the gateway to %s: its backend is not "
                                 "running and healthy" % target)
        steps = [] if observed.serving == target and observed.gateway_target == target else [("switch", target)]
        want = {"phase": "idle" if target == active else "switched",
                "targetColor": None if target == active else target}
        return steps + _record(state, want)

    if phase == "finalize":
        if in_place or (state["phase"] == "idle" and not observed.present(other(active))):
            return _record(state, {"phase": "idle", "targetColor": None})
        if observed.serving != target:
            raise BlueGreenError("refusing to finalize: the gateway serves %s, not %s; stopping "
                                 "%s now would take the site down. Run phase=gateway first"
                                 % (observed.serving or "nothing", target, other(target)))
        old = other(target)
        steps = [("stop", old)] if observed.present(old) else []
        want = {"activeColor": target, "phase": "idle", "targetColor": None}
        if target != active:
            want["previousTag"] = state.get("backendTag")
        return steps + _record(state, want)

    if phase == "cancel":
        # Put the gateway back on the active colour if it moved, then remove the other one.
        steps = []
        if observed.serving not in (None, active) or observed.gateway_target not in (None, active):
            if not observed.up(active):
                raise BlueGreenError("cannot cancel: the gateway serves %s and %s, the colour to "
                                     "return to, is not running and healthy" % (observed.serving, active))
            steps.append(("switch", active))
        if observed.present(other(active)):
            steps.append(("stop", other(active)))
        return steps + _record(state, {"phase": "idle", "targetColor": None})

    # full: prepare, switch, watch, finalize
    if tag is None:
        raise BlueGreenError("a backend tag (be_tag) is required for phase=full")
    if state["phase"] == "switched" and state["targetColor"] != target:
        raise BlueGreenError("an unfinished deploy left the gateway on %s: run phase=finalize or "
                             "phase=cancel first" % state["targetColor"])
    if in_place:
        raise BlueGreenError("phase=full deploys to the idle colour; to replace the image of the "
                             "active colour (seed 3.1) run phase=prepare then phase=finalize "
                             "with override_color=%s" % active)
    if observed.up(active, tag) and observed.serving == active and state["phase"] == "idle" \
            and not observed.present(target):
        return front + _record(state, front_want)      # that tag is already live
    steps = front + ([] if observed.up(target, tag) else [("start", target, tag)])
    if not update_gateway:
        return steps + _record(state, dict(front_want, phase="prepared", targetColor=target,
                                           backendTag=tag))
    if observed.serving != target or observed.gateway_target != target:
        steps.append(("switch", target))
        steps.append(("watch", target))
    if observed.present(active) or steps:
        steps.append(("stop", active))
    want = dict(front_want, activeColor=target, phase="idle", targetColor=None, backendTag=tag,
                previousTag=state.get("backendTag"))
    return steps + _record(state, want)


def describe_plan(steps):
    """One short line per step, for output."""
    out = []
    for step in steps:
        if step[0] == "record":
            out.append("record " + ", ".join("%s=%s" % kv for kv in sorted(step[1].items())))
        else:
            out.append(" ".join(str(part) for part in step))
    return out


def _record(state, want):
    changed = dict((k, v) for k, v in want.items() if state.get(k) != v)
    return [("record", changed)] if changed else []


# ---------------------------------------------------------------------------------------
# Executor: carries a plan out on a docker-compose host with an nginx gateway
# ---------------------------------------------------------------------------------------

class DeployLock:
    """An exclusive lock beside the state file, so two deploys cannot run at once."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            raise BlueGreenError("another deploy is running on this host (lock %s is held); wait "
                                 "for it to finish" % self.path)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def upstream_conf(address, color):
    return ("# Written by oncall.runbooks.bluegreen_deploy: the colour the gateway serves.\n"
            "# color: %s\nupstream backend {\n    server %s;\n}\n" % (color, address))


def write_atomic(path, text):
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def set_env_var(path, name, value):
    """Set NAME=value in an env file, keeping every other line; True when it changed."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    new, found = [], False
    for line in lines:
        if line.split("=", 1)[0].strip() == name:
            new.append("%s=%s" % (name, value))
            found = True
        else:
            new.append(line)
    if not found:
        new.append("%s=%s" % (name, value))
    if new == lines:
        return False
    write_atomic(path, "\n".join(new) + "\n")
    return True


class Executor:
    def __init__(self, docker, p, sleep=time.sleep):
        self.docker = docker
        self.p = p
        self.sleep = sleep
        root = p["server_root"]
        self.root = root
        self.state_path = os.path.join(root, "deploy-state.json")
        self.app_compose = os.path.join(root, p["compose_file"])
        self.env_file = os.path.join(root, p["env_file"]) if p["env_file"] else None
        if self.env_file and not os.path.exists(self.env_file):
            self.env_file = None
        gw = p["gateway"]
        self.gw = gw
        self.gw_compose = os.path.join(root, gw["compose_file"])
        self.upstream_file = os.path.join(root, gw["upstream_file"])
        self.gw_env_file = os.path.join(root, gw["env_file"])
        self.log = []

    # -- observation ----------------------------------------------------------------

    def probe(self, url, timeout=2.0):
        """(status, colour header) or (None, None)."""
        try:
            status, headers, _body = request(url, timeout=timeout, use_proxy=False)
        except TRANSPORT_ERRORS:
            return None, None
        return status, (headers.get("X-Color") if headers is not None else None)

    def backend(self, color):
        found = [container_summary(c) for c in
                 self.docker.containers(self.p["project"], "backend-%s" % color)]
        running = [c for c in found if c["running"]]
        if not running:
            return {"running": False, "healthy": False, "tag": None, "containers": found}
        c = running[0]
        status, _color = self.probe("http://%s%s" % (self.p["backends"][color], self.p["health_path"]))
        healthy = status == 200 and c["health"] in (None, "healthy")
        return {"running": True, "healthy": healthy, "tag": c["tag"], "containers": found}

    def gateway_target(self):
        try:
            with open(self.upstream_file) as f:
                text = f.read()
        except FileNotFoundError:
            return None
        for color, address in self.p["backends"].items():
            if "server %s;" % address in text:
                return color
        return None

    def observe(self):
        backends = dict((c, self.backend(c)) for c in COLORS)
        _status, serving = self.probe(self.gw["url"])
        return Observed(backends, serving, self.gateway_target(), self.frontend_tag())

    # -- the frontend-dist volume (seed: prepare syncs the frontend build into it) -------

    def frontend_tag(self):
        fe = self.p.get("frontend")
        if not fe or not self.p.get("fe_tag"):
            return None
        rc, out, _err = self.docker.run(
            [self.docker.docker, "run", "--rm", "--pull", "never", "-v", "%s:/dist:ro" % fe["volume"],
             "--entrypoint", "cat", "%s:%s" % (fe["image"], self.p["fe_tag"]), "/dist/.fe_tag"], check=False)
        return out.strip() if rc == 0 else None

    def frontend(self, fe_tag):
        fe = self.p["frontend"]
        if not SAFE_TAG.match(fe_tag) or not SAFE_PATH.match(fe["dist_path"]):
            raise BlueGreenError("fe_tag %r or frontend.dist_path %r has characters other than "
                                 "letters, digits and ._-/" % (fe_tag, fe["dist_path"]))
        self.docker.run([self.docker.docker, "volume", "create", fe["volume"]])
        # Replace the volume's content with the build in the image, then mark its tag.
        script = "find /dist -mindepth 1 -delete && cp -a %s/. /dist/ && echo %s > /dist/.fe_tag" % (
            fe["dist_path"].rstrip("/"), fe_tag)
        self.docker.run([self.docker.docker, "run", "--rm", "--pull", "never", "-v", "%s:/dist" % fe["volume"],
                         "--entrypoint", "sh", "%s:%s" % (fe["image"], fe_tag), "-c", script])
        self.log.append("frontend %s copied into volume %s" % (fe_tag, fe["volume"]))

    def load_state(self, observed):
        data = read_state(self.state_path)
        if data is None:
            # No state file yet: adopt what the gateway serves (blue when nothing answers).
            return initial_state(observed.serving or observed.gateway_target or "blue"), True
        return check_state(data, self.state_path), False

    # -- steps ----------------------------------------------------------------------

    def compose_env(self, tag):
        env = {"BE_TAG": tag}
        if self.p["fe_tag"]:
            env["FE_TAG"] = self.p["fe_tag"]
        return env

    def start(self, color, tag):
        service = "backend-%s" % color
        env = self.compose_env(tag)
        if not self.p["skip_pull"]:
            self.docker.compose(self.app_compose, self.p["project"], ["pull", service], env=env,
                                env_file=self.env_file)
        self.docker.compose(self.app_compose, self.p["project"], ["up", "-d", "--no-deps", service],
                            env=env, env_file=self.env_file)
        url = "http://%s%s" % (self.p["backends"][color], self.p["health_path"])
        deadline = time.monotonic() + self.p["health_timeout"]
        streak, status = 0, None
        while time.monotonic() < deadline:
            status, _c = self.probe(url)
            streak = streak + 1 if status == 200 else 0
            if streak >= 2:
                self.log.append("started %s on %s, healthy" % (service, tag))
                return
            self.sleep(0.5)
        # Never healthy: remove it again, so the old colour keeps serving alone.
        self.remove(color)
        raise BlueGreenError("%s (%s) never became healthy within %ds (last answer: %s); it was "
                             "removed, %s keeps serving" % (service, tag, self.p["health_timeout"],
                                                            status or "none", other(color)))

    def gateway_container(self):
        found = [container_summary(c) for c in
                 self.docker.containers(self.gw["project"], self.gw["service"])]
        running = [c for c in found if c["running"]]
        if not running:
            raise BlueGreenError("the gateway (%s) is not running" % self.gw["service"])
        return running[0]["id"]

    def switch(self, color):
        """Point the gateway at `color` and confirm through its answers; undo on failure."""
        try:
            with open(self.upstream_file) as f:
                before = f.read()
        except FileNotFoundError:
            before = None
        write_atomic(self.upstream_file, upstream_conf(self.p["backends"][color], color))
        try:
            if self.gw["mode"] == "reload":
                gw = self.gateway_container()
                rc, out, err = self.docker.exec_(gw, ["nginx", "-t"], check=False)
                if rc != 0:
                    raise BlueGreenError("gateway configuration is invalid, nothing switched: %s"
                                         % last_lines(err or out))
                rc, out, err = self.docker.exec_(gw, ["nginx", "-s", "reload"], check=False)
                if rc != 0:
                    raise BlueGreenError("gateway refused to reload, nothing switched: %s"
                                         % last_lines(err or out))
            else:
                set_env_var(self.gw_env_file, "NGINX_BACKEND_HOST", "backend-%s" % color)
                self.docker.compose(self.gw_compose, self.gw["project"],
                                    ["up", "-d", "--force-recreate", self.gw["service"]])
            self.confirm(color)
        except BlueGreenError:
            self.restore_upstream(before)
            raise
        set_env_var(self.gw_env_file, "NGINX_BACKEND_HOST", "backend-%s" % color)
        self.log.append("gateway switched to %s" % color)

    def restore_upstream(self, before):
        if before is None:
            return
        write_atomic(self.upstream_file, before)
        if self.gw["mode"] == "reload":
            try:
                self.docker.exec_(self.gateway_container(), ["nginx", "-s", "reload"], check=False)
            except BlueGreenError:
                pass

    def confirm(self, color):
        """The gateway answers from `color` N times in a row (fresh connections)."""
        deadline = time.monotonic() + self.gw["confirm_timeout"]
        streak, seen, status = 0, None, None
        while time.monotonic() < deadline:
            status, seen = self.probe(self.gw["url"])
            streak = streak + 1 if (status == 200 and seen == color) else 0
            if streak >= self.gw["confirm_requests"]:
                return
            self.sleep(0.1)
        raise BlueGreenError("the switch to %s was not confirmed within %ds: the gateway's last answer "
                             "was %s from %s; switched back"
                             % (color, self.gw["confirm_timeout"], status or "none", seen or "no backend"))

    def watch(self, color):
        """Post-switch window: health and error rate through the gateway; switch back on failure."""
        seconds = self.p["watch_seconds"]
        if seconds <= 0:
            return
        deadline = time.monotonic() + seconds
        total = bad = 0
        while time.monotonic() < deadline:
            status, seen = self.probe(self.gw["url"])
            total += 1
            if status is None or status >= 500 or seen != color:
                bad += 1
            self.sleep(0.2)
        pct = 100.0 * bad / max(total, 1)
        if pct > self.p["watch_max_error_pct"]:
            old = other(color)
            self.switch(old)
            raise BlueGreenError("post-switch check failed: %.0f%% of %d requests through the gateway "
                                 "failed or did not come from %s within %ds; switched back to %s"
                                 % (pct, total, color, seconds, old))
        self.log.append("watched %s for %ds: %d requests, %.1f%% bad" % (color, seconds, total, pct))

    def remove(self, color):
        service = "backend-%s" % color
        self.docker.compose(self.app_compose, self.p["project"], ["stop", service],
                            env=self.compose_env(self.p["be_tag"] or "unused"), env_file=self.env_file)
        self.docker.compose(self.app_compose, self.p["project"], ["rm", "-f", service],
                            env=self.compose_env(self.p["be_tag"] or "unused"), env_file=self.env_file)

    def stop(self, color, after_switch):
        if after_switch and self.p["scale_down_delay"] > 0:
            self.sleep(self.p["scale_down_delay"])
        self.remove(color)
        self.log.append("stopped backend-%s" % color)

    def record(self, state, changes, phase):
        new = dict(state, **changes)
        new["updatedAt"] = now_iso()
        history = list(state.get("history", []))
        history.append({"at": new["updatedAt"], "phase": phase, "from": state["activeColor"],
                        "to": new["activeColor"], "tag": new.get("backendTag")})
        new["history"] = history[-50:]
        write_state(self.state_path, new)
        return new

    def run(self, state, steps, phase):
        switched = False
        for step in steps:
            kind = step[0]
            if kind == "frontend":
                self.frontend(step[1])
            elif kind == "start":
                self.start(step[1], step[2])
            elif kind == "switch":
                self.switch(step[1])
                switched = True
            elif kind == "watch":
                self.watch(step[1])
            elif kind == "stop":
                self.stop(step[1], switched)
            elif kind == "record":
                state = self.record(state, step[1], phase)
        return state
