# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import (
    BlueGreenError,
    Observed,
    check_state,
    initial_state,
    plan,
)


def seen(blue=None, green=None, serving="blue", gateway=None):
    """blue/green: None (absent) or a tag (running and healthy); 'sick:<tag>' runs unhealthy."""
    backends = {}
    for color, tag in (("blue", blue), ("green", green)):
        if tag is not None:
            sick = tag.startswith("sick:")
            backends[color] = {"running": True, "healthy": not sick, "tag": tag.split(":")[-1]}
    return Observed(backends, serving, gateway if gateway is not None else serving)


def state(active="blue", phase="idle", target=None, tag="v1"):
    s = initial_state(active)
    s.update(phase=phase, targetColor=target, beTag=tag)
    return s


def kinds(steps):
    return [s[0] if s[0] != "record" else ("record", tuple(sorted(s[1]))) for s in steps]


# --- full -----------------------------------------------------------------------------------

@pytest.mark.parametrize("st, obs, tag, expected", [
    # fresh deploy of v2 to green while blue serves v1
    (state(), seen(blue="v1"), "v2",
     ["start", "switch", "watch", "stop",
      ("record", ("activeColor", "beTag", "previousTag"))]),
    # green already started with v2 (a prepare ran, or a crash after start)
    (state(), seen(blue="v1", green="v2"), "v2",
     ["switch", "watch", "stop", ("record", ("activeColor", "beTag", "previousTag"))]),
    # crash after the switch, before finalize: gateway on green, blue still up
    (state(phase="switched", target="green"), seen(blue="v1", green="v2", serving="green"), "v2",
     ["stop", ("record", ("activeColor", "beTag", "phase", "previousTag", "targetColor"))]),
    # crash after stopping blue, before the state file was written: only the record is left
    (state(), seen(green="v2", serving="green"), "v2",
     [("record", ("activeColor", "beTag", "previousTag"))]),
    # done: v2 live on green, nothing else running -> no change
    (state(active="green", tag="v2"), seen(green="v2", serving="green"), "v2", []),
    # green runs an old tag: replaced
    (state(), seen(blue="v1", green="v0"), "v2",
     ["start", "switch", "watch", "stop", ("record", ("activeColor", "beTag", "previousTag"))]),
])
def test_full(st, obs, tag, expected):
    assert kinds(plan(st, "full", obs, tag=tag)) == expected


def test_full_without_gateway_update_only_prepares():
    steps = plan(state(), "full", seen(blue="v1"), tag="v2", update_gateway=False)
    assert steps == [("start", "green", "v2"),
                     ("record", {"phase": "prepared", "targetColor": "green", "targetTag": "v2"})]


@pytest.mark.parametrize("st, kwargs, fragment", [
    (state(), {}, "a backend tag (be_tag) is required"),
    (state(), {"tag": "v2", "override_color": "blue"}, "phase=full deploys to the idle colour"),
    (state(phase="switched", target="blue", active="green"), {"tag": "v2", "override_color": "green"},
     "an unfinished deploy left the gateway on blue: run phase=finalize or phase=cancel first"),
    (state(), {"tag": "v2", "override_color": "red"}, "override_color must be blue or green"),
    (state(), {"tag": "v2", "force_color": "green"}, "force_color applies to phase=gateway only"),
])
def test_full_refusals(st, kwargs, fragment):
    with pytest.raises(BlueGreenError) as err:
        plan(st, "full", seen(blue="v1"), **kwargs)
    assert fragment in str(err.value)


# --- the phases one by one ------------------------------------------------------------------

def test_prepare_starts_idle_colour_and_records_it():
    assert plan(state(), "prepare", seen(blue="v1"), tag="v2") == [
        ("start", "green", "v2"),
        ("record", {"phase": "prepared", "targetColor": "green", "targetTag": "v2"})]


def test_prepare_twice_changes_nothing():
    st = state(phase="prepared", target="green")
    st["targetTag"] = "v2"
    assert plan(st, "prepare", seen(blue="v1", green="v2"), tag="v2") == []


def test_prepare_in_place_on_active_colour_for_image_rollback():
    # seed 3.1: prepare --override-color <current> with the earlier tag
    assert plan(state(tag="v2"), "prepare", seen(blue="v2"), tag="v1", override_color="blue") == [
        ("start", "blue", "v1"), ("record", {"beTag": "v1", "previousTag": "v2"})]


def test_prepare_refused_while_gateway_on_other_unfinished_colour():
    st = state(active="blue", phase="switched", target="green")
    with pytest.raises(BlueGreenError, match="run phase=finalize or phase=cancel first"):
        plan(st, "prepare", seen(blue="v1", green="v2", serving="green"), tag="v3", override_color="blue")


def test_gateway_switches_to_prepared_colour():
    st = state(phase="prepared", target="green")
    assert plan(st, "gateway", seen(blue="v1", green="v2")) == [
        ("switch", "green"), ("record", {"phase": "switched"})]


def test_gateway_refuses_unhealthy_colour():
    st = state(phase="prepared", target="green")
    with pytest.raises(BlueGreenError, match="green: its backend is not running and healthy"):
        plan(st, "gateway", seen(blue="v1", green="sick:v2"))


def test_gateway_force_color_back_to_previous():
    # seed 3.2: --force-color <previous>
    st = state(active="blue", phase="switched", target="green")
    steps = plan(st, "gateway", seen(blue="v1", green="v2", serving="green"), force_color="blue")
    assert steps == [("switch", "blue"), ("record", {"phase": "idle", "targetColor": None})]


def test_gateway_already_there():
    st = state(phase="switched", target="green")
    assert plan(st, "gateway", seen(blue="v1", green="v2", serving="green")) == []


