# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""flyctl (Fly.io's CLI), shared by the flyctl_* modules: one runner and pure decisions.

Facts of flyctl v0.4.87 this is built on (shared/reference/flyctl.md):
- `--json` exists only on some commands (status, releases, scale show, machine list, secrets
  list, logs, checks list, image show, version); JSON goes to stdout, errors to stderr as
  `Error: <message>`, exit 1 (126 when a wait on health checks runs out).
- there is no `releases rollback`: a rollback is `deploy --image <ImageRef of an earlier
  release>`, which creates a new release; `deploy --build-only --image REF` only resolves the
  image, so it tells whether the registry still holds it.
- `scale count 0` destroys the machines of one process group (default `app`); scaling up
  again creates new machines with new IDs. `scale count` needs `--yes` without a TTY.
  `scale memory` restarts the machines even when the size is unchanged.
- `apps restart APP` takes the app positionally (no `-a`) and restarts only started machines.
- `secrets set/unset/import` redeploy every machine even when nothing changed, unless
  `--stage`; `secrets list --json` gives names and server-side digests (never values; the
  digest algorithm is not public, so a value cannot be compared with a digest).
- `logs --no-tail` keeps polling while the log buffer is empty: every call here is bounded.
- not-found and unauthorized texts differ per API family: they are matched loosely and quoted.

The token goes to flyctl as FLY_API_TOKEN in the environment, never on the command line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import json
import os
import re
import tempfile

from ansible_collections.oncall.runbooks.plugins.module_utils.cli_output import last_lines

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NOT_FOUND_RE = re.compile(r"Could not find App|app not found|could not be found|404 Not Found", re.I)
UNAUTHORIZED_RE = re.compile(r"no access token available|must be authenticated|unauthori[sz]ed|"
                             r"not authori[sz]ed|401|token (is )?(invalid|expired)", re.I)
IMAGE_MISSING_RE = re.compile(r'could not find image "([^"]*)"')
USAGE_RE = re.compile(r"unknown (command|flag|shorthand flag)|requires at least|accepts (at most )?\d+ arg")
STRATEGIES = ("canary", "rolling", "immediate", "bluegreen")
TIMEOUT_RC = 124     # what coreutils `timeout` returns when it had to stop the command
DEFAULT_STATE_DIR = "~/.local/state/oncall-runbooks/flyio"


class FlyctlError(Exception):
    """An error to report as the module's msg; `kind` says which (for callers and tests)."""

    def __init__(self, msg, kind="failed", **extras):
        Exception.__init__(self, msg)
        self.kind = kind
        self.extras = extras


# ---------------------------------------------------------------------------------------
# Output parsing (pure)
# ---------------------------------------------------------------------------------------

def strip_ansi(text):
    return ANSI_RE.sub("", text or "")


def parse_json(text, what="flyctl output"):
    """The one JSON document in `text` (flyctl --json prints nothing else on stdout)."""
    clean = strip_ansi(text).strip()
    if clean == "null":
        return None
    start = min([i for i in (clean.find("{"), clean.find("[")) if i >= 0] or [-1])
    if start < 0:
        raise FlyctlError("%s is not JSON: %s" % (what, last_lines(clean)), kind="parse")
    try:
        data, _end = json.JSONDecoder().raw_decode(clean[start:])
    except ValueError as exc:
        raise FlyctlError("%s is not JSON (%s): %s" % (what, exc, last_lines(clean)), kind="parse")
    return data


def parse_json_stream(text):
    """`logs --json`: pretty-printed objects one after another, not one per line."""
    clean = strip_ansi(text)
    decoder = json.JSONDecoder()
    out, pos = [], 0
    while True:
        start = clean.find("{", pos)
        if start < 0:
            return out
        try:
            obj, pos = decoder.raw_decode(clean, start)
        except ValueError:
            return out      # a cut-off last object (the call was stopped by its timeout)
        if isinstance(obj, dict):
            out.append(obj)


def error_text(stderr, stdout=""):
    """flyctl's own error message: from `Error: ` on, GraphQL query text left out."""
    text = strip_ansi(stderr or "").strip()
    idx = text.find("Error: ")
    if idx < 0:
        return last_lines(text or strip_ansi(stdout))
    message = text[idx + len("Error: "):].strip()
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) > 1:
        # `failed to run query (...) {...}: Could not find App "x"`: first and last line
        # say it all; the query in between is noise.
        message = "%s ... %s" % (lines[0], lines[-1]) if "failed to run" in lines[0] else " | ".join(lines)
    return message


