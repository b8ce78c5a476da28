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

COLORS = ("blue", "green")
PHASES = ("prepare", "gateway", "finalize", "full", "cancel")
STATE_PHASES = ("idle", "prepared", "switched")


class BlueGreenError(Exception):
    """Refused: the message says why and what to do."""


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

    def __init__(self, backends, serving, gateway_target=None):
        self.backends = backends            # {"blue": {"running", "healthy", "tag"}, ...}
        self.serving = serving              # colour answering through the gateway, or None
        self.gateway_target = gateway_target  # colour the gateway config names, or None

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
         update_gateway=True):
    """Steps to carry out, in order; [] when the phase is already done.

    Steps: ("start", colour, tag) start/replace the backend of that colour and wait healthy;
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

    if phase == "prepare":
        if state["phase"] == "switched" and state["targetColor"] != target:
            raise BlueGreenError("the gateway already serves %s from an unfinished deploy: "
                                 "run phase=finalize or phase=cancel first" % state["targetColor"])
        if tag is None:
            raise BlueGreenError("a backend tag (be_tag) is required to prepare")
        steps = [] if observed.up(target, tag) else [("start", target, tag)]
        want = {"phase": "prepared" if not in_place else state["phase"],
                "targetColor": target if not in_place else state["targetColor"],
                "backendTag": tag}
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
        return []                      # that tag is already live
    steps = [] if observed.up(target, tag) else [("start", target, tag)]
    if not update_gateway:
        return steps + _record(state, {"phase": "prepared", "targetColor": target, "backendTag": tag})
    if observed.serving != target or observed.gateway_target != target:
        steps.append(("switch", target))
        steps.append(("watch", target))
    if observed.present(active) or steps:
        steps.append(("stop", active))
    want = {"activeColor": target, "phase": "idle", "targetColor": None, "backendTag": tag,
            "previousTag": state.get("backendTag")}
    return steps + _record(state, want)


def _record(state, want):
    changed = dict((k, v) for k, v in want.items() if state.get(k) != v)
    return [("record", changed)] if changed else []
