# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Blue-green deploys of seed 001: the state file, and the pure transition function that
turns (state file, what is really running and serving, phase, options) into a plan.

The executor (bluegreen_deploy) carries the plan out step by step; it never decides. The
plan is computed from what is observed, not only from the state file, so a run killed
half-way converges when it is run again.

deploy-state.json is the operator's: `activeColor` (the seed's), the tags the operator's
script records (`beTag`, `feTag`) and any other key are read and kept. We write the seed's
keys and a few of ours beside them (the seed's script ignores keys it does not know):

    {"activeColor": "blue", "beTag": "v1", "feTag": "v1",          <- the seed's
     "phase": "idle" | "prepared" | "switched", "targetColor": "green" | null,
     "targetTag": "v2", "previousTag": "v0", "updatedAt": "...",
     "history": [{"at", "phase", "from", "to", "tag"}]}           <- ours
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

COLORS = ("blue", "green")
SAFE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")     # Docker's tag grammar
SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")
PHASES = ("prepare", "gateway", "finalize", "full", "cancel")
STATE_PHASES = ("idle", "prepared", "switched")
GATEWAY_MODES = ("auto", "template", "include", "recreate")


class BlueGreenError(Exception):
    """Refused: the message says why and what to do."""


GATEWAY_SPEC = dict(
    url=dict(type="str", required=True),
    mode=dict(type="str", default="auto", choices=list(GATEWAY_MODES)),
    project=dict(type="str"),
    service=dict(type="str", default="nginx"),
    compose_file=dict(type="str", default="gateway/docker-compose.gateway.prod.yml"),
    compose_env_file=dict(type="str", default="gateway/.env.gateway.prod"),
    env_file=dict(type="str", default="gateway/nginx/.env.production"),
    hosts=dict(type="dict", options=dict(blue=dict(type="str", default="backend-blue"),
                                         green=dict(type="str", default="backend-green"))),
    upstream_file=dict(type="str", default="gateway/nginx/conf.d/upstream.conf"),
    color_header=dict(type="str"),
    color_field=dict(type="str"),
    confirm_requests=dict(type="int", default=5),
    confirm_timeout=dict(type="int", default=15),
)


def common_argument_spec():
    """Options of the deployment, shared by bluegreen_deploy and bluegreen_info
    (documented in the oncall.runbooks.bluegreen doc fragment)."""
    return dict(
        server_root=dict(type="path", required=True),
        project=dict(type="str"),
        compose_file=dict(type="str", default="application/docker-compose.application.prod.yml"),
        env_files=dict(type="list", elements="str",
                       default=[".env.server.prod", "application/.env.application.prod"]),
        compose=dict(type="str", default="auto", choices=["auto", "v1", "v2"]),
        backends=dict(type="dict", required=True, options=dict(blue=dict(type="str", required=True),
                                                               green=dict(type="str", required=True))),
        health_path=dict(type="str", default="/api/actuator/health"),
        gateway=dict(type="dict", required=True, options=GATEWAY_SPEC),
    )


def other(color):
    return "green" if color == "blue" else "blue"


def check_tag(name, value):
    if value is not None and not SAFE_TAG.match(value):
        raise BlueGreenError("%s %r is not an image tag (letters, digits, '_', '.', '-', at most 128, "
                             "not starting with '.' or '-')" % (name, value))


def check_state(data, path="deploy-state.json"):
    """Validate a parsed state file; return it with our keys filled in (every key kept)."""
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
    if "beTag" not in state and state.get("backendTag"):
        state["beTag"] = state["backendTag"]         # written by earlier versions of ours
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
    """What is really there: per colour (running, healthy, tag), the colour answering through
    the gateway, the colour its running config names, the frontend and the log volume."""

    def __init__(self, backends, serving, gateway_target=None, frontend_synced=True,
                 logs_volume_missing=None, configured=None):
        self.backends = backends            # {"blue": {"running", "healthy", "tag"}, ...}
        self.serving = serving              # colour answering through the gateway, or None
        self.gateway_target = gateway_target  # colour the gateway's running config names, or None
        self.frontend_synced = frontend_synced  # the frontend-dist volume holds FE_TAG's build
        self.logs_volume_missing = logs_volume_missing  # nginx-logs volume to create, or None
        self.configured = configured        # colour NGINX_BACKEND_HOST names in the env file, or None

    def gateway_on(self, color):
        """The gateway serves `color`, and neither its running config nor its env file names
        the other one (a run killed between reload and env file leaves them apart)."""
        return self.serving == color and self.gateway_target in (None, color) and self.configured in (None, color)

    def up(self, color, tag=None):
        b = self.backends.get(color) or {}
        return bool(b.get("running")) and bool(b.get("healthy")) and (tag is None or b.get("tag") == tag)

    def present(self, color):
        return bool((self.backends.get(color) or {}).get("running"))

    def tag(self, color):
        return (self.backends.get(color) or {}).get("tag")


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


def _live(state, tag, fe_tag=None):
    """Keys recording that `tag` (and `fe_tag`) went live: beTag, feTag, previousTag."""
    want = {"beTag": tag, "targetTag": None, "targetFeTag": None}
    if state.get("beTag") and state.get("beTag") != tag:
        want["previousTag"] = state["beTag"]
    if fe_tag:
        want["feTag"] = fe_tag
    return want


def plan(state, phase, observed, tag=None, override_color=None, force_color=None,
         update_gateway=True, fe_tag=None):
    """Steps to carry out, in order; [] when the phase is already done.

    Steps: ("logs", volume) create the nginx-logs volume the seed's prepare creates;
    ("frontend", fe_tag) copy that frontend build into the frontend-dist volume (the seed's
    prepare does it, so the gateway serves it at once); ("start", colour, tag) start/replace
    the backend of that colour and wait healthy; ("switch", colour) point the gateway at it
    and confirm; ("watch", colour) watch it after a switch; ("stop", colour) stop and remove
    that backend; ("record", dict) write these keys to the state file.
    """
    if phase not in PHASES:
        raise BlueGreenError("phase must be one of %s, got %r" % (", ".join(PHASES), phase))
    for name, value in (("override_color", override_color), ("force_color", force_color)):
        if value is not None and value not in COLORS:
            raise BlueGreenError("%s must be blue or green, got %r" % (name, value))
    check_tag("be_tag", tag)
    check_tag("fe_tag", fe_tag)
    if force_color and phase != "gateway":
        raise BlueGreenError("force_color applies to phase=gateway only")
    active = state["activeColor"]
    target = target_of(state, phase, override_color, force_color)
    in_place = target == active        # seed 3.1: new image on the current colour
    front = []
    if phase in ("prepare", "full") and observed.logs_volume_missing:
        front.append(("logs", observed.logs_volume_missing))
    if fe_tag and not observed.frontend_synced:
        front.append(("frontend", fe_tag))

    if phase == "prepare":
        if state["phase"] == "switched" and state["targetColor"] != target:
            raise BlueGreenError("the gateway already serves %s from an unfinished deploy: "
                                 "run phase=finalize or phase=cancel first" % state["targetColor"])
        if tag is None:
            raise BlueGreenError("a backend tag (be_tag) is required to prepare")
        steps = front + ([] if observed.up(target, tag) else [("start", target, tag)])
        if in_place:
            want = _live(state, tag, fe_tag)
        else:
            want = dict(phase="prepared", targetColor=target, targetTag=tag)
            if fe_tag:
                want["targetFeTag"] = fe_tag
        return steps + _record(state, want)

    if phase == "gateway":
        if not observed.up(target):
            raise BlueGreenError("refusing to switch the gateway to %s: its backend is not "
                                 "running and healthy" % target)
        steps = [] if observed.gateway_on(target) else [("switch", target)]
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
            want.update(_live(state, state.get("targetTag") or observed.tag(target),
                              state.get("targetFeTag")))
        return steps + _record(state, want)

    if phase == "cancel":
        # Put the gateway back on the active colour if it moved, then remove the other one.
        steps = []
        if observed.serving not in (None, active) or observed.gateway_target not in (None, active) \
                or observed.configured not in (None, active):
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
        want = {"beTag": tag}                           # that tag is already live
        if fe_tag:
            want["feTag"] = fe_tag
        return front + _record(state, want)
    steps = front + ([] if observed.up(target, tag) else [("start", target, tag)])
    if not update_gateway:
        want = dict(phase="prepared", targetColor=target, targetTag=tag)
        if fe_tag:
            want["targetFeTag"] = fe_tag
        return steps + _record(state, want)
    if not observed.gateway_on(target):
        steps.append(("switch", target))
        steps.append(("watch", target))
    if observed.present(active) or steps:
        steps.append(("stop", active))
    want = dict(_live(state, tag, fe_tag), activeColor=target, phase="idle", targetColor=None)
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