def classify(argv, rc, stdout, stderr, app=None):
    """A FlyctlError for a failed call, with flyctl's own text quoted."""
    text = error_text(stderr, stdout)
    shown = "flyctl %s" % " ".join(argv)
    if rc == TIMEOUT_RC:
        return FlyctlError("%s did not finish in time and was stopped" % shown, kind="timeout")
    if UNAUTHORIZED_RE.search(text):
        return FlyctlError("flyctl is not authorized%s: %s. Give a valid token in api_token "
                           "(no_log) or FLY_API_TOKEN" % (" for app %s" % app if app else "", text),
                           kind="unauthorized", rc=rc)
    match = IMAGE_MISSING_RE.search(text)
    if match:
        return FlyctlError("image %s no longer exists in the registry: %s" % (match.group(1), text),
                           kind="image_missing", rc=rc)
    if NOT_FOUND_RE.search(text):
        return FlyctlError("app %s not found: %s" % (app, text) if app else text, kind="not_found", rc=rc)
    if USAGE_RE.search(text):
        return FlyctlError("%s was refused by flyctl (a flyctl version this module does not "
                           "know?): %s" % (shown, text), kind="usage", rc=rc)
    return FlyctlError("%s failed (rc %d): %s" % (shown, rc, text), kind="failed", rc=rc)


# ---------------------------------------------------------------------------------------
# Views of flyctl's JSON (pure): whitelisted fields only
# ---------------------------------------------------------------------------------------

def machine_view(m):
    config = m.get("config") or {}
    meta = config.get("metadata") or {}
    guest = config.get("guest") or {}
    ref = m.get("image_ref") or {}
    image = config.get("image") or ("%s/%s:%s" % (ref.get("registry"), ref.get("repository"), ref.get("tag"))
                                    if ref.get("repository") else None)
    return {
        "id": m.get("id"), "name": m.get("name"), "state": m.get("state"), "region": m.get("region"),
        "process_group": meta.get("fly_process_group") or "app",
        "release_version": int(meta["fly_release_version"]) if str(meta.get("fly_release_version", "")).isdigit() else None,
        "image": image, "memory_mb": guest.get("memory_mb"), "cpus": guest.get("cpus"),
        "cpu_kind": guest.get("cpu_kind"), "managed": meta.get("fly_platform_version") == "v2",
        "checks": [{"name": c.get("name"), "status": c.get("status"), "output": c.get("output")}
                   for c in m.get("checks") or []],
        "updated_at": m.get("updated_at"),
    }


def status_summary(status):
    """Daily-check view of `status --json`: app state, machine states, failing checks."""
    machines = [machine_view(m) for m in status.get("Machines") or []]
    failing = []
    for m in machines:
        for c in m["checks"]:
            if c["status"] != "passing":
                failing.append({"machine": m["id"], "name": c["name"], "status": c["status"], "output": c["output"]})
    states = {}
    for m in machines:
        states[m["state"]] = states.get(m["state"], 0) + 1
    return {
        "name": status.get("Name"), "status": status.get("Status"), "deployed": status.get("Deployed"),
        "version": status.get("Version"), "hostname": status.get("Hostname"),
        "machines": machines, "machine_states": states,
        "machines_total": len(machines), "machines_started": states.get("started", 0),
        "all_started": bool(machines) and states.get("started", 0) == len(machines),
        "failing_checks": failing,
        "checks_passing": bool(machines) and not failing and all(m["checks"] for m in machines if m["state"] == "started"),
    }


def release_view(r):
    return {"version": r.get("Version"), "status": r.get("Status"), "stable": r.get("Stable"),
            "image": r.get("ImageRef"), "description": r.get("Description"), "created_at": r.get("CreatedAt"),
            "user": (r.get("User") or {}).get("Email"), "id": r.get("ID")}


def secrets_view(rows):
    """`secrets list --json` of any flyctl version -> [{name, digest, status}]: never values."""
    out = []
    for r in rows or []:
        name = r.get("name", r.get("Name"))
        digest = r.get("digest", r.get("Digest"))
        out.append({"name": name, "digest": digest, "status": r.get("status", "Unknown")})
    return sorted(out, key=lambda s: s["name"])


def scale_view(rows):
    """`scale show --json` -> {group: {count, memory_mb, cpus, cpu_kind, regions}}."""
    return {r["Process"]: {"count": r.get("Count", 0), "memory_mb": r.get("Memory"), "cpus": r.get("CPUs"),
                           "cpu_kind": r.get("CPUKind"), "regions": dict(r.get("Regions") or {})}
            for r in rows or []}