def test_finalize_stops_old_colour():
    # v1 live on blue, v2 prepared on green and switched to: v2 becomes the live tag
    st = state(phase="switched", target="green", tag="v1")
    st["targetTag"] = "v2"
    assert plan(st, "finalize", seen(blue="v1", green="v2", serving="green")) == [
        ("stop", "blue"),
        ("record", {"activeColor": "green", "phase": "idle", "targetColor": None, "beTag": "v2",
                    "targetTag": None, "previousTag": "v1"})]


def test_finalize_without_our_keys_takes_the_tag_green_runs():
    # the operator's own script prepared green and switched: deploy-state.json has no targetTag
    st = check_state({"activeColor": "blue", "beTag": "v1", "feTag": "v1", "deployedBy": "jihoon"})
    st.update(phase="switched", targetColor="green")
    steps = plan(st, "finalize", seen(blue="v1", green="v2", serving="green"))
    assert steps[-1] == ("record", {"activeColor": "green", "phase": "idle", "targetColor": None,
                                    "beTag": "v2", "previousTag": "v1"})


def test_a_run_killed_between_reload_and_env_file_switches_again():
    # blue serves and its running config names it, but NGINX_BACKEND_HOST still says green:
    # a later `up -d` would bring green back, so the switch is done again (it writes the file)
    obs = seen(blue="v1", green="v2", serving="blue", gateway="blue")
    obs.configured = "green"
    st = state(active="green", phase="idle", tag="v2")
    assert kinds(plan(st, "full", obs, tag="v1"))[:3] == ["switch", "watch", "stop"]
    assert kinds(plan(dict(st, phase="switched", targetColor="blue"), "gateway", obs))[0] == "switch"
    obs.configured = "blue"
    assert kinds(plan(st, "full", obs, tag="v1"))[0] == "stop"


def test_operator_keys_are_kept_and_legacy_backend_tag_read():
    st = check_state({"activeColor": "green", "backendTag": "v3", "deployedBy": "jihoon"})
    assert st["beTag"] == "v3" and st["deployedBy"] == "jihoon"


@pytest.mark.parametrize("tag", ["../x", "v1;rm -rf /", "-v1", ".hidden", "a" * 129, "v 1", ""])
def test_bad_tags_are_refused_before_anything(tag):
    with pytest.raises(BlueGreenError, match="is not an image tag"):
        plan(state(), "full", seen(blue="v1"), tag=tag)


def test_finalize_refuses_when_gateway_was_not_switched():
    st = state(phase="prepared", target="green")
    with pytest.raises(BlueGreenError, match="would take the site down"):
        plan(st, "finalize", seen(blue="v1", green="v2", serving="blue"))


def test_finalize_in_place_only_records():
    st = state(tag="v1")
    assert plan(st, "finalize", seen(blue="v1"), override_color="blue") == []


def test_cancel_after_prepare_removes_new_colour():
    st = state(phase="prepared", target="green")
    assert plan(st, "cancel", seen(blue="v1", green="v2")) == [
        ("stop", "green"), ("record", {"phase": "idle", "targetColor": None})]


def test_cancel_after_switch_switches_back_first():
    st = state(phase="switched", target="green")
    assert kinds(plan(st, "cancel", seen(blue="v1", green="v2", serving="green"))) == [
        "switch", "stop", ("record", ("phase", "targetColor"))]


def test_cancel_refused_when_active_colour_is_gone():
    st = state(phase="switched", target="green")
    with pytest.raises(BlueGreenError, match="is not running and healthy"):
        plan(st, "cancel", seen(green="v2", serving="green"))


def test_cancel_with_nothing_to_cancel():
    assert plan(state(), "cancel", seen(blue="v1")) == []


def test_unknown_phase():
    with pytest.raises(BlueGreenError, match="phase must be one of"):
        plan(state(), "deploy", seen(blue="v1"))


# --- the state file -------------------------------------------------------------------------

def test_seed_state_file_is_adopted():
    assert check_state({"activeColor": "green"}) == {
        "activeColor": "green", "phase": "idle", "targetColor": None, "history": []}


@pytest.mark.parametrize("data, fragment", [
    ([], "must hold a JSON object"),
    ({}, "activeColor is None, expected blue or green"),
    ({"activeColor": "purple"}, "activeColor is 'purple'"),
    ({"activeColor": "blue", "phase": "halfway"}, "phase is 'halfway'"),
    ({"activeColor": "blue", "targetColor": "red"}, "targetColor is 'red'"),
    ({"activeColor": "blue", "history": {}}, "history must be a list"),
])
def test_state_schema(data, fragment):
    with pytest.raises(BlueGreenError) as err:
        check_state(data)
    assert fragment in str(err.value)


# --- the frontend-dist volume ---------------------------------------------------------------

def with_front(obs, synced):
    obs.frontend_synced = synced
    return obs


def test_prepare_syncs_a_new_frontend_build_first():
    steps = plan(state(), "prepare", with_front(seen(blue="v1"), False), tag="v2", fe_tag="f2")
    assert kinds(steps) == ["frontend", "start",
                            ("record", ("phase", "targetColor", "targetFeTag", "targetTag"))]
    assert steps[0] == ("frontend", "f2")


def test_frontend_already_there_is_not_copied_again():
    st = state(phase="prepared", target="green")
    st.update(targetTag="v2", targetFeTag="f2")
    assert plan(st, "prepare", with_front(seen(blue="v1", green="v2"), True), tag="v2", fe_tag="f2") == []


def test_full_with_only_a_new_frontend():
    st = state(active="green", tag="v2")
    steps = plan(st, "full", with_front(seen(green="v2", serving="green"), False), tag="v2", fe_tag="f2")
    assert steps == [("frontend", "f2"), ("record", {"feTag": "f2"})]
