#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: flyctl_deploy
short_description: Deploy an image to a Fly.io app, or roll it back to an earlier release's image
version_added: "0.1.0"
description:
  - O(state=deployed) deploys O(image) with C(flyctl deploy -a APP --image IMAGE --yes
    [--strategy S]) - for a hotfix, O(strategy=immediate). Nothing is called when the current
    release already runs O(image) and is complete, unless O(force=true) (a forced redeploy; with
    O(force) and no O(image), the current release's image is deployed again).
  - O(state=rolled_back) rolls back. flyctl has B(no) C(releases rollback) command (it fails
    with C(unknown command "rollback" for "flyctl releases")); a rollback is a deploy of an
    earlier release's image, which creates a new release. The image is read from
    C(flyctl releases --json --image) - of release O(to_version), or of the newest earlier
    release with status C(complete) and an image other than the current one.
  - Before deploying anything, the module checks that the registry still holds the image
    (C(deploy --build-only --image), which deploys nothing). A missing image that an earlier
    release ran was pruned by the registry; one that no listed release ran was never pushed, or
    is mistyped - the message says which. It also
    refuses to roll "back" onto the current release - the one failing now - or onto its image
    while it is failing.
  - After the deploy, every machine must be started with passing checks, and O(health) (when
    given) must answer healthy. Rollbacks made are recorded in O(state_dir), so that the image
    rolled back from is not chosen again and a second run changes nothing.
  - The deploy uses the app's current remote configuration (or a C(fly.toml) in the working
    directory, which the module never has); the old configuration is not restored, and data
    and migrations are not rolled back.
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - oncall.runbooks.flyctl
  - oncall.runbooks.flyctl.state
attributes:
  check_mode:
    support: full
    details:
      - Reads the releases and status and checks that the image exists (C(deploy --build-only)
        deploys nothing); deploys nothing and writes no record.
  diff_mode:
    support: full
    details:
      - The current release version and image, before and after.
  platform:
    platforms: posix