def log_view(entries, error_re=None):
    """Log entries -> (lines, error lines). An error line: level error/fatal, or error_re."""
    lines, errors = [], []
    try:
        pattern = re.compile(error_re) if error_re else None
    except re.error as exc:
        raise FlyctlError("log_error_pattern %r is not a valid regular expression: %s" % (error_re, exc), kind="input")
    for e in entries:
        line = {"timestamp": e.get("timestamp"), "machine": e.get("instance"), "region": e.get("region"),
                "level": e.get("level"), "message": e.get("message")}
        lines.append(line)
        if (e.get("level") or "").lower() in ("error", "fatal") or (pattern and pattern.search(e.get("message") or "")):
            errors.append(line)
    return lines, errors


# ---------------------------------------------------------------------------------------
# Decisions (pure)
# ---------------------------------------------------------------------------------------

def parse_memory(value):
    """Memory as flyctl's `scale memory` takes it (2048, "2048", "2gb", "512MB") -> MB."""
    if isinstance(value, bool):
        raise FlyctlError("memory %r is not a size" % (value,), kind="input")
    if isinstance(value, int):
        mb = value
    else:
        m = re.match(r"^\s*(\d+)\s*(mb|gb|m|g|mib|gib)?\s*$", str(value), re.I)
        if not m:
            raise FlyctlError("memory %r is not a size: give MB (2048) or a size like 512mb or 2gb" % (value,),
                              kind="input")
        mb = int(m.group(1)) * (1024 if (m.group(2) or "m").lower().startswith("g") else 1)
    if mb < 256 or mb % 256:
        raise FlyctlError("memory %d MB is not valid: Fly machines take multiples of 256 MB" % mb, kind="input")
    return mb


def plan_scale(groups, group, count=None, memory_mb=None):
    """Calls that bring `group` to `count` machines and `memory_mb` MB; [] when already there.

    Count first: new machines copy the config of an existing machine of the group, so the
    memory change then covers them too. Each step is (verb, group, value).
    """
    if count is not None and count < 0:
        raise FlyctlError("count must be 0 or more, got %d" % count, kind="input")
    current = groups.get(group, {"count": 0, "memory_mb": None})
    plan = []
    if count is not None and count != current["count"]:
        plan.append(("count", group, count))
    final_count = count if count is not None else current["count"]
    if memory_mb is not None and current.get("memory_mb") != memory_mb:
        if final_count == 0:
            raise FlyctlError("cannot set memory of process group %s: it has no machines" % group, kind="input")
        if current["count"] == 0 or current.get("memory_mb") != memory_mb:
            plan.append(("memory", group, memory_mb))
    return plan


def stop_record(groups, previous=None, when=None):
    """What to save before an emergency stop: per group the count, regions and memory.

    When every group is already at 0 the previous record is kept (stopping twice must not
    forget what to restore).
    """
    live = {g: {"count": v["count"], "regions": dict(v["regions"]), "memory_mb": v["memory_mb"]}
            for g, v in groups.items() if v["count"] > 0}
    if not live:
        return previous
    return {"groups": live, "stopped_at": when}


def restore_plan(record, groups):
    """Calls that bring back exactly the recorded machines: per group and region a count
    (`scale count N -g G -r R`: N is the total of that region only), then the memory."""
    if not record or not record.get("groups"):
        raise FlyctlError("no record of the machines before an emergency stop: nothing to restore "
                          "(restore needs a stop made with flyctl_scale state=stopped)", kind="input")
    plan = []
    for group in sorted(record["groups"]):
        want = record["groups"][group]
        have = groups.get(group, {"count": 0, "regions": {}, "memory_mb": None})
        for region in sorted(want["regions"]):
            if have["regions"].get(region, 0) != want["regions"][region]:
                plan.append(("count", group, want["regions"][region], region))
        if want.get("memory_mb") and have.get("memory_mb") != want["memory_mb"]:
            plan.append(("memory", group, want["memory_mb"], None))
    return plan


