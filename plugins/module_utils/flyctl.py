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
- `logs --no-tail` exits after printing the first non-empty batch and keeps polling for ever
  while the buffer is empty (logs/polling.go, Poll): it is read as a stream here, bounded, and
  stopped as soon as a batch has arrived.
- `secrets import` reads NAME=VALUE lines through its own parser
  (internal/command/secrets/parser.go): an unquoted `#` starts a comment, one pair of quotes is
  stripped, three double quotes open a multi-line value; `secrets set NAME=-` trims the value
  (helpers/stdin.go). Values are encoded for that parser here and checked by parsing them back.
- app output is logged at level `info` whatever it says: a Redis error is found by its text.
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
import select
import signal
import subprocess
import tempfile
import time

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
        # flyctl's own text may end with a full stop ("...to view this."): one stop only.
        return FlyctlError("flyctl is not authorized%s: %s. Give a valid token in api_token "
                           "(no_log) or FLY_API_TOKEN" % (" for app %s" % app if app else "", text.rstrip(". ")),
                           kind="unauthorized", rc=rc)
    match = IMAGE_MISSING_RE.search(text)
    if match:
        # Whether it was pruned or never existed is for the caller to say (image_missing_reason).
        return FlyctlError("image %s is not in the registry: %s" % (match.group(1), text),
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
    """Daily-check view of `status --json`: app state, machine states, failing checks.

    Only the checks of started machines count: the Machines API keeps the last check results
    of a stopped machine, so a stopped machine may still show a stale `passing` check. Those
    are listed in `stale_checks` and never make the checks pass.
    """
    machines = [machine_view(m) for m in status.get("Machines") or []]
    started = [m for m in machines if m["state"] == "started"]
    failing, stale = [], []
    for m in machines:
        for c in m["checks"]:
            row = {"machine": m["id"], "name": c["name"], "status": c["status"], "output": c["output"]}
            if m["state"] != "started":
                stale.append(dict(row, state=m["state"]))
            elif c["status"] != "passing":
                failing.append(row)
    states = {}
    for m in machines:
        states[m["state"]] = states.get(m["state"], 0) + 1
    passing = [m["id"] for m in started if m["checks"] and all(c["status"] == "passing" for c in m["checks"])]
    return {
        "name": status.get("Name"), "status": status.get("Status"), "deployed": status.get("Deployed"),
        "version": status.get("Version"), "hostname": status.get("Hostname"),
        "machines": machines, "machine_states": states,
        "machines_total": len(machines), "machines_started": len(started),
        "all_started": bool(machines) and len(started) == len(machines),
        "failing_checks": failing, "stale_checks": stale,
        "machines_passing": passing,
        "checks_passing": bool(started) and len(passing) == len(started),
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
    """Log entries -> (lines, error lines). An error line: level error/fatal, or error_re.

    Fly logs whatever the app prints at level `info`, so the pattern is what finds an app's
    errors; the level only catches the platform's own.
    """
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


def logs_outcome(how, rc, count, timeout):
    """What one bounded `logs --no-tail` read amounts to (pure; the truth table is unit-tested).

    `how`: "exited" (flyctl ended by itself), "batch" (we stopped it once a batch had arrived
    and its output went quiet) or "deadline" (we stopped it after `timeout` seconds); `rc`:
    its exit code; `count`: complete log entries read. Returns {read, timed_out, note}, or
    None when the exit code is flyctl's error (the caller raises classify()).
    Lines read are never reported as a time-out, and no lines are never reported as read.
    """
    if how == "exited" and rc != 0:
        return None
    if count:
        note = "%d line%s read" % (count, "" if count == 1 else "s")
        if how == "deadline":
            note += " (flyctl was still printing after %ds and was stopped)" % timeout
        return {"read": count, "timed_out": False, "note": note}
    if how == "exited":
        return {"read": 0, "timed_out": False, "note": "0 lines read (flyctl returned an empty batch)"}
    return {"read": 0, "timed_out": True,
            "note": "no log lines within %ds (flyctl keeps polling while the buffer is empty)" % timeout}


def _when(line):
    """Sort key of a log timestamp: RFC 3339, fraction optional (flyctl prints up to 9 digits)."""
    ts = line.get("timestamp") or ""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?", ts)
    if not m:
        return ("", "")
    return (m.group(1), (m.group(2) or "").ljust(9, "0"))


REDIS_ERROR_PATTERN = r"(?i)\b(error|err|fail(ed|ure)?|refused|econn\w*|etimedout|timed? ?out|disconnect(ed)?|closed|lost|down)\b"


def redis_verdicts(lines, machines=(), tag="[Redis]", connected_text="[Redis] Connected",
                   error_pattern=REDIS_ERROR_PATTERN):
    """Per machine, what its NEWEST Redis line says (pure; the truth table is unit-tested).

    `lines`: log_view() lines (any order, any level - Fly logs app output at `info`).
    A Redis line holds `tag` or `connected_text`. The newest one (by timestamp, then by the
    order read) decides: `connected` when it holds `connected_text`, `error` when it matches
    `error_pattern`, otherwise `unknown`; a machine with no Redis line is `unknown` too.
    `machines`: ids to report even without any line. Returns {id: {state, timestamp, message}}.
    """
    try:
        bad = re.compile(error_pattern)
    except re.error as exc:
        raise FlyctlError("redis error pattern %r is not a valid regular expression: %s" % (error_pattern, exc),
                          kind="input")
    newest = {}
    for index, line in enumerate(lines):
        message = line.get("message") or ""
        if tag not in message and connected_text not in message:
            continue
        key = (_when(line), index)
        machine = line.get("machine") or ""
        if machine not in newest or key >= newest[machine][0]:
            newest[machine] = (key, line)
    out = {}
    for machine in machines:
        out[machine] = {"state": "unknown", "timestamp": None, "message": None}
    for machine, (_key, line) in newest.items():
        message = line.get("message") or ""
        if connected_text in message:
            state = "connected"
        elif bad.search(message):
            state = "error"
        else:
            state = "unknown"
        out[machine] = {"state": state, "timestamp": line.get("timestamp"), "message": message}
    return out


def redis_summary(verdicts):
    """The weekly verdict from redis_verdicts(): ok when no machine's newest Redis line is an
    error and at least one machine's is `connected`; `detail` names every machine."""
    by_state = {"connected": [], "error": [], "unknown": []}
    for machine in sorted(verdicts):
        by_state[verdicts[machine]["state"]].append(machine)
    parts = []
    for machine in by_state["error"] + by_state["unknown"] + by_state["connected"]:
        v = verdicts[machine]
        if v["message"] is None:
            parts.append("%s unknown (no Redis line in the logs read)" % (machine or "(no machine)"))
        else:
            parts.append("%s %s since %s (%s)" % (machine or "(no machine)", v["state"], v["timestamp"], v["message"]))
    return {"ok": not by_state["error"] and bool(by_state["connected"]), "connected": by_state["connected"],
            "error": by_state["error"], "unknown": by_state["unknown"], "machines": verdicts,
            "detail": "; ".join(parts) or "no machine and no Redis line"}


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


def order_plan(plan, groups):
    """(first, then) of a scale plan (pure): memory of groups that have machines now goes
    first, so that a memory change the API refuses leaves the count alone (a count step
    destroys machines when it scales down); counts next, then memory of groups that had no
    machine (they need the count step to have machines to resize)."""
    first = [s for s in plan if s[0] == "memory" and groups.get(s[1], {}).get("count", 0) > 0]
    then = [s for s in plan if s[0] == "count"] + [s for s in plan if s[0] == "memory" and s not in first]
    return first, then


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


def image_missing_reason(image, releases, version=None):
    """Why the registry does not have `image` (pure): an image some listed release ran was
    pruned by the registry; one no listed release ever ran was never pushed (or is mistyped)."""
    which = " of release v%d" % version if version is not None else ""
    ran = sorted(r["Version"] for r in releases or [] if r.get("ImageRef") == image)
    if ran:
        return ("image %s%s no longer exists in the registry (it ran as v%s; registries prune old images)"
                % (image, which, ", v".join(str(v) for v in ran)))
    return ("image %s%s does not exist in the registry and no release among the last %d ran it: was it ever "
            "pushed, or is the reference mistyped?" % (image, which, len(releases or [])))


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


SECRET_MAX_BYTES = 60000     # bufio.Scanner stops silently at a 64 KiB line; set reads 64 KiB


def _scan_lines(text):
    """Lines as Go's bufio.ScanLines gives them: split on \\n, one trailing \\r dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def parse_secrets_import(text):
    """What `flyctl secrets import` stores for `text` on its standard input (pure).

    Written from a reading of flyctl's parser (internal/command/secrets/parser.go, v0.4.87):
    lines starting with `#` and blank lines are skipped; NAME is cut at the first `=` and
    trimmed; spaces are trimmed from the left of the value; a `#` ends the value (and spaces
    before it are trimmed) unless the text before it holds an odd number of `"`; a value
    wrapped in triple double quotes is taken as is; a value opening with them and not closing
    them goes on over the next lines, verbatim, up to a line ending with them; otherwise one
    pair of `"` or of `'` around the value is removed. No escapes. An unterminated multi-line
    value is dropped.
    """
    secrets, name, parts = {}, None, None
    for line in _scan_lines(text):
        if name is not None:
            if line.endswith('"""'):
                parts.append(line[:-3])
                secrets[name] = "\n".join(parts)
                name, parts = None, None
            else:
                parts.append(line)
            continue
        if line.startswith("#") or not line.strip():
            continue
        key, eq, value = line.partition("=")
        if not eq:
            raise FlyctlError("Secrets must be provided as NAME=VALUE pairs (%s is invalid)" % key.strip(), kind="input")
        key = key.strip()
        value = value.lstrip(" ")
        head, hash_mark, _comment = value.partition("#")
        if hash_mark and head.count('"') % 2 == 0:
            value = head.rstrip(" ")
        if len(value) >= 6 and value.startswith('"""') and value.endswith('"""'):
            secrets[key] = value[3:-3]
        elif value.startswith('"""'):
            name, parts = key, [value[3:]]
        else:
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            secrets[key] = value
    return secrets


def encode_secret(name, value):
    """The `secrets import` text that flyctl's parser reads back as exactly `value`, or None.

    Single-line values go in triple double quotes, or in single quotes when the text before
    their first `#` holds an odd number of `"` (a `#` is a comment then); multi-line values in
    triple double quotes over several lines. Every candidate is parsed back with
    parse_secrets_import() and kept only when it gives the value byte for byte.
    """
    if len(value.encode("utf-8")) > SECRET_MAX_BYTES:
        return None
    candidates = ['"""%s"""' % value]
    if "\n" not in value:
        candidates.append("'%s'" % value)
    for quoted in candidates:
        text = "%s=%s" % (name, quoted)
        try:
            if parse_secrets_import(text + "\n") == {name: value}:
                return text
        except FlyctlError:
            continue
    return None


def secret_calls(wanted):
    """How to give flyctl each secret of {name: value} so that it stores the value exactly.

    Returns (import_text or None, names for `secrets set NAME=-` (value on stdin, which flyctl
    trims: only for values without surrounding white space)). Raises FlyctlError, before any
    call, naming the secrets no flyctl path stores unchanged. Values never appear in messages.
    """
    lines, by_stdin, refused = [], [], []
    for name in sorted(wanted):
        value = wanted[name]
        text = encode_secret(name, value)
        if text is not None:
            lines.append(text)
        elif value == value.strip() and value and len(value.encode("utf-8")) <= SECRET_MAX_BYTES:
            by_stdin.append(name)
        else:
            refused.append(name)
    if refused:
        raise FlyctlError("secret%s %s: flyctl would not store %s value unchanged (secrets import cannot carry it - "
                          "a multi-line value whose first line has a # after an odd number of double quotes, a line "
                          "ending in a carriage return or in three double quotes, or more than %d bytes - and "
                          "secrets set trims white space from both ends); nothing was changed"
                          % ("s" if len(refused) > 1 else "", ", ".join(refused), "their" if len(refused) > 1 else "its",
                             SECRET_MAX_BYTES), kind="input")
    return ("\n".join(lines) + "\n" if lines else None), by_stdin


def secret_storage_problems(to_set, reasons, before, after):
    """Names flyctl did not visibly store: not listed after the set, or (for a new value of a
    secret we had recorded) listed with the digest it had before. Pure; [] when all is well."""
    problems = []
    for name in to_set:
        if name not in after:
            problems.append("%s is not listed by secrets list after it was set" % name)
        elif reasons.get(name) == "new value" and before.get(name) == after[name]:
            problems.append("%s still has digest %s after a new value was set" % (name, after[name]))
    return problems


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

    def stream(self, args, timeout, quiet=0.5, env=None, ready=None):
        """Run `flyctl args...` reading its output as it comes, bounded by `timeout` seconds.

        Once `ready(stdout)` is true and nothing more came for `quiet` seconds, flyctl is
        stopped: a batch is printed at once, so there is no reason to wait for the time limit.
        Returns (how, rc, stdout, stderr) with how in exited / batch / deadline (see
        logs_outcome). The call goes through subprocess (argument list, no shell) because
        run_command can only wait for the end.
        """
        environ = dict(os.environ)
        environ.update(self.env)
        environ.update(env or {})
        self.calls.append(list(args))
        proc = subprocess.Popen(self.argv(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.cwd, env=environ, start_new_session=True)
        out, err = [], []
        streams = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
        start = time.monotonic()
        last = start
        how = None
        while streams:
            now = time.monotonic()
            if now - start >= timeout:
                how = "deadline"
                break
            if ready is not None and now - last >= quiet and ready(b"".join(out).decode("utf-8", "replace")):
                how = "batch"
                break
            readable, _w, _x = select.select(list(streams), [], [], min(quiet, max(0.01, timeout - (now - start))))
            for fd in readable:
                chunk = os.read(fd, 65536)
                if chunk:
                    streams[fd].append(chunk)
                    last = time.monotonic()
                else:
                    del streams[fd]
        if how is None:
            how = "exited"
            try:
                rc = proc.wait(timeout=max(1, timeout - (time.monotonic() - start)))
            except subprocess.TimeoutExpired:
                how = "deadline"
        if how != "exited":
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
            rc = proc.returncode
        proc.stdout.close()
        proc.stderr.close()
        return how, rc, b"".join(out).decode("utf-8", "replace"), b"".join(err).decode("utf-8", "replace")

    def logs(self, timeout=20, machine=None, region=None):
        """(entries, outcome) of one bounded `logs --no-tail --json` read (see logs_outcome).

        flyctl prints the first non-empty batch and exits; while the buffer is empty it polls
        for ever (logs/polling.go): stopped at `timeout`, and as soon as a batch has arrived.
        """
        args = ["logs", "-a", self.app, "--no-tail", "--json"]
        if machine:
            args += ["--machine", machine]
        if region:
            args += ["--region", region]
        started = time.monotonic()
        # FLY_REGION would silently filter the logs to one region.
        how, rc, out, err = self.stream(args, timeout, env={"FLY_REGION": ""},
                                        ready=lambda text: bool(parse_json_stream(text)))
        entries = parse_json_stream(out)
        outcome = logs_outcome(how, rc, len(entries), timeout)
        if outcome is None:
            raise classify(args, rc, out, err, self.app)
        outcome["seconds"] = round(time.monotonic() - started, 2)
        return entries, outcome

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
