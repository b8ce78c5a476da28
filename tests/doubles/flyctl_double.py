# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test double of flyctl (Fly.io's CLI), stdlib only, and its admin commands.

Fly.io cannot be reached from our tests and the real binary cannot be fetched, so this
reproduces what shared/reference/flyctl.md (a reading of flyctl v0.4.87's source) says the
real program does: the command tree and its flags, the JSON shapes (4-space indent, key
order), the error texts and exit codes, and the traps an operator falls into:

- `releases rollback N` does not exist (cobra's unknown-command error, exit 1);
- `apps restart` takes the app as a positional argument: `-a` is an unknown shorthand flag;
  it restarts only machines that are `started`;
- `scale count 0` DESTROYS the machines of one process group; scaling up again creates new
  machines with new IDs; without `--yes` (no TTY) it prints the plan and fails;
- `secrets set/unset/import` run a restart-only deployment (new release, every machine
  updated) even when nothing changed, unless `--stage`; `secrets list` shows name, digest
  and status, never values (the double keeps no values at all, only digests);
- `deploy --image REF` of an image the registry no longer holds fails with flyctl's text;
- `logs --no-tail` prints the first non-empty batch and exits, and keeps polling until it is
  killed while the buffer is empty (callers must bound it);
- `secrets import` parses its standard input as flyctl's parser does (comments, quotes,
  triple-quoted multi-line values), so an unquoted `#` cuts a value and quotes are stripped;
  `secrets set NAME=-` trims the value read from standard input;
- app output (Redis lines included) is logged at level `info`; a Redis outage leaves the
  health checks passing; a stopped machine keeps its last (stale) check results;
- `machine restart` of a machine that is not started fails;
- unknown app, missing token and bad token fail with flyctl's texts.

Files (environment):
  FLYCTL_DOUBLE_STATE  JSON state of the fake Fly.io organisation
                       (default /var/lib/flyctl-double/state.json)
  FLYCTL_DOUBLE_LOG    JSON lines, one per invocation: argv (secret values and tokens
                       redacted), rc, whether the command mutates, where the token came from
                       (default: calls.jsonl beside the state file)
  FLYCTL_DOUBLE_VERSION  flyctl version to imitate (changes the `secrets list --json` shape);
                       default: the state's "flyctl_version", else 0.4.87

Admin (not part of flyctl): `python3 flyctl_double.py init|show|prune-image|break-image|
add-log|clear-logs|redis-outage|stop-machine|start-machine|secret-matches|set-version|mark ...`
(see --help). tests/doubles/flyctl is
the executable; `fly` may be a link to it (messages then say `fly`).

Not modelled: building images, fly.toml sections other than `app`, volumes, config.yml
sessions, WireGuard, canary/bluegreen specifics (accepted, run like rolling), Postgres apps.
"""
import argparse
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import random
import re
import string
import sys
import time

DEFAULT_STATE = "/var/lib/flyctl-double/state.json"
DEFAULT_VERSION = "0.4.87"
COMMIT = "ad0172face30"
BUILD_DATE = "2026-08-21T09:14:02Z"
STRATEGIES = ("canary", "rolling", "immediate", "bluegreen")

ANSI = {"dim": "\x1b[2m", "green": "\x1b[32m", "blue": "\x1b[34m", "red": "\x1b[31m",
        "yellow": "\x1b[33m", "bold": "\x1b[1m", "reset": "\x1b[0m"}

GQL_APP = ("query ($appName: String!) {\n\tapp(name: $appName) {\n\t\tid\n\t\tname\n\t\t"
           "hostname\n\t\tdeployed\n\t\tstatus\n\t}\n}")
GQL_RELEASES = ("query ($appName: String!, $limit: Int!) {\n\tapp(name: $appName) {\n\t\t"
                "releasesUnprocessed(first: $limit) {\n\t\t\tnodes {\n\t\t\t\tid\n\t\t\t\t"
                "version\n\t\t\t}\n\t\t}\n\t}\n}")


class Exit(Exception):
    """Stop with this exit code; stdout/stderr already written."""

    def __init__(self, code):
        Exception.__init__(self, code)
        self.code = code


class PollAgain(Exception):
    """`logs --no-tail` found the buffer empty: poll again (released lock), until killed."""


class CmdError(Exception):
    """An `Error: <msg>` on stderr, exit `code`; usage on stdout when `usage`."""

    def __init__(self, msg, code=1, usage=None, stdout=None, commit=False):
        Exception.__init__(self, msg)
        self.msg = msg
        self.commit = commit    # what was done before the error stays done
        self.code = code
        self.usage = usage
        self.stdout = stdout


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(when=None):
    return (when or now()).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_machine_id():
    return "".join(random.choice("0123456789abcdef") for _i in range(14))


def new_ulid():
    return "01" + "".join(random.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _i in range(24))


def new_release_id():
    return "".join(random.choice(string.ascii_letters + string.digits) for _i in range(10))


def request_id():
    return new_ulid() + "-nrt"


def digest_of(value):
    """Server-side digest (opaque to flyctl and to callers)."""
    return hashlib.sha256(("fly-secret:" + value).encode()).hexdigest()[:16]


def version_tuple(text):
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


# ---------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------

def state_path():
    return os.environ.get("FLYCTL_DOUBLE_STATE") or DEFAULT_STATE


def log_path():
    return os.environ.get("FLYCTL_DOUBLE_LOG") or os.path.join(
        os.path.dirname(os.path.abspath(state_path())), "calls.jsonl")


@contextlib.contextmanager
def locked_state(write=True):
    """The state, under an exclusive lock; written back when `write` and the body returns."""
    path = state_path()
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path) as f:
                state = json.load(f)
        except FileNotFoundError:
            state = {"apps": {}, "tokens": []}
        try:
            yield state
        except CmdError as exc:
            if write and exc.commit:
                save_state(path, state)
            raise
        if write:
            save_state(path, state)


def save_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def empty_app(name, url="", region="nrt", memory=2048, org="personal"):
    return {
        "name": name, "org": org, "status": "pending", "deployed": False, "url": url,
        "primary_region": region, "groups": ["app"],
        "vm": {"cpu_kind": "shared", "cpus": 1, "memory_mb": memory},
        "machines": [], "releases": [], "registry": [], "broken_images": [],
        "secrets": {}, "logs": [], "debug_mappings": [], "seq": 0,
    }


def bump(app):
    app["seq"] = app.get("seq", 0) + 1
    return app["seq"]


def add_log(app, machine, message, level="info", region=None):
    app.setdefault("logs", []).append({
        "timestamp": now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "instance": machine["id"] if machine else "",
        "region": region or (machine["region"] if machine else app["primary_region"]),
        "level": level, "message": message})
    del app["logs"][:-200]


def machine_healthy(app, m):
    return m["image"] not in app.get("broken_images", [])


REDIS_ERROR = "[Redis] error: connect ECONNREFUSED 172.16.3.2:6379"


def boot_logs(app, m):
    # What the app prints goes to the log at level `info`, whatever it says: flyctl only
    # passes on the level the log API gives (logs/polling.go copies entry.Level,
    # internal/render/logs.go prints it); Fly's log pipeline gives stdout/stderr `info`.
    add_log(app, m, "Starting init (commit: 6c3309b)...")
    if machine_healthy(app, m):
        add_log(app, m, "[Server] Listening on port 3978")
        add_log(app, m, REDIS_ERROR if app.get("redis_down") else "[Redis] Connected")
    else:
        add_log(app, m, REDIS_ERROR)
        add_log(app, m, "Error: bridge exited with code 1")


def new_machine(app, group, region, image, release, guest):
    m = {
        "id": new_machine_id(), "name": "%s-%s-%d" % (random.choice(["quiet", "bold", "red", "icy"]),
                                                      random.choice(["sun", "moon", "leaf", "wave"]),
                                                      random.randint(1000, 9999)),
        "state": "started", "region": region, "group": group, "image": image,
        "release_id": release["ID"] if release else "", "release_version": release["Version"] if release else 0,
        "guest": dict(guest), "instance_id": new_ulid(), "managed": True,
        "private_ip": "fdaa:2:41b7:a7b:1a2:%x:%x:2" % (random.randint(0, 65535), random.randint(0, 65535)),
        "created_at": rfc3339(), "updated_at": rfc3339(), "deployed_seq": bump(app),
        "events": [{"type": "launch", "status": "created", "source": "user",
                    "timestamp": int(time.time() * 1000)}],
    }
    app["machines"].append(m)
    boot_logs(app, m)
    return m


def machine_event(m, etype, status):
    m["events"].insert(0, {"type": etype, "status": status, "source": "flyd" if etype != "update" else "user",
                           "timestamp": int(time.time() * 1000)})
    del m["events"][10:]
    m["updated_at"] = rfc3339()


def checks_of(app, m):
    if m.get("checks_override") is not None:
        return m["checks_override"]
    if m["state"] != "started":
        # The Machines API keeps the last results of a machine that stopped, and flyctl shows
        # them as they come (internal/command/status/machines.go): a stale `passing`.
        return m.get("last_checks") or []
    ok = machine_healthy(app, m)
    # A Redis outage does not fail the HTTP service check: the app still answers GET /.
    return [{"name": "servicecheck-00-http-3978", "status": "passing" if ok else "critical",
             "output": "Success" if ok else "connect: connection refused",
             "updated_at": m["updated_at"].replace("Z", ".51Z")}]


def split_image(ref):
    registry, _slash, rest = ref.partition("/")
    repo, _colon, tag = rest.rpartition(":")
    if not repo:
        repo, tag = rest, "latest"
    return registry, repo, tag


def image_digest(ref):
    return "sha256:" + hashlib.sha256(ref.encode()).hexdigest()


def machine_json(app, m):
    registry, repo, tag = split_image(m["image"])
    out = {
        "id": m["id"], "name": m["name"], "state": m["state"], "region": m["region"],
        "image_ref": {"registry": registry, "repository": repo, "tag": tag, "digest": image_digest(m["image"])},
        "instance_id": m["instance_id"], "private_ip": m["private_ip"],
        "created_at": m["created_at"], "updated_at": m["updated_at"],
        "config": {
            "init": {},
            "guest": {"cpu_kind": m["guest"]["cpu_kind"], "cpus": m["guest"]["cpus"],
                      "memory_mb": m["guest"]["memory_mb"]},
            "metadata": {"fly_flyctl_version": DEFAULT_VERSION,
                         "fly_platform_version": "v2" if m.get("managed", True) else "",
                         "fly_process_group": m["group"], "fly_release_id": m["release_id"],
                         "fly_release_version": str(m["release_version"])},
            "image": m["image"],
            "services": [{"protocol": "tcp", "internal_port": 3978,
                          "ports": [{"port": 443, "handlers": ["tls", "http"]}]}],
        },
        "events": m["events"],
        "checks": checks_of(app, m),
        "host_status": "ok",
        "cordoned": False,
    }
    if not m.get("managed", True):
        del out["config"]["metadata"]["fly_platform_version"]
    return out


def size_name(guest):
    return "%s-cpu-%dx" % (guest["cpu_kind"], guest["cpus"])


def current_release(app):
    return app["releases"][0] if app["releases"] else None


def last_complete(app):
    for rel in app["releases"]:
        if rel["Status"] == "complete":
            return rel
    return None


def add_release(app, image, status, description="", reason=""):
    version = (app["releases"][0]["Version"] + 1) if app["releases"] else 1
    rel = {"ID": new_release_id(), "Version": version, "Stable": status == "complete",
           "InProgress": False, "Reason": reason, "Description": description, "Status": status,
           "DeploymentStrategy": "", "Metadata": None,
           "User": {"ID": "Ux82k", "Name": "Oncall Bot", "Email": "oncall@example.com", "EnablePaidHobby": False},
           "EvaluationID": "", "CreatedAt": rfc3339(), "ImageRef": image, "seq": bump(app)}
    app["releases"].insert(0, rel)
    return rel


def release_json(rel):
    return {k: rel[k] for k in ("ID", "Version", "Stable", "InProgress", "Reason", "Description", "Status",
                                "DeploymentStrategy", "Metadata", "User", "EvaluationID", "CreatedAt", "ImageRef")}


def active(app):
    return [m for m in app["machines"] if m["state"] not in ("destroyed", "destroying")]


def launch(app):
    return [m for m in active(app) if m.get("managed", True)]


# ---------------------------------------------------------------------------------------
# Command line: a small cobra/pflag
# ---------------------------------------------------------------------------------------

class Flag:
    def __init__(self, name, short=None, kind="str", aliases=(), default=None):
        self.name, self.short, self.kind, self.aliases, self.default = name, short, kind, aliases, default


GLOBAL_FLAGS = [Flag("access-token", "t"), Flag("verbose", kind="bool"), Flag("debug", kind="bool"),
                Flag("help", "h", kind="bool")]
APP_FLAGS = [Flag("app", "a"), Flag("config", "c")]
JSON_FLAG = [Flag("json", "j", kind="bool")]


class Command:
    def __init__(self, path, flags=(), args=None, run=None, use="", mutating=False, api=None):
        self.path = path            # e.g. "scale count"
        self.flags = list(flags) + GLOBAL_FLAGS
        self.args = args            # None: no positional args; ("min", n); ("exact", n); ("any",)
        self.run = run
        self.use = use or path
        self.mutating = mutating
        self.api = api              # "gql" or "machines": how auth / not-found errors read

    def usage(self, prog):
        lines = ["Usage:", "  %s %s [flags]" % (prog, self.use), "", "Flags:"]
        for f in self.flags:
            if f.name in ("access-token", "verbose", "debug"):
                continue
            short = "-%s, " % f.short if f.short else "    "
            lines.append("  %s--%s%s" % (short, f.name, "" if f.kind == "bool" else " string"))
        lines += ["", "Global Flags:", "  -t, --access-token string   Fly API Access Token",
                  "      --debug                  Print additional logs and traces",
                  "      --verbose                Verbose output"]
        return "\n".join(lines) + "\n"


def parse_flags(cmd, words):
    """pflag-style: returns (flags dict, positionals). Raises CmdError like cobra."""
    by_long, by_short = {}, {}
    for f in cmd.flags:
        by_long[f.name] = f
        for alias in f.aliases:
            by_long[alias] = f
        if f.short:
            by_short[f.short] = f
    values, positionals = {}, []
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w == "--":
            positionals.extend(words[i:])
            break
        if w.startswith("--") and len(w) > 2:
            name, eq, val = w[2:].partition("=")
            f = by_long.get(name)
            if f is None:
                raise CmdError("unknown flag: --%s" % name, usage=True)
            if f.kind == "bool":
                values[f.name] = (val.lower() in ("1", "t", "true")) if eq else True
            else:
                if not eq:
                    if i >= len(words):
                        raise CmdError("flag needs an argument: --%s" % name, usage=True)
                    val = words[i]
                    i += 1
                values.setdefault(f.name, []).append(val)
        elif w.startswith("-") and len(w) > 1:
            rest = w[1:]
            while rest:
                c, rest = rest[0], rest[1:]
                f = by_short.get(c)
                if f is None:
                    raise CmdError("unknown shorthand flag: '%s' in %s" % (c, w), usage=True)
                if f.kind == "bool":
                    if rest.startswith("="):
                        values[f.name] = rest[1:].lower() in ("1", "t", "true")
                        rest = ""
                    else:
                        values[f.name] = True
                    continue
                if rest:
                    val = rest[1:] if rest.startswith("=") else rest
                    rest = ""
                else:
                    if i >= len(words):
                        raise CmdError("flag needs an argument: '%s' in -%s" % (c, c), usage=True)
                    val = words[i]
                    i += 1
                values.setdefault(f.name, []).append(val)
        else:
            positionals.append(w)
    return values, positionals


def flag(values, name, default=None):
    v = values.get(name)
    if isinstance(v, list):
        return v[-1]
    return default if v is None else v


class Ctx:
    def __init__(self, prog, cmd, values, args, stdin):
        self.prog, self.cmd, self.values, self.args, self.stdin = prog, cmd, values, args, stdin
        self.out = []

    def print(self, text=""):
        sys.stdout.write(text + "\n")

    def flag(self, name, default=None):
        return flag(self.values, name, default)

    def json(self, data, compact=False):
        if compact:
            sys.stdout.write(json.dumps(data, separators=(",", ":")) + "\n")
        else:
            sys.stdout.write(json.dumps(data, indent=4) + "\n")

    @property
    def json_mode(self):
        if "json" in self.values:
            return bool(self.values["json"])
        return os.environ.get("FLY_JSON", "").lower() in ("1", "t", "true", "ok") and self.cmd.path != "scale show"


# --- auth and app lookup -----------------------------------------------------------------

def token_source(values):
    if flag(values, "access-token"):
        return "flag", flag(values, "access-token")
    for var in ("FLY_ACCESS_TOKEN", "FLY_API_TOKEN"):
        if os.environ.get(var):
            return "env:" + var, os.environ[var]
    return None, None


def require_auth(ctx, state):
    _source, token = token_source(ctx.values)
    if not token:
        raise CmdError("no access token available. Please login with 'flyctl auth login'")
    if token not in state.get("tokens", []):
        if ctx.cmd.api == "machines":
            raise CmdError("%s: You must be authenticated to view this. (Request ID: %s)"
                           % (NOT_FOUND_PREFIX.get(ctx.cmd.path, "failed to list VMs"), request_id()))
        raise CmdError("You must be authenticated to view this.")


def app_name_of(ctx):
    name = ctx.flag("app") or os.environ.get("FLY_APP")
    if name:
        return name
    cfg = ctx.flag("config") or "fly.toml"
    try:
        with open(cfg) as f:
            for line in f:
                m = re.match(r'\s*app\s*=\s*["\']([^"\']+)["\']', line)
                if m:
                    return m.group(1)
    except OSError:
        pass
    raise CmdError("the config for your app is missing an app name, add an app field to the fly.toml "
                   "file or specify with the -a flag")


NOT_FOUND_PREFIX = {
    "machine list": "failed to list VMs",
    "scale show": "failed to list VMs even after retries",
    "checks list": "failed to list active VMs",
    "secrets list": "failed to list app secrets",
}


def lookup_app(ctx, state, name):
    app = state["apps"].get(name)
    if app is not None:
        return app
    path = ctx.cmd.path
    gql = 'failed to run %s: Could not find App "%s"' % (GQL_APP, name)
    if path == "status":
        raise CmdError("failed to get app: " + gql)
    if path == "releases":
        raise CmdError("failed retrieving app releases %s: failed to run %s: Could not find App \"%s\""
                       % (name, GQL_RELEASES, name))
    if path == "image show":
        raise CmdError("get app: " + gql)
    if path == "logs":
        raise CmdError("404 Not Found")
    if path == "deploy":
        raise CmdError("the app name %s could not be found, did you create the app or misspell it in the "
                       "fly.toml file or via -a?" % name)
    if path in NOT_FOUND_PREFIX:
        raise CmdError("%s: app not found (Request ID: %s)" % (NOT_FOUND_PREFIX[path], request_id()))
    if path == "machine restart":
        raise CmdError("could not get machine %s: app not found (Request ID: %s)"
                       % (ctx.args[0] if ctx.args else "", request_id()))
    raise CmdError(gql)


def app_for(ctx, state, name=None):
    require_auth(ctx, state)
    return lookup_app(ctx, state, name or app_name_of(ctx))


# --- commands ------------------------------------------------------------------------------

def cmd_version(ctx, state):
    ver = os.environ.get("FLYCTL_DOUBLE_VERSION") or state.get("flyctl_version") or DEFAULT_VERSION
    if ctx.json_mode:
        ctx.json({"Name": ctx.prog, "Version": ver, "Commit": COMMIT, "BuildDate": BUILD_DATE,
                  "OS": "linux", "Architecture": "amd64", "Environment": "production"}, compact=True)
    else:
        ctx.print("%s v%s linux/amd64 Commit: %s BuildDate: %s" % (ctx.prog, ver, COMMIT, BUILD_DATE))


def cmd_status(ctx, state):
    if ctx.flag("watch") and ctx.json_mode:
        raise CmdError("--watch is not supported with --json")
    app = app_for(ctx, state)
    machines = sorted(launch(app), key=lambda m: m["id"], reverse=True)
    if ctx.json_mode:
        rel = current_release(app)
        ctx.json({
            "AppURL": "https://%s.fly.dev" % app["name"],
            "Deployed": app["deployed"],
            "Hostname": "%s.fly.dev" % app["name"],
            "ID": app["name"],
            "Machines": [machine_json(app, m) for m in machines],
            "Name": app["name"],
            "Organization": {"ID": "Lm7xQ2", "InternalNumericID": "183422", "Name": "", "Slug": app["org"],
                             "RawSlug": "", "PaidPlan": True},
            "PlatformVersion": "machines",
            "Status": app["status"],
            "Version": rel["Version"] if rel else 0,
        })
        return
    b = ANSI["bold"]
    r = ANSI["reset"]
    ctx.print("%sApp%s" % (b, r))
    ctx.print("  Name     = %s" % app["name"])
    ctx.print("  Owner    = %s" % app["org"])
    ctx.print("  Hostname = %s.fly.dev" % app["name"])
    image = "-"
    if machines:
        _registry, repo, tag = split_image(machines[0]["image"])
        image = "%s:%s" % (repo, tag)
    ctx.print("  Image    = %s" % image)
    ctx.print("")
    ctx.print("%sMachines%s" % (b, r))
    ctx.print("PROCESS\tID            \tVERSION\tREGION\tSTATE  \tROLE\tCHECKS            \tLAST UPDATED")
    for m in machines:
        checks = checks_of(app, m)
        passing = sum(1 for c in checks if c["status"] == "passing")
        crit = sum(1 for c in checks if c["status"] == "critical")
        text = "%d total" % len(checks)
        if passing:
            text += ", %d passing" % passing
        if crit:
            text += ", %d critical" % crit
        row = (m["group"], m["id"], m["release_version"], m["region"], m["state"], text, m["updated_at"])
        ctx.print("%s\t%s\t%s\t%s\t%s\t\t%s\t%s" % row)


def cmd_releases(ctx, state):
    app = app_for(ctx, state)
    rels = app["releases"][:25]
    if ctx.json_mode:
        ctx.json([release_json(r) for r in rels])
        return
    head = "VERSION\tSTATUS  \tDESCRIPTION\tUSER              \tDATE"
    if ctx.flag("image"):
        head += "\tDOCKER IMAGE"
    ctx.print(head)
    for r in rels:
        line = "v%d\t%s\t%s\t%s\t%s" % (r["Version"], r["Status"], r["Description"] or "Release",
                                        r["User"]["Email"], r["CreatedAt"])
        if ctx.flag("image"):
            line += "\t" + r["ImageRef"]
        ctx.print(line)


def parse_duration(text):
    if text == "none":
        return None
    m = re.match(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", text)
    if text.isdigit():
        return int(text)
    if not m or not any(m.groups()):
        raise CmdError('invalid argument "%s" for "--wait-timeout" flag: time: invalid duration "%s"'
                       % (text, text), usage=True)
    h, mi, s = (int(x or 0) for x in m.groups())
    return h * 3600 + mi * 60 + s


def restart_only_deploy(ctx, app, description):
    """What `secrets set/unset/import/deploy` do after storing secrets: new release, every
    Fly Launch machine updated (restarted)."""
    base = current_release(app)
    image = base["ImageRef"] if base else ""
    rel = add_release(app, image, "running", description=description)
    ctx.print("Updating existing machines in '%s' with rolling strategy" % app["name"])
    for m in launch(app):
        m["release_id"], m["release_version"] = rel["ID"], rel["Version"]
        m["instance_id"] = new_ulid()
        m["deployed_seq"] = bump(app)
        machine_event(m, "update", "replaced")
        if m["state"] in ("started", "failed"):
            m["state"] = "started"
            machine_event(m, "start", "started")
            boot_logs(app, m)
        ctx.print("  Machine %s [%s] update succeeded" % (m["id"], m["group"]))
    rel["Status"] = "complete"
    rel["Stable"] = True
    ctx.print("%s Finished deploying" % "\u2714")


def cmd_deploy(ctx, state):
    if len(ctx.args) > 1:
        raise CmdError("accepts at most 1 arg(s), received %d" % len(ctx.args), usage=True)
    strategy = ctx.flag("strategy")
    wait = parse_duration(ctx.flag("wait-timeout", "5m0s"))
    app = app_for(ctx, state)
    image = ctx.flag("image")
    if not image:
        raise CmdError("app does not have a Dockerfile or buildpacks configured. See "
                       "https://fly.io/docs/reference/configuration/#the-build-section")
    if strategy and strategy not in STRATEGIES:
        ctx.print("Validating %s" % (ctx.flag("config") or "fly.toml"))
        ctx.print("\u2718unsupported deployment strategy '%s'; Apps v2 supports the following strategies: "
                  "%s" % (strategy, ", ".join(STRATEGIES)))
        raise CmdError("App configuration is not valid")
    ctx.print("==> Verifying app config")
    ctx.print("--> Verified app config")
    ctx.print("==> Building image")
    ctx.print("Searching for image '%s' remotely..." % image)
    if image not in app["registry"]:
        raise CmdError('failed to fetch an image or build from source: could not find image "%s"' % image)
    ctx.print("image found: img_%s" % hashlib.sha256(image.encode()).hexdigest()[:16])
    ctx.print("image: %s" % image)
    ctx.print("image size: 84 MB")
    if ctx.flag("build-only"):
        return
    strategy = strategy or "rolling"
    ctx.print("")
    ctx.print("Watch your deployment at https://fly.io/apps/%s/monitoring" % app["name"])
    ctx.print("")
    rel = add_release(app, image, "running")
    healthy = image not in app.get("broken_images", [])
    updated = []
    if launch(app):
        ctx.print("Updating existing machines in '%s' with %s strategy" % (app["name"], strategy))
    for group in app["groups"]:
        members = [m for m in launch(app) if m["group"] == group]
        if not members:
            if ctx.flag("update-only"):
                continue
            guest = app["vm"]
            n = 2 if ctx.flag("ha", True) else 1
            ctx.print("Creating %d machine(s) for process group '%s'" % (n, group))
            for _i in range(n):
                m = new_machine(app, group, app["primary_region"], image, rel, guest)
                updated.append(m)
                ctx.print("  Created %s group:%s region:%s size:%s" % (m["id"], group, m["region"], size_name(guest)))
            continue
        for m in members:
            m["image"] = image
            m["release_id"], m["release_version"] = rel["ID"], rel["Version"]
            m["instance_id"] = new_ulid()
            m["deployed_seq"] = bump(app)
            machine_event(m, "update", "replaced")
            if m["state"] in ("started", "failed"):
                m["state"] = "started"
                machine_event(m, "start", "started")
                boot_logs(app, m)
                updated.append(m)
            ctx.print("  Machine %s [%s] update succeeded" % (m["id"], group))
    app["deployed"] = True
    app["status"] = "deployed"
    if not healthy and updated and not ctx.flag("detach"):
        rel["Status"] = "failed"
        m = updated[0]
        sys.stderr.write("Machine %s [%s] has state: started\n" % (m["id"], m["group"]))
        raise CmdError("timeout reached waiting for health checks to pass for machine %s: failed to get VM %s: "
                       "checks: 1 total, 1 critical (waited %s)" % (m["id"], m["id"], "%ss" % wait if wait else "none"),
                       commit=True)
    rel["Status"] = "complete"
    rel["Stable"] = True
    ctx.print("Checking DNS configuration for %s.fly.dev" % app["name"])
    ctx.print("")
    ctx.print("Visit your newly deployed app at https://%s.fly.dev/" % app["name"])
    if os.environ.get("FLY_EMIT_RELEASE_JSON", "").lower() in ("1", "t", "true", "ok"):
        ctx.json({"id": rel["ID"], "version": rel["Version"], "image_ref": image}, compact=True)


def parse_memory_arg(text):
    m = re.match(r"^(\d+)\s*(mb|gb|m|g|mib|gib)?$", text.strip(), re.I)
    if not m:
        raise CmdError("invalid memory size '%s': expected a number of MB or a size like 512mb or 2gb" % text)
    n = int(m.group(1))
    unit = (m.group(2) or "mb").lower()
    return n * 1024 if unit.startswith("g") else n


def scale_groups(app):
    groups = {}
    for m in launch(app):
        groups.setdefault(m["group"], []).append(m)
    return groups


def cmd_scale_show(ctx, state):
    app = app_for(ctx, state)
    groups = scale_groups(app)
    rows = []
    for name in sorted(groups):
        ms = groups[name]
        regions = {}
        for m in ms:
            regions[m["region"]] = regions.get(m["region"], 0) + 1
        first = ms[0]["guest"]
        rows.append({"Process": name, "Count": len(ms), "CPUKind": first["cpu_kind"], "CPUs": first["cpus"],
                     "Memory": first["memory_mb"], "Regions": regions})
    if "json" in ctx.values and ctx.values["json"]:
        ctx.json(rows)
        return
    ctx.print("VM Resources for app: %s" % app["name"])
    ctx.print("")
    ctx.print("%sGroups%s" % (ANSI["bold"], ANSI["reset"]))
    ctx.print("NAME\tCOUNT\tKIND\tCPUS\tMEMORY \tREGIONS")
    for r in rows:
        regions = ",".join("%s(%d)" % kv for kv in sorted(r["Regions"].items()))
        ctx.print("%s\t%d\t%s\t%d\t%d MB\t%s" % (r["Process"], r["Count"], r["CPUKind"], r["CPUs"], r["Memory"], regions))


def cmd_scale_count(ctx, state):
    if not ctx.args:
        raise CmdError("requires at least 1 arg(s), only received 0", usage=True)
    app = app_for(ctx, state)
    default_group = ctx.flag("process-group") or "app"
    wanted = {}
    for arg in ctx.args:
        group, eq, num = arg.rpartition("=")
        if not eq:
            group, num = default_group, arg
        if not re.match(r"^[+-]?\d+$", num):
            raise CmdError('invalid count "%s"' % arg)
        wanted[group] = num
    unknown = sorted(g for g in wanted if g not in app["groups"])
    if unknown:
        raise CmdError("Attempting to scale unknown process groups [%s] but valid names are [%s]. Check your "
                       "fly.toml configuration" % (" ".join(unknown), " ".join(app["groups"])))
    if last_complete(app) is None:
        raise CmdError("this app has no complete releases. Run `fly deploy` to create one and rerun this command")
    region_flag = ctx.flag("region")
    plan = []   # (group, region, delta, members to destroy)
    for group, num in sorted(wanted.items()):
        members = [m for m in launch(app) if m["group"] == group]
        if region_flag:
            regions = [r for r in region_flag.split(",") if r]
            members = [m for m in members if m["region"] in regions]
        else:
            regions = sorted({m["region"] for m in members}) or [app["primary_region"]]
        total = len(members) + int(num) if num[0] in "+-" else int(num)
        if total < 0:
            raise CmdError("can't scale group '%s' to a negative number of machines (%d)" % (group, total))
        per = {r: 0 for r in regions}
        for i in range(total):
            per[regions[i % len(regions)]] += 1
        for region in regions:
            here = [m for m in members if m["region"] == region]
            delta = per[region] - len(here)
            if delta:
                plan.append((group, region, delta, sorted(here, key=lambda m: m["created_at"])[delta:] if delta < 0 else []))
    if not plan:
        ctx.print("App already scaled to desired state. No need for changes")
        return
    ctx.print("App '%s' is going to be scaled according to this plan:" % app["name"])
    for group, region, delta, _members in plan:
        guest = next((m["guest"] for m in launch(app) if m["group"] == group), app["vm"])
        ctx.print("  %+d machines for group '%s' on region '%s' of size '%s'" % (delta, group, region, size_name(guest)))
    if not ctx.flag("yes"):
        raise CmdError("--yes flag must be specified when not running interactively")
    ctx.print("Executing scale plan")
    for group, region, delta, doomed in plan:
        template = next((m for m in launch(app) if m["group"] == group), None)
        guest = template["guest"] if template else app["vm"]
        if delta > 0:
            rel = last_complete(app)
            image = template["image"] if template else rel["ImageRef"]
            for _i in range(delta):
                m = new_machine(app, group, region, image, rel, guest)
                ctx.print("  Created %s group:%s region:%s size:%s" % (m["id"], group, region, size_name(guest)))
        else:
            for m in doomed:
                app["machines"].remove(m)
                ctx.print("  Destroyed %s group:%s region:%s size:%s" % (m["id"], group, region, size_name(m["guest"])))


def cmd_scale_memory(ctx, state):
    if len(ctx.args) != 1:
        raise CmdError("accepts 1 arg(s), received %d" % len(ctx.args), usage=True)
    mb = parse_memory_arg(ctx.args[0])
    if mb < 256 or mb % 256:
        raise CmdError("invalid memory size %d MB: memory must be a multiple of 256 MB, at least 256 MB" % mb)
    app = app_for(ctx, state)
    group = ctx.flag("process-group")
    groups = sorted({m["group"] for m in launch(app)} | set(app["groups"]))
    if not group:
        if len(groups) > 1:
            raise CmdError("scaling an app with multiple process groups requires specifying a group with "
                           "'--process-group <name>'")
        group = "app"
    members = [m for m in launch(app) if m["group"] == group]
    if not members:
        raise CmdError("No active machines in process group '%s', check `fly status` output" % group)
    guest = members[0]["guest"]
    if guest["cpu_kind"] == "shared" and mb > 2048 * guest["cpus"]:
        # Refused by the Machines API, not by flyctl (the text is not in flyctl's source: UNCONFIRMED).
        raise CmdError("failed to update VM %s: invalid machine size: %d MB is more than a %s takes (%d MB at "
                       "most) (Request ID: %s)" % (members[0]["id"], mb, size_name(guest), 2048 * guest["cpus"],
                                                   request_id()))
    for m in members:
        m["guest"]["memory_mb"] = mb
        m["instance_id"] = new_ulid()
        machine_event(m, "update", "replaced")
    app["vm"]["memory_mb"] = mb
    label = "Scaled VM Type for '%s' to" % group if ctx.flag("process-group") else "Scaled VM Type to"
    ctx.print("%s '%s'" % (label, size_name(members[0]["guest"])))
    ctx.print("      CPU Cores: %d" % members[0]["guest"]["cpus"])
    ctx.print("         Memory: %d MB" % mb)


def cmd_machine_list(ctx, state):
    app = app_for(ctx, state)
    ms = active(app)
    if ctx.json_mode:
        ctx.json([machine_json(app, m) for m in ms])
        return
    if ctx.flag("quiet"):
        for m in ms:
            ctx.print(m["id"])
        return
    if not ms:
        ctx.print("No machines are available on this app %s" % app["name"])
        return
    ctx.print("%d machines have been retrieved from app %s." % (len(ms), app["name"]))
    ctx.print("ID\tNAME\tSTATE\tCHECKS\tREGION\tPROCESS GROUP\tSIZE")
    for m in ms:
        checks = checks_of(app, m)
        ctx.print("%s\t%s\t%s\t%d/%d\t%s\t%s\t%s:%dMB" % (
            m["id"], m["name"], m["state"], sum(1 for c in checks if c["status"] == "passing"), len(checks),
            m["region"], m["group"], size_name(m["guest"]), m["guest"]["memory_mb"]))


def restart_machine(ctx, app, m):
    ctx.print("Restarting machine %s" % m["id"])
    machine_event(m, "restart", "stopping")
    m["state"] = "started"
    machine_event(m, "start", "started")
    boot_logs(app, m)
    if not ctx.flag("skip-health-checks") and not machine_healthy(app, m):
        raise CmdError("timeout reached waiting for health checks to pass for machine %s" % m["id"], code=126,
                       commit=True)
    ctx.print("  Machine %s restarted successfully!" % m["id"])


def cmd_machine_restart(ctx, state):
    if not ctx.args:
        raise CmdError("a machine ID must be specified when not running interactively")
    require_auth(ctx, state)
    name = ctx.flag("app") or os.environ.get("FLY_APP")
    if not name:
        for candidate in state["apps"].values():
            if any(m["id"] == ctx.args[0] for m in active(candidate)):
                name = candidate["name"]
        if not name:
            raise CmdError("could not get machine %s: machine not found (Request ID: %s)" % (ctx.args[0], request_id()))
    app = lookup_app(ctx, state, name)
    for mid in ctx.args:
        m = next((x for x in active(app) if x["id"] == mid), None)
        if m is None:
            raise CmdError("machine %s was not found in app '%s'" % (mid, app["name"]))
    for mid in ctx.args:
        m = next(x for x in active(app) if x["id"] == mid)
        if m["state"] != "started":
            # flyctl wraps the Machines API's refusal (internal/command/machine/restart.go,
            # internal/machine/restart.go); the API's own words are not in flyctl's source.
            ctx.print("Restarting machine %s" % m["id"])
            raise CmdError("failed to restart machine %s: could not stop machine %s: failed to restart VM %s: "
                           "unable to restart machine, not currently started (Request ID: %s)"
                           % (mid, mid, mid, request_id()), commit=True)
        restart_machine(ctx, app, m)


def cmd_apps_restart(ctx, state):
    if len(ctx.args) > 1:
        raise CmdError("accepts at most 1 arg(s), received %d" % len(ctx.args), usage=True)
    app = app_for(ctx, state, ctx.args[0] if ctx.args else (os.environ.get("FLY_APP") or None))
    for m in sorted(launch(app), key=lambda x: x["id"]):
        if m["state"] == "started":
            restart_machine(ctx, app, m)


def secrets_status(app, secret):
    ms = launch(app)
    if not ms:
        return "Staged"
    done = sum(1 for m in ms if m.get("deployed_seq", 0) > secret["seq"])
    if done == len(ms):
        return "Deployed"
    return "Staged" if done == 0 else "Partial"


def cmd_secrets_list(ctx, state):
    app = app_for(ctx, state)
    ver = version_tuple(os.environ.get("FLYCTL_DOUBLE_VERSION") or state.get("flyctl_version") or DEFAULT_VERSION)
    names = sorted(app["secrets"])
    if ctx.json_mode:
        rows = []
        for name in names:
            s = app["secrets"][name]
            if ver <= (0, 3, 177):
                rows.append({"Name": name, "Digest": s["digest"], "CreatedAt": s["created_at"]})
            elif ver <= (0, 4, 5):
                rows.append({"name": name, "digest": s["digest"], "created_at": s["created_at"],
                             "updated_at": s["updated_at"]})
            else:
                rows.append({"name": name, "digest": s["digest"], "status": secrets_status(app, s)})
        ctx.json(rows)
        return
    ctx.print("NAME\tDIGEST\tSTATUS")
    staged = False
    for name in names:
        st = secrets_status(app, app["secrets"][name])
        prefix = {"Staged": "* ", "Partial": "! "}.get(st, "")
        staged = staged or bool(prefix)
        ctx.print("%s%s\t%s\t%s" % (prefix, name, app["secrets"][name]["digest"], st))
    if staged:
        ctx.print("")
        ctx.print("* Staged secrets: run `fly secrets deploy` to deploy them")


def store_secrets(ctx, app, pairs, unset=()):
    for name, value in pairs:
        old = app["secrets"].get(name)
        seq = bump(app)
        app["secrets"][name] = {"digest": digest_of(value), "seq": seq,
                                "created_at": old["created_at"] if old else rfc3339(), "updated_at": rfc3339()}
    for name in unset:
        app["secrets"].pop(name, None)
        bump(app)
    if ctx.flag("stage"):
        ctx.print("Secrets have been staged, but not set on VMs. Deploy or update machines in this app for the "
                  "secrets to take effect.")
        return
    if not launch(app):
        ctx.print("Secrets are staged for the first deployment")
        return
    restart_only_deploy(ctx, app, "Update secrets")


def read_stdin(ctx):
    if ctx.stdin is None or ctx.stdin.isatty():
        return None
    data = ctx.stdin.read(64 * 1024 + 1)
    return data or None


def cmd_secrets_set(ctx, state):
    if not ctx.args:
        raise CmdError("requires at least 1 arg(s), only received 0", usage=True)
    pairs = []
    for arg in ctx.args:
        name, eq, value = arg.partition("=")
        if not eq or not name:
            raise CmdError("'%s': must be in the format NAME=VALUE" % arg)
        if value == "-":
            data = read_stdin(ctx)
            if data is None:
                raise CmdError("secret `%s` expects standard input but none provided" % name)
            value = data.strip()    # helpers/stdin.go ReadStdin: strings.TrimSpace
        pairs.append((name, value))
    app = app_for(ctx, state)
    store_secrets(ctx, app, pairs)


def parse_import(data):
    """flyctl's `secrets import` parser (internal/command/secrets/parser.go), read from the
    source: lines scanned with bufio.ScanLines (a trailing CR dropped); `#` lines and blank
    lines skipped; NAME cut at the first `=` and trimmed; spaces trimmed off the value's left;
    a `#` ends the value (spaces before it trimmed) when the text before it holds an even
    number of double quotes; a value in triple double quotes is taken as is; triple double
    quotes without a close open a multi-line value, taken verbatim up to a line ending in
    them; else one pair of double or single quotes around the value is removed. No escapes;
    an unterminated multi-line value is lost; a value that is a lone double quote makes
    flyctl panic (slice out of range): exit 3 here.
    """
    pairs, key, parts = [], None, None
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        if key is not None:
            if line.endswith('"""'):
                parts.append(line[:-3])
                pairs.append((key, "\n".join(parts)))
                key = None
            else:
                parts.append(line)
            continue
        if line.startswith("#") or line.strip() == "":
            continue
        name, eq, value = line.partition("=")
        if not eq:
            raise CmdError("Failed to parse secrets from stdin: Secrets must be provided as NAME=VALUE pairs "
                           "(%s is invalid)" % line)
        name = name.strip()
        value = value.lstrip(" ")
        cut = value.find("#")
        if cut >= 0 and value[:cut].count('"') % 2 == 0:
            value = value[:cut].rstrip(" ")
        if value.startswith('"""') and value.endswith('"""') and len(value) >= 6:
            pairs.append((name, value[3:-3]))
        elif value.startswith('"""'):
            key, parts = name, [value[3:]]
        else:
            if value.startswith('"') and value.endswith('"'):
                if len(value) < 2:
                    sys.stderr.write("panic: runtime error: slice bounds out of range [1:0]\n")
                    raise Exit(3)
                value = value[1:-1]
            elif value.startswith("'") and value.endswith("'") and len(value) >= 2:
                value = value[1:-1]
            pairs.append((name, value))
    return pairs


def cmd_secrets_import(ctx, state):
    pairs = parse_import(read_stdin(ctx) or "")
    if not pairs:
        raise CmdError("requires at least one SECRET=VALUE pair")
    app = app_for(ctx, state)
    store_secrets(ctx, app, pairs)


def cmd_secrets_unset(ctx, state):
    if not ctx.args:
        raise CmdError("requires at least 1 arg(s), only received 0", usage=True)
    app = app_for(ctx, state)
    store_secrets(ctx, app, [], unset=ctx.args)


def cmd_secrets_deploy(ctx, state):
    app = app_for(ctx, state)
    if not launch(app) or not app["deployed"]:
        raise CmdError("no machines available to deploy")
    restart_only_deploy(ctx, app, "Deploy secrets")


def cmd_logs(ctx, state):
    app = app_for(ctx, state)
    if not ctx.flag("no-tail"):
        raise CmdError("the double does not stream logs; pass --no-tail")
    machine = ctx.flag("machine")
    region = ctx.flag("region") or (None if machine else os.environ.get("FLY_REGION") or None)
    entries = [e for e in app.get("logs", [])
               if (not machine or e["instance"] == machine) and (not region or e["region"] == region)]
    if not entries:
        # logs/polling.go (Poll): an empty batch backs off and polls again, for ever; with
        # --no-tail it returns only after a non-empty batch. So flyctl waits until killed.
        raise PollAgain()
    for e in entries[-100:]:
        if ctx.json_mode:
            sys.stdout.write(json.dumps({
                "level": e["level"], "instance": e["instance"], "message": e["message"], "region": e["region"],
                "timestamp": e["timestamp"],
                "meta": {"Instance": e["instance"], "Region": e["region"], "Event": {"Provider": "app"},
                         "HTTP": {"Request": {"ID": "", "Method": "", "Version": ""}, "Response": {"status_code": 0}},
                         "Error": {"Code": 0, "Message": ""}, "URL": {"Full": ""}}}, indent=4) + "\n")
        else:
            color = ANSI["red"] if e["level"] == "error" else ANSI["blue"]
            sys.stdout.write("%s%s%s app[%s] %s%s%s [%s%s%s]%s\n" % (
                ANSI["dim"], e["timestamp"][:19] + "Z", ANSI["reset"], e["instance"], ANSI["green"], e["region"],
                ANSI["reset"], color, e["level"], ANSI["reset"], e["message"]))


def cmd_checks_list(ctx, state):
    app = app_for(ctx, state)
    if ctx.json_mode:
        ctx.json({m["id"]: checks_of(app, m) for m in sorted(launch(app), key=lambda x: x["id"])})
        return
    ctx.print("Health Checks for %s" % app["name"])
    ctx.print("NAME\tSTATUS\tMACHINE\tLAST UPDATED\tOUTPUT")
    for m in launch(app):
        for c in checks_of(app, m):
            ctx.print("%s\t%s\t%s\t%s\t%s" % (c["name"], c["status"], m["id"], c["updated_at"], c["output"]))


def cmd_image_show(ctx, state):
    app = app_for(ctx, state)
    ms = active(app)
    if ctx.args:
        ms = [m for m in ms if m["id"] == ctx.args[0]]
        if not ms:
            raise CmdError("machine %s was not found in app '%s'" % (ctx.args[0], app["name"]))

    def row(m):
        registry, repo, tag = split_image(m["image"])
        return {"Digest": image_digest(m["image"]), "Labels": "", "MachineID": m["id"], "Registry": registry,
                "Repository": repo, "Tag": tag, "Version": "N/A"}
    if ctx.json_mode:
        if ctx.args:
            ctx.json(row(ms[0]))
        else:
            ctx.json([row(m) for m in ms] or None)
        return
    for m in ms:
        r = row(m)
        ctx.print("%s\t%s\t%s:%s\t%s" % (r["MachineID"], r["Registry"], r["Repository"], r["Tag"], r["Digest"]))


DEPLOY_FLAGS = APP_FLAGS + [
    Flag("image", "i"), Flag("strategy"), Flag("detach", kind="bool"), Flag("wait-timeout"),
    Flag("release-command-timeout"), Flag("lease-timeout"), Flag("yes", "y", kind="bool", aliases=("auto-confirm",)),
    Flag("now", kind="bool"), Flag("ha", kind="bool"), Flag("update-only", kind="bool"), Flag("max-unavailable"),
    Flag("regions", aliases=("only-regions",)), Flag("exclude-regions"), Flag("only-machines"),
    Flag("exclude-machines"), Flag("process-groups"), Flag("smoke-checks", kind="bool"),
    Flag("dns-checks", kind="bool"), Flag("skip-release-command", kind="bool"), Flag("env", "e"),
    Flag("vm-size"), Flag("vm-memory"), Flag("vm-cpus"), Flag("vm-cpu-kind"), Flag("remote-only", kind="bool"),
    Flag("local-only", kind="bool"), Flag("build-only", kind="bool"), Flag("push", kind="bool"),
    Flag("no-cache", kind="bool"), Flag("image-label"), Flag("label"), Flag("signal", "s"), Flag("deploy-retries"),
]
SECRET_FLAGS = APP_FLAGS + [Flag("stage", kind="bool"), Flag("detach", kind="bool"), Flag("dns-checks", kind="bool")]
RESTART_FLAGS = [Flag("signal", "s"), Flag("time"), Flag("force", kind="bool"), Flag("skip-health-checks", kind="bool")]

COMMANDS = [
    Command("version", JSON_FLAG, args=None, run=cmd_version),
    Command("status", APP_FLAGS + JSON_FLAG + [Flag("watch", kind="bool"), Flag("rate"), Flag("all", kind="bool"),
                                               Flag("deployment", kind="bool")], run=cmd_status, api="gql"),
    Command("releases", APP_FLAGS + JSON_FLAG + [Flag("image", kind="bool")], run=cmd_releases, api="gql"),
    Command("apps releases", APP_FLAGS + JSON_FLAG + [Flag("image", kind="bool")], run=cmd_releases, api="gql"),
    Command("deploy", DEPLOY_FLAGS, args=("any",), run=cmd_deploy, use="deploy [WORKING_DIRECTORY]",
            mutating=True, api="gql"),
    Command("scale count", APP_FLAGS + [
        Flag("yes", "y", kind="bool", aliases=("auto-confirm",)), Flag("process-group", "g", aliases=("group",)),
        Flag("region", "r"), Flag("max-per-region"), Flag("with-new-volumes", kind="bool"), Flag("from-snapshot"),
        Flag("vm-size"), Flag("vm-memory"), Flag("vm-cpus"), Flag("vm-cpu-kind"), Flag("env", "e")],
        args=("any",), run=cmd_scale_count, use="scale count [count]", mutating=True, api="gql"),
    Command("scale show", APP_FLAGS + JSON_FLAG, run=cmd_scale_show, api="machines"),
    Command("scale memory", APP_FLAGS + [Flag("process-group", "g", aliases=("group",))], args=("any",),
            run=cmd_scale_memory, use="scale memory [memoryMB]", mutating=True, api="gql"),
    Command("machine list", APP_FLAGS + JSON_FLAG + [Flag("quiet", "q", kind="bool")], run=cmd_machine_list,
            api="machines"),
    Command("machine restart", APP_FLAGS + RESTART_FLAGS, args=("any",), run=cmd_machine_restart,
            use="machine restart [<id>...]", mutating=True, api="machines"),
    Command("apps restart", RESTART_FLAGS + [Flag("force-stop", kind="bool")], args=("any",),
            run=cmd_apps_restart, use="apps restart [APPNAME]", mutating=True, api="gql"),
    Command("secrets list", APP_FLAGS + JSON_FLAG, run=cmd_secrets_list, api="machines"),
    Command("secrets set", SECRET_FLAGS, args=("any",), run=cmd_secrets_set,
            use="secrets set [flags] NAME=VALUE NAME=VALUE ...", mutating=True, api="gql"),
    Command("secrets unset", SECRET_FLAGS, args=("any",), run=cmd_secrets_unset,
            use="secrets unset [flags] NAME NAME ...", mutating=True, api="gql"),
    Command("secrets import", SECRET_FLAGS, run=cmd_secrets_import, mutating=True, api="gql"),
    Command("secrets deploy", APP_FLAGS + [Flag("detach", kind="bool"), Flag("dns-checks", kind="bool")],
            run=cmd_secrets_deploy, mutating=True, api="gql"),
    Command("logs", APP_FLAGS + JSON_FLAG + [Flag("region", "r"), Flag("machine", "m", aliases=("instance",)),
                                             Flag("select", "s", kind="bool"), Flag("no-tail", "n", kind="bool")],
            run=cmd_logs, api="gql"),
    Command("checks list", APP_FLAGS + JSON_FLAG + [Flag("check-name")], run=cmd_checks_list, api="machines"),
    Command("image show", APP_FLAGS + JSON_FLAG, args=("any",), run=cmd_image_show, use="image show [MACHINE_ID]",
            api="gql"),
]
TOP_ALIASES = {"machines": "machine", "m": "machine", "app": "apps", "img": "image"}


def bool_flag_names(flags):
    names = set()
    for f in flags:
        if f.kind == "bool":
            names.add("--" + f.name)
            names.update("--" + a for a in f.aliases)
            if f.short:
                names.add("-" + f.short)
    return names


def find_command(words):
    """Cobra's command lookup: (path, indices of the path words, other positionals).

    Like cobra's stripFlags, a flag written without `=` that is not a known boolean flag of
    the command found so far consumes the next word as its value.
    """
    path, indices, rest = [], [], []
    flags = GLOBAL_FLAGS
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w == "--":
            break
        if w.startswith("-") and len(w) > 1:
            if "=" not in w and w not in bool_flag_names(flags) and (w.startswith("--") or len(w) == 2):
                i += 1
            continue
        if not rest:
            w2 = TOP_ALIASES.get(w, w) if not path else ("list" if w == "ls" else w)
            candidate = " ".join(path + [w2])
            if any(c.path == candidate or c.path.startswith(candidate + " ") for c in COMMANDS):
                path.append(w2)
                indices.append(i - 1)
                leaf = next((c for c in COMMANDS if c.path == candidate), None)
                flags = leaf.flags if leaf else GLOBAL_FLAGS
                continue
        rest.append(w)
    return " ".join(path), indices, rest


def redact(argv):
    out, hide_next = [], False
    in_set = len(argv) > 2 and "secrets" in argv and "set" in argv
    for w in argv:
        if hide_next:
            out.append("<redacted>")
            hide_next = False
            continue
        if w in ("-t", "--access-token"):
            out.append(w)
            hide_next = True
            continue
        if w.startswith("--access-token="):
            out.append("--access-token=<redacted>")
            continue
        if w.startswith("-t") and len(w) > 2 and not w.startswith("--"):
            out.append("-t<redacted>")
            continue
        if in_set and "=" in w and not w.startswith("-"):
            name, _eq, value = w.partition("=")
            out.append(w if value == "-" else name + "=<redacted>")
            continue
        out.append(w)
    return out


def record(argv, rc, mutating, source, path):
    try:
        with open(log_path(), "a") as f:
            f.write(json.dumps({"time": rfc3339(), "argv": redact(argv), "command": path, "rc": rc,
                                "mutating": mutating, "token_source": source, "cwd": os.getcwd()}) + "\n")
    except OSError:
        pass


def run(argv, stdin=None):
    """Run one flyctl command line; returns the exit code."""
    prog = os.path.basename(argv[0]) or "flyctl"
    if prog not in ("fly", "flyctl"):
        prog = "flyctl"
    words = argv[1:]
    path, indices, rest_positional = find_command(words)
    cmd = next((c for c in COMMANDS if c.path == path), None)
    mutating = bool(cmd and cmd.mutating and "--build-only" not in words)
    source, _tok = token_source({})
    rc = 0
    try:
        try:
            if not path:
                if not rest_positional:
                    sys.stdout.write("This is flyctl, the Fly.io command line interface.\n")
                    return 0
                raise CmdError('unknown command "%s" for "%s"' % (rest_positional[0], prog),
                               stdout="Run '%s --help' for usage.\n" % prog)
            if cmd is None:
                # a group without an action of its own: help, exit 0 (cobra's behaviour)
                sys.stdout.write("Usage:\n  %s %s [command]\n\nAvailable Commands:\n" % (prog, path))
                for c in COMMANDS:
                    if c.path.startswith(path + " "):
                        sys.stdout.write("  %s\n" % c.path[len(path) + 1:])
                return 0
            if cmd.args is None and rest_positional:
                raise CmdError('unknown command "%s" for "%s %s"' % (rest_positional[0], prog, path),
                               usage=True)
            values, args = parse_flags(cmd, [w for n, w in enumerate(words) if n not in indices])
            if flag(values, "access-token"):
                source = "flag"
            if values.get("help"):
                sys.stdout.write(cmd.usage(prog))
                return 0
            while True:
                try:
                    with locked_state(write=cmd.mutating) as state:
                        ctx = Ctx(prog, cmd, values, args, stdin)
                        cmd.run(ctx, state)
                    return 0
                except PollAgain:
                    # outside the lock, so that the buffer can fill meanwhile
                    time.sleep(0.25)
        except CmdError as exc:
            rc = exc.code
            if exc.stdout:
                sys.stdout.write(exc.stdout)
            sys.stderr.write("Error: %s\n" % exc.msg)
            if exc.usage and cmd is not None:
                sys.stdout.write(cmd.usage(prog))
            return rc
        except Exit as exc:
            rc = exc.code
            return rc
    finally:
        sys.stdout.flush()
        record(argv[1:], rc, mutating, source, path)


def main():
    try:
        rc = run(sys.argv, stdin=sys.stdin)
    except KeyboardInterrupt:
        rc = 127
    sys.exit(rc)


# ---------------------------------------------------------------------------------------
# Admin (tests only)
# ---------------------------------------------------------------------------------------

def image_ref(app_name):
    return "registry.fly.io/%s:deployment-%s" % (app_name, new_ulid())


def admin_init(opts):
    with locked_state() as state:
        state.setdefault("apps", {})
        if opts.token and opts.token not in state.setdefault("tokens", []):
            state["tokens"].append(opts.token)
        if opts.version:
            state["flyctl_version"] = opts.version
        app = empty_app(opts.app, url=opts.url, region=opts.region, memory=opts.memory)
        app["groups"] = opts.groups
        images = []
        for i in range(opts.releases):
            image = image_ref(opts.app)
            images.append(image)
            app["registry"].append(image)
            add_release(app, image, "complete", description="Release v%d" % (i + 1))
        if images:
            app["deployed"], app["status"] = True, "deployed"
            rel = current_release(app)
            for group in opts.groups:
                for i in range(opts.machines):
                    region = opts.regions[i % len(opts.regions)] if opts.regions else opts.region
                    new_machine(app, group, region, rel["ImageRef"], rel, app["vm"])
        app["debug_mappings"] = [
            {"teamsConversationId": "19:%s@thread.v2" % new_machine_id(), "freshchatConversationId": "fc-%d" % i,
             "createdAt": rfc3339()} for i in range(opts.mappings)]
        state["apps"][opts.app] = app
        print(json.dumps({"app": opts.app, "images": images,
                          "machines": [m["id"] for m in app["machines"]]}))


def admin_app(state, name):
    if name not in state["apps"]:
        sys.exit("no app %s in the double's state" % name)
    return state["apps"][name]


def admin_machine(app, ref):
    ms = active(app)
    return ms[int(ref[1:])] if ref.startswith("#") else next(x for x in ms if x["id"] == ref)


def admin_main(argv=None):
    p = argparse.ArgumentParser(prog="flyctl_double.py", description="Set up the flyctl double's state (tests).")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("init", help="create (or replace) an app: N complete releases, machines on the newest")
    s.add_argument("--app", required=True)
    s.add_argument("--url", default="", help="base URL of the app's local HTTP service")
    s.add_argument("--token", help="an access token the fake API accepts")
    s.add_argument("--releases", type=int, default=3)
    s.add_argument("--machines", type=int, default=2, help="machines per process group")
    s.add_argument("--region", default="nrt")
    s.add_argument("--regions", nargs="*", help="spread the machines over these regions")
    s.add_argument("--groups", nargs="*", default=["app"])
    s.add_argument("--memory", type=int, default=1024)
    s.add_argument("--mappings", type=int, default=3)
    s.add_argument("--version", help="flyctl version to imitate")
    s = sub.add_parser("show", help="print the state of an app")
    s.add_argument("--app", required=True)
    for name, hlp in (("prune-image", "the registry no longer holds IMAGE"),
                      ("break-image", "machines running IMAGE fail their health checks"),
                      ("fix-image", "undo break-image"), ("add-image", "push IMAGE to the registry")):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("--app", required=True)
        s.add_argument("image", help="image ref, or vN for the image of release N")
    s = sub.add_parser("add-log", help="append a log line")
    s.add_argument("--app", required=True)
    s.add_argument("--level", default="info")
    s.add_argument("--machine", help="machine id, or #N for the Nth machine (default: the first)")
    s.add_argument("message")
    s = sub.add_parser("clear-logs")
    s.add_argument("--app", required=True)
    s = sub.add_parser("redis-outage", help="Redis goes down: every started machine logs a Redis error (at "
                                            "level info, as app output is); health checks keep passing")
    s.add_argument("--app", required=True)
    s.add_argument("--end", action="store_true", help="Redis is back: every started machine logs Connected")
    for name, hlp in (("stop-machine", "put a machine in state stopped (its last checks stay, stale)"),
                      ("start-machine", "start a stopped machine (as Fly Proxy's autostart would)")):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("--app", required=True)
        s.add_argument("machine", help="machine id, or #N for the Nth machine")
    s = sub.add_parser("secret-matches", help="exit 0 when secret NAME holds exactly the value read from "
                                              "standard input (compared by digest; no value is printed)")
    s.add_argument("--app", required=True)
    s.add_argument("name")
    s = sub.add_parser("set-version")
    s.add_argument("version")
    s = sub.add_parser("mark", help="append a marker line to the call log")
    s.add_argument("label")
    opts = p.parse_args(argv)
    if opts.cmd == "init":
        return admin_init(opts)
    if opts.cmd == "mark":
        with open(log_path(), "a") as f:
            f.write(json.dumps({"time": rfc3339(), "marker": opts.label}) + "\n")
        return None
    with locked_state(write=opts.cmd != "show") as state:
        if opts.cmd == "set-version":
            state["flyctl_version"] = opts.version
            return None
        app = admin_app(state, opts.app)
        if opts.cmd == "show":
            print(json.dumps(app, indent=2, sort_keys=True))
        elif opts.cmd in ("prune-image", "break-image", "fix-image", "add-image"):
            image = opts.image
            if re.match(r"^v\d+$", image):
                image = next(r["ImageRef"] for r in app["releases"] if r["Version"] == int(image[1:]))
            if opts.cmd == "prune-image" and image in app["registry"]:
                app["registry"].remove(image)
            elif opts.cmd == "add-image" and image not in app["registry"]:
                app["registry"].append(image)
            elif opts.cmd == "break-image" and image not in app["broken_images"]:
                app["broken_images"].append(image)
            elif opts.cmd == "fix-image" and image in app["broken_images"]:
                app["broken_images"].remove(image)
            print(image)
        elif opts.cmd == "add-log":
            m = admin_machine(app, opts.machine) if opts.machine else next(iter(launch(app)), None)
            add_log(app, m, opts.message, level=opts.level)
        elif opts.cmd == "clear-logs":
            app["logs"] = []
        elif opts.cmd == "redis-outage":
            app["redis_down"] = not opts.end
            for m in launch(app):
                if m["state"] == "started":
                    add_log(app, m, "[Redis] Connected" if opts.end else REDIS_ERROR)
            print(" ".join(m["id"] for m in launch(app) if m["state"] == "started"))
        elif opts.cmd == "stop-machine":
            m = admin_machine(app, opts.machine)
            m["last_checks"] = checks_of(app, m)
            m["state"] = "stopped"
            machine_event(m, "exit", "stopped")
            print(m["id"])
        elif opts.cmd == "start-machine":
            m = admin_machine(app, opts.machine)
            m["state"] = "started"
            m.pop("last_checks", None)
            machine_event(m, "start", "started")
            boot_logs(app, m)
            print(m["id"])
        elif opts.cmd == "secret-matches":
            secret = app["secrets"].get(opts.name)
            if secret is None or secret["digest"] != digest_of(sys.stdin.read()):
                print("%s does not hold that value" % opts.name)
                sys.exit(1)
            print("%s holds that value" % opts.name)
    return None


if __name__ == "__main__":
    if sys.argv[1:2] == ["--as-flyctl"]:
        # tests/doubles/flyctl: `flyctl_double.py --as-flyctl <argv0> args...`
        sys.argv = sys.argv[2:]
        main()
    else:
        admin_main()