def choose_rollback(releases, to_version=None, current_failing=True, bad_images=(), last_rollback=None):
    """Which release to roll back to, from `releases --json` (newest first).

    Returns (target release or None when nothing is to be done, reason). Raises FlyctlError
    when the rollback must be refused. Rules:
    - never onto the current release (that is the failing one), and never onto its image
      while it is failing;
    - `to_version`: that release (it must be listed and have a different image, or the
      current release already runs its image and is healthy: nothing to do);
    - otherwise the newest earlier release with status complete whose image differs from the
      current one and was not rolled back from before (`bad_images`);
    - when the current release is the one our last rollback created and it is not failing,
      the rollback is done already.
    """
    if not releases:
        raise FlyctlError("the app has no releases: nothing to roll back to", kind="refused")
    ordered = sorted(releases, key=lambda r: r["Version"], reverse=True)
    current = ordered[0]
    if to_version is not None:
        target = next((r for r in ordered if r["Version"] == to_version), None)
        if target is None:
            raise FlyctlError("release v%d is not among the %d most recent releases (v%d..v%d)"
                              % (to_version, len(ordered), ordered[-1]["Version"], current["Version"]),
                              kind="refused")
        if target["Version"] == current["Version"]:
            raise FlyctlError("refusing to roll back onto v%d: it is the current release - a rollback must "
                              "move away from the release running now (the failing one)" % to_version, kind="refused")
        if target["ImageRef"] == current["ImageRef"]:
            if current_failing:
                raise FlyctlError("refusing to roll back onto v%d: it has the image of the current release "
                                  "v%d, which is failing now (%s)" % (to_version, current["Version"],
                                                                      current["ImageRef"]), kind="refused")
            return None, "v%d already runs the image of v%d" % (current["Version"], to_version)
        return target, "release v%d, as asked" % to_version
    if last_rollback and last_rollback.get("created") == current["Version"] and not current_failing:
        return None, "v%d is the rollback made from v%s; it is healthy" % (current["Version"], last_rollback.get("from"))
    for r in ordered[1:]:
        if r.get("Status") != "complete":
            continue
        if r["ImageRef"] == current["ImageRef"] or r["ImageRef"] in bad_images:
            continue
        return r, "newest earlier complete release with another image"
    raise FlyctlError("no earlier release with status complete and an image other than the current one "
                      "(%s) among the last %d releases" % (current["ImageRef"], len(ordered)), kind="refused")


def fingerprint(value, salt):
    """A salted, slow hash of a secret value, kept to know later whether it changed."""
    return base64.b64encode(hashlib.pbkdf2_hmac("sha256", value.encode("utf-8"), salt.encode("ascii"),
                                                100000)).decode("ascii")


def plan_secrets(listed, wanted, absent, records, salt, force=False):
    """Which secrets to set and which to unset, without ever comparing values directly.

    `listed`: secrets_view() of `secrets list --json`; `wanted`: {name: value};
    `records`: {name: {digest, fingerprint}} kept after our last set. A wanted secret is
    skipped when flyctl still lists the digest we recorded (nobody changed it since) and the
    value's fingerprint is the recorded one. Returns (to_set, to_unset, reasons).
    """
    by_name = {s["name"]: s for s in listed}
    to_set, to_unset, reasons = [], [], {}
    for name in sorted(wanted):
        rec = records.get(name)
        if force:
            reason = "forced"
        elif name not in by_name:
            reason = "absent"
        elif not rec:
            reason = "present, but set outside this module: its value cannot be compared"
        elif rec.get("digest") != by_name[name]["digest"]:
            reason = "changed since it was last set here (digest %s, recorded %s)" % (by_name[name]["digest"], rec.get("digest"))
        elif not hmac.compare_digest(rec.get("fingerprint", ""), fingerprint(wanted[name], salt)):
            reason = "new value"
        else:
            reason = None
        if reason:
            to_set.append(name)
            reasons[name] = reason
    for name in sorted(set(absent)):
        if name in wanted:
            raise FlyctlError("secret %s is both to set and to remove" % name, kind="input")
        if name in by_name:
            to_unset.append(name)
            reasons[name] = "remove"
    return to_set, to_unset, reasons


def check_secret_name(name):
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name or ""):
        raise FlyctlError("secret name %r is not valid: letters, digits and _, not starting with a digit"
                          % (name,), kind="input")
    return name


# ---------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------