options:
  state:
    description:
      - V(deployed) - O(image) is deployed.
      - V(rolled_back) - an earlier release's image is deployed (O(to_version), or the previous good one).
    type: str
    choices: [deployed, rolled_back]
    default: deployed
  image:
    description: Image reference to deploy, for example C(registry.fly.io/freshchat-bridge:deployment-01J...).
    type: str
  to_version:
    description: With O(state=rolled_back), the release number to roll back to (its image is deployed).
    type: int
  strategy:
    description: Deployment strategy. Default - the app's (rolling unless its fly.toml says otherwise).
    type: str
    choices: [canary, rolling, immediate, bluegreen]
  force:
    description: With O(state=deployed), deploy even when the image is already deployed.
    type: bool
    default: false
  wait_timeout:
    description: Seconds flyctl waits for each machine to start and pass its checks (C(--wait-timeout)).
    type: int
    default: 300
  health:
    description: HTTP probe that must pass after the deploy (run from the host the task runs on).
    type: dict
    suboptions:
      url:
        description: URL to probe, for example C(https://freshchat-bridge.fly.dev/).
        type: str
        required: true
      status_codes:
        description: Healthy status codes.
        type: list
        elements: int
        default: [200]
      json_checks:
        description: JSON assertions, as in M(oncall.runbooks.http_check).
        type: list
        elements: str
        default: []
      timeout:
        description: Seconds per request.
        type: float
        default: 10
      consecutive:
        description: Healthy answers in a row needed.
        type: int
        default: 2
      retries:
        description: Probes after the first before giving up.
        type: int
        default: 20
      delay:
        description: Seconds between probes.
        type: float
        default: 2
seealso:
  - module: oncall.runbooks.flyctl_info
  - module: oncall.runbooks.http_check
"""

EXAMPLES = r"""
- name: Hotfix - deploy an image at once, on every machine
  oncall.runbooks.flyctl_deploy:
    app: freshchat-bridge
    image: registry.fly.io/freshchat-bridge:deployment-01J6M2Q8ZK3V4T5R6Y7U8I9O0P
    strategy: immediate

- name: Roll back to the previous good release, then check GET / answers 200
  oncall.runbooks.flyctl_deploy:
    app: freshchat-bridge
    state: rolled_back
    health:
      url: https://freshchat-bridge.fly.dev/

- name: Roll back to release 40
  oncall.runbooks.flyctl_deploy:
    app: freshchat-bridge
    state: rolled_back
    to_version: 40
"""

RETURN = r"""
action:
  description: none, deployed or rolled_back.
  returned: always
  type: str
reason:
  description: Why this target (or why nothing was done).
  returned: always
  type: str
  sample: newest earlier complete release with another image
previous:
  description: The release current before the task - version, status, image.
  returned: always
  type: dict
target:
  description: The release whose image is deployed (for a rollback), or null.
  returned: always
  type: dict
release:
  description: The current release after the task - a new version for every deploy or rollback.
  returned: always
  type: dict
image:
  description: The image deployed (or that would be).
  returned: always
  type: str
summary:
  description: Status after the deploy, as flyctl_info's RV(oncall.runbooks.flyctl_info#module:summary).
  returned: when something was deployed
  type: dict
health:
  description: Verdict of the last health probe (healthy, status, reason, attempts); null when not probed.
  returned: always
  type: dict
calls:
  description: The flyctl command lines run.
  returned: always
  type: list
  elements: list
error_kind:
  description: On failure, which case it was (image_missing, refused, not_found, unauthorized, failed...).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils.flyctl import (
    FlyctlError,
    STRATEGIES,
    choose_rollback,
    common_argument_spec,
    ensure_dir,
    fail,
    image_missing_reason,
    release_view,
    runner,
    state_path,
    status_summary,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    Probe,
    ProbeError,
    run_probes,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    now_iso,
    read_state,
    write_state,
)


def failing(release, summary):
    return release.get("Status") != "complete" or not summary["all_started"] or not summary["checks_passing"]


def probe(p):
    h = p["health"]
    if not h:
        return True, None
    pr = Probe(h["url"], status_codes=h["status_codes"], json_checks=h["json_checks"], timeout=h["timeout"])
    result, history = run_probes(pr.once, retries=h["retries"], delay=h["delay"], until_healthy=True,
                                 consecutive=h["consecutive"])
    return result["healthy"], {"healthy": result["healthy"], "status": result["status"],
                               "reason": result["reason"], "attempts": len(history)}


def run(module, fly):
    p = module.params
    path = state_path(p["state_dir"], p["app"], "rollbacks")
    record = read_state(path, default={"rollbacks": [], "bad_images": []})
    releases = fly.releases() or []
    current = releases[0] if releases else None
    before = status_summary(fly.status())
    result = dict(changed=False, action="none", previous=release_view(current) if current else None,
                  target=None, release=release_view(current) if current else None, image=None, health=None)

    if p["state"] == "rolled_back":
        last = record["rollbacks"][-1] if record["rollbacks"] else None
        target, reason = choose_rollback(releases, p["to_version"], current_failing=failing(current or {}, before),
                                         bad_images=record.get("bad_images", []), last_rollback=last)
        result["reason"] = reason
        if target is None:
            return result, None
        image = target["ImageRef"]
        result["target"] = release_view(target)
    else:
        image = p["image"] or (current["ImageRef"] if p["force"] and current else None)
        if not image:
            raise FlyctlError("state=deployed needs image (or force=true to redeploy the current image)", kind="input")
        if current and image == current["ImageRef"] and current["Status"] == "complete" and not p["force"] \
                and not failing(current, before):
            result["reason"] = "v%d already runs %s" % (current["Version"], image)
            return result, None
        result["reason"] = "forced redeploy" if p["force"] else "new image"
    result["image"] = image

    if not fly.image_exists(image):
        version = result["target"]["version"] if result["target"] else None
        hint = "; choose another release with to_version" if result["target"] else ""
        raise FlyctlError("%s; nothing was deployed%s" % (image_missing_reason(image, releases, version), hint),
                          kind="image_missing")
    result["changed"] = True
    result["action"] = p["state"]
    if module.check_mode:
        return result, None

    args = ["deploy", "-a", p["app"], "--image", image, "--yes", "--wait-timeout", "%ds" % p["wait_timeout"]]
    if p["strategy"]:
        args += ["--strategy", p["strategy"]]
    deploy_error = None
    try:
        fly.run(args)
    except FlyctlError as exc:
        deploy_error = exc
    after_releases = fly.releases() or []
    new = after_releases[0] if after_releases else None
    result["release"] = release_view(new) if new else None
    if p["state"] == "rolled_back" and new is not None and current is not None and new["Version"] != current["Version"]:
        record["rollbacks"].append({"from": current["Version"], "to": result["target"]["version"], "image": image,
                                    "created": new["Version"], "at": now_iso(), "ok": deploy_error is None})
        del record["rollbacks"][:-20]
        # Success: the image rolled back from is bad. Failure: the image rolled back to is.
        bad = current["ImageRef"] if deploy_error is None else image
        if bad not in record["bad_images"] and (deploy_error is not None or bad != image):
            record["bad_images"].append(bad)
        ensure_dir(path)
        write_state(path, record, mode=0o600)
    if deploy_error is not None:
        raise FlyctlError("deploy of %s failed: %s" % (image, deploy_error), kind=deploy_error.kind,
                          release=result["release"])
    summary = status_summary(fly.status())
    summary.pop("machines")
    result["summary"] = summary
    problems = []
    if not summary["all_started"]:
        problems.append("machines not all started: %s" % summary["machine_states"])
    if summary["failing_checks"]:
        checks = ["%s on %s (%s)" % (c["name"], c["machine"], c["status"]) for c in summary["failing_checks"]]
        problems.append("failing checks: %s" % ", ".join(checks))
    healthy, verdict = probe(p)
    result["health"] = verdict
    if not healthy:
        problems.append("health: %s" % verdict["reason"])
    return result, "; ".join(problems) or None


def main():
    health_spec = dict(
        url=dict(type="str", required=True),
        status_codes=dict(type="list", elements="int", default=[200]),
        json_checks=dict(type="list", elements="str", default=[]),
        timeout=dict(type="float", default=10),
        consecutive=dict(type="int", default=2),
        retries=dict(type="int", default=20),
        delay=dict(type="float", default=2),
    )
    spec = common_argument_spec()
    spec.update(
        state=dict(type="str", default="deployed", choices=["deployed", "rolled_back"]),
        image=dict(type="str"),
        to_version=dict(type="int"),
        strategy=dict(type="str", choices=list(STRATEGIES)),
        force=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
        health=dict(type="dict", options=health_spec),
        state_dir=dict(type="path", default="~/.local/state/oncall-runbooks/flyio"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[("image", "to_version")])
    fly = None
    try:
        fly = runner(module)
        if module.params["to_version"] is not None and module.params["state"] != "rolled_back":
            raise FlyctlError("to_version needs state=rolled_back", kind="input")
        if module.params["image"] and module.params["state"] == "rolled_back":
            raise FlyctlError("state=rolled_back takes its image from the releases; use state=deployed to deploy an "
                              "image", kind="input")
        result, problem = run(module, fly)
    except (StateFileError, ProbeError) as exc:
        fail(module, FlyctlError(str(exc), kind="input"), calls=fly.calls if fly else [])
    except FlyctlError as exc:
        fail(module, exc, calls=fly.calls if fly else [])
    if module._diff:
        prev, rel = result["previous"] or {}, result["release"] or {}
        result["diff"] = {"before": {"version": prev.get("version"), "image": prev.get("image")},
                          "after": {"version": rel.get("version") if not module.check_mode or not result["changed"]
                                    else (prev.get("version") or 0) + 1,
                                    "image": result["image"] or prev.get("image")}}
    if problem:
        module.fail_json(msg="%s %s, but it is not healthy: %s" % (
            "rolled back to the image of v%s" % result["target"]["version"] if result["target"] else "deployed",
            result["image"], problem), error_kind="unhealthy", calls=fly.calls, **result)
    module.exit_json(calls=fly.calls, **result)


if __name__ == "__main__":
    main()