class Flyctl:
    """Runs flyctl as argument lists, bounded in time, the token only in the environment."""

    def __init__(self, module, app=None, binary=None, api_token=None, timeout=120):
        self.module = module
        self.app = app
        self.timeout = timeout
        self.binary = binary or module.get_bin_path("flyctl") or module.get_bin_path("fly")
        if not self.binary:
            raise FlyctlError("flyctl not found: neither flyctl nor fly is on PATH (%s); install flyctl on "
                              "this host or set flyctl_binary" % os.environ.get("PATH", ""), kind="missing_binary")
        if not (os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)):
            raise FlyctlError("flyctl_binary %s is not an executable file" % self.binary, kind="missing_binary")
        self.timeout_bin = module.get_bin_path("timeout")
        if not self.timeout_bin:
            module.warn("coreutils timeout is not on PATH: flyctl calls are not bounded in time "
                        "(logs --no-tail may wait for ever)")
        self.env = {"LC_ALL": "C", "NO_COLOR": "1", "FLY_NO_UPDATE_CHECK": "1", "FLY_NO_INCIDENTS_CHECK": "1",
                    "FLY_JSON": "", "FLY_APP": ""}
        if api_token:
            self.env["FLY_API_TOKEN"] = api_token
            self.env["FLY_ACCESS_TOKEN"] = ""   # the explicit option wins over the environment
        # A fly.toml in the working directory is parsed even with -a: run from a neutral one.
        self.cwd = getattr(module, "tmpdir", None) or tempfile.gettempdir()
        self.calls = []

    def argv(self, args):
        return [self.binary] + list(args)

    def run(self, args, data=None, timeout=None, env=None, check=True):
        """(rc, stdout, stderr) of `flyctl args...`; raises FlyctlError on failure when `check`."""
        limit = timeout or self.timeout
        cmd = self.argv(args)
        if self.timeout_bin:
            cmd = [self.timeout_bin, "--kill-after=5", str(int(limit))] + cmd
        environ = dict(self.env)
        environ.update(env or {})
        self.calls.append(list(args))
        rc, out, err = self.module.run_command(cmd, data=data, environ_update=environ, cwd=self.cwd,
                                               expand_user_and_vars=False)
        if check and rc != 0:
            raise classify(args, rc, out, err, self.app)
        return rc, out, err

    def json(self, args, timeout=None):
        _rc, out, _err = self.run(list(args) + ["--json"], timeout=timeout)
        return parse_json(out, "flyctl %s --json" % " ".join(args))

    # -- reads --------------------------------------------------------------------------

    def status(self):
        return self.json(["status", "-a", self.app])

    def releases(self):
        return self.json(["releases", "-a", self.app, "--image"])

    def scale(self):
        return scale_view(self.json(["scale", "show", "-a", self.app]))

    def machines(self):
        return self.json(["machine", "list", "-a", self.app])

    def checks(self):
        return self.json(["checks", "list", "-a", self.app])

    def secrets(self):
        return secrets_view(self.json(["secrets", "list", "-a", self.app]))

    def image(self):
        return self.json(["image", "show", "-a", self.app])

    def logs(self, timeout=20, machine=None, region=None):
        """(entries, timed_out). `logs --no-tail` polls until it has something: bounded here."""
        args = ["logs", "-a", self.app, "--no-tail", "--json"]
        if machine:
            args += ["--machine", machine]
        if region:
            args += ["--region", region]
        # FLY_REGION would silently filter the logs to one region.
        rc, out, err = self.run(args, timeout=timeout, env={"FLY_REGION": ""}, check=False)
        if rc == TIMEOUT_RC or (rc in (-9, 137, -15, 143) and not out.strip()):
            return parse_json_stream(out), True
        if rc != 0:
            raise classify(args, rc, out, err, self.app)
        return parse_json_stream(out), False

    def image_exists(self, image):
        """True when the registry still holds `image` (`deploy --build-only`: deploys nothing)."""
        rc, out, err = self.run(["deploy", "-a", self.app, "--image", image, "--build-only"], check=False)
        if rc == 0:
            return True
        exc = classify(["deploy"], rc, out, err, self.app)
        if exc.kind == "image_missing":
            return False
        raise exc


# ---------------------------------------------------------------------------------------
# State kept beside flyctl (stop records, rollbacks, secret fingerprints)
# ---------------------------------------------------------------------------------------

def state_path(state_dir, app, what):
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", app or ""):
        raise FlyctlError("app name %r is not a Fly app name (lower-case letters, digits and -)" % (app,), kind="input")
    return os.path.join(os.path.expanduser(state_dir or DEFAULT_STATE_DIR), "%s.%s.json" % (app, what))


def ensure_dir(path):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)


def new_salt():
    return base64.b16encode(os.urandom(16)).decode("ascii").lower()


def common_argument_spec():
    """Options of the oncall.runbooks.flyctl doc fragment."""
    return dict(
        app=dict(type="str", required=True),
        api_token=dict(type="str", no_log=True),
        flyctl_binary=dict(type="path"),
        timeout=dict(type="int", default=120),
    )


def runner(module):
    p = module.params
    if p["timeout"] < 1:
        raise FlyctlError("timeout must be at least 1 second", kind="input")
    state_path(None, p["app"], "check")
    return Flyctl(module, app=p["app"], binary=p["flyctl_binary"], api_token=p["api_token"],
                  timeout=p["timeout"])


def fail(module, exc, **result):
    """fail_json from a FlyctlError, with its kind (e.g. not_found, unauthorized)."""
    result.update(exc.extras)
    module.fail_json(msg=str(exc), error_kind=exc.kind, **result)
