# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Seed 001's docker-compose host as the runbook defines it, observed and changed.

- The environment: `.env.server.prod` and `application/.env.application.prod`, loaded as
  section 2 step 1 does (`set -a; . file`), then BE_TAG / FE_TAG of the run.
- The backends: services `backend-blue` / `backend-green` of the application's compose
  project, found by Compose's labels (project named as Compose would name it).
- The gateway: service `nginx` of the gateway's compose project, started from `gateway/`
  with `--env-file .env.gateway.prod`; the colour is NGINX_BACKEND_HOST in
  `gateway/nginx/.env.production`, which the official nginx image renders into its config
  from /etc/nginx/templates when the container starts.
- Which colour serves is seen as section 2 step 3 sees it: a request through the gateway
  lands in exactly one colour's container log (a unique marker in its query string); a
  response header or JSON field can be named instead where the app has one.

Switching (gateway.mode):
- template: NGINX_BACKEND_HOST re-rendered into the running gateway (the image's own
  templates, Python envsubst), `nginx -t`, graceful `nginx -s reload`; then the env file is
  written in place, so the running config, the file and a later `up -d` agree. No request
  is dropped.
- include: an upstream include file on the host, rewritten atomically, `nginx -t`, reload.
- recreate: the seed's literal way, NGINX_BACKEND_HOST written, then `up -d` of the gateway
  (recreates the container: requests are dropped while it restarts).
- auto: include when that file exists, else template when the gateway has templates.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import functools
import os
import time
import uuid

from ansible_collections.oncall.runbooks.plugins.module_utils import env_file, nginx_template
from ansible_collections.oncall.runbooks.plugins.module_utils.bluegreen import (
    COLORS,
    SAFE_PATH,
    BlueGreenError,
    Observed,
    check_state,
    initial_state,
    other,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.cli_output import last_lines
from ansible_collections.oncall.runbooks.plugins.module_utils.docker_cli import (
    DockerError,
    container_summary,
    project_name,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.http_probe import (
    TRANSPORT_ERRORS,
    decode_json,
    request,
)
from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    now_iso,
    read_state,
    write_state,
)

BACKEND_VAR = "NGINX_BACKEND_HOST"


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


def with_marker(url, marker):
    return "%s%soncall-probe=%s" % (url, "&" if "?" in url else "?", marker)


class Host:
    """Observation and actions on one seed-001 host. `p` are the module's parameters."""

    def __init__(self, docker, p, sleep=time.sleep):
        self.docker = docker
        self.p = p
        self.sleep = sleep
        root = p["server_root"]
        if not os.path.isdir(root):
            raise BlueGreenError("server_root %s does not exist (seed 001's ~/srv/web_project): set "
                                 "bluegreen_server_root to the deployment's folder" % root)
        self.root = root
        self.state_path = os.path.join(root, "deploy-state.json")
        self.app_compose = os.path.join(root, p["compose_file"])
        if not os.path.isfile(self.app_compose):
            raise BlueGreenError("the application's compose file %s does not exist: set compose_file "
                                 "relative to server_root" % self.app_compose)
        self.env_paths = [os.path.join(root, f) for f in p["env_files"]]
        self.env = {}
        for path in self.env_paths:                 # section 2 step 1, in the seed's order
            self.env.update(env_file.read(path) or {})
        self.project = project_name(self.app_compose, self.env, p["project"])
        gw = p["gateway"]
        self.gw = gw
        self.hosts = gw.get("hosts") or {"blue": "backend-blue", "green": "backend-green"}
        self.gw_compose = os.path.join(root, gw["compose_file"])
        self.gw_compose_env = os.path.join(root, gw["compose_env_file"])
        self.gw_env = env_file.read(self.gw_compose_env) or {}
        self.gw_project = project_name(self.gw_compose, self.gw_env, gw["project"])
        self.backend_env_file = os.path.join(root, gw["env_file"])
        self.upstream_file = os.path.join(root, gw["upstream_file"])
        self.log = []
        self.warnings = []
        self._flavours = {}
        self._gateway = None
        self._mode = None
        self._templates = None      # read once per observation; dropped when the config is written

    # -- Compose --------------------------------------------------------------------

    def flavour(self, project):
        """The Compose that made the project's containers (never mix v1 and v2 on a project)."""
        if project not in self._flavours:
            found, version = self.docker.project_flavour(project)
            wanted = self.p["compose"]
            if wanted != "auto":
                if found and found != wanted:
                    self.warnings.append("compose=%s on project %s, whose containers Compose %s made: "
                                         "Compose recreates them" % (wanted, project, version))
                self._flavours[project] = wanted
            elif found and found not in self.docker.compose_flavours():
                raise BlueGreenError(
                    "the containers of compose project %s were made by Compose %s, which is not "
                    "installed here; running the other Compose would recreate them. Install it, or "
                    "set compose=%s to accept that" % (project, version, "v2" if found == "v1" else "v1"))
            else:
                self._flavours[project] = found
        return self._flavours[project]

    def compose_env(self, tag=None):
        env = dict(self.env)
        if tag:
            env["BE_TAG"] = tag
        if self.p.get("fe_tag"):
            env["FE_TAG"] = self.p["fe_tag"]
        return env

    def app_compose_run(self, args, tag=None):
        self.docker.compose(self.app_compose, self.project, args, env=self.compose_env(tag),
                            flavour=self.flavour(self.project))

    # -- observation ----------------------------------------------------------------

    def probe(self, url, timeout=2.0):
        """(status, headers, body) or (None, None, None)."""
        try:
            return request(url, timeout=timeout, use_proxy=False)
        except TRANSPORT_ERRORS:
            return None, None, None

    def backend(self, color):
        found = [container_summary(c) for c in self.docker.containers(self.project, "backend-%s" % color)]
        running = [c for c in found if c["running"]]
        if not running:
            return {"running": False, "healthy": False, "tag": None, "containers": found}
        c = running[0]
        status, _h, _b = self.probe("http://%s%s" % (self.p["backends"][color], self.p["health_path"]))
        healthy = status == 200 and c["health"] in (None, "healthy")
        return {"running": True, "healthy": healthy, "tag": c["tag"], "containers": found}

    def gateway(self):
        """`docker inspect` of the running gateway container."""
        if self._gateway is None:
            found = self.docker.containers(self.gw_project, self.gw["service"])
            running = [c for c in found if (c.get("State") or {}).get("Running")]
            if not running:
                raise BlueGreenError(
                    "no running gateway: service %s of compose project %s has %s. Start it as seed "
                    "001 section 2 step 3 does (cd gateway && docker compose -f %s --env-file %s up -d) "
                    "or set gateway.project" % (self.gw["service"], self.gw_project,
                                                "no container" if not found else "no running container",
                                                os.path.basename(self.gw_compose),
                                                os.path.basename(self.gw_compose_env)))
            self._gateway = running[0]
        return self._gateway

    def gateway_id(self):
        return self.gateway()["Id"][:12]

    def templates(self):
        """({template path: text}, {output path: (text, mode, uid, gid)}, container env) of the
        gateway's template mechanism; templates {} when it has none. Read from the container
        once, until the config is written or the gateway recreated."""
        if self._templates is None:
            self._templates = self._read_templates()
        return self._templates

    def _read_templates(self):
        env = nginx_template.container_env(self.gateway())
        tdir, _suffix, odir, _filter = nginx_template.settings(env)
        try:
            templates = dict((k, v[0]) for k, v in
                             nginx_template.read_tar(self.docker.copy_from(self.gateway_id(), tdir)).items())
        except DockerError:
            return {}, {}, env
        try:
            outputs = nginx_template.read_tar(self.docker.copy_from(self.gateway_id(), odir))
        except DockerError:
            outputs = {}
        return templates, outputs, env

    def mode(self):
        if self._mode is None:
            mode = self.gw["mode"]
            if mode == "auto":
                if os.path.exists(self.upstream_file):
                    mode = "include"
                elif self.templates()[0]:
                    mode = "template"
                else:
                    raise BlueGreenError(
                        "the gateway has neither the upstream include %s nor templates in the "
                        "container (the official nginx image's /etc/nginx/templates): it cannot be "
                        "switched without a restart. Set gateway.mode=recreate to switch it the "
                        "seed's way (up -d, drops requests)" % self.upstream_file)
            self._mode = mode
        return self._mode

    def rendered(self, color, templates, env):
        env = dict(env)
        env[BACKEND_VAR] = self.hosts[color]
        return nginx_template.render(templates, env)

    def gateway_target(self):
        """Colour the gateway's running configuration names, or None."""
        if self.mode() == "include":
            try:
                with open(self.upstream_file) as f:
                    text = f.read()
            except FileNotFoundError:
                return None
            for color, address in self.p["backends"].items():
                if "server %s;" % address in text:
                    return color
            return None
        templates, outputs, env = self.templates()
        if not templates:
            return None
        running = dict((k, v[0]) for k, v in outputs.items())
        for color in COLORS:
            want = self.rendered(color, templates, env)
            if all(running.get(k) == v for k, v in want.items()):
                return color
        return None

    def configured(self):
        """Colour NGINX_BACKEND_HOST names in the gateway's env file, or None."""
        values = env_file.read(self.backend_env_file) or {}
        return self.color_of_host(values.get(BACKEND_VAR))

    def restart_color(self):
        """Colour the gateway would render if it were restarted (its container's env)."""
        return self.color_of_host(nginx_template.container_env(self.gateway()).get(BACKEND_VAR))

    def color_of_host(self, value):
        for color, host in self.hosts.items():
            if value and value.split(":")[0] == host:
                return color
        return None

    def color_of_answer(self, headers, body):
        if self.gw.get("color_header"):
            value = headers.get(self.gw["color_header"]) if headers is not None else None
        else:
            data = decode_json(body)[1] if body else None
            value = data.get(self.gw["color_field"]) if isinstance(data, dict) else None
        value = str(value) if value is not None else None
        return value if value in COLORS else self.color_of_host(value)

    def answered_by(self, count=1):
        """{"blue": n, "green": n, None: n, "failed": n} for `count` fresh requests through the
        gateway: which colour answered each (its container log, or the configured header or
        JSON field)."""
        tally = {"blue": 0, "green": 0, None: 0, "failed": 0}
        by_answer = bool(self.gw.get("color_header") or self.gw.get("color_field"))
        since = time.time() - 1
        markers = []
        for _i in range(count):
            marker = uuid.uuid4().hex
            status, headers, body = self.probe(with_marker(self.gw["url"], marker))
            if status is None or status >= 500:
                tally["failed"] += 1
            elif by_answer:
                tally[self.color_of_answer(headers, body)] += 1
            else:
                markers.append(marker)
        if not markers:
            return tally
        containers = dict((c, self.docker.running_ids(self.project, "backend-%s" % c)) for c in COLORS)
        for attempt in range(5):                   # a log line may reach `docker logs` a little late
            logs = dict((c, "".join(self.docker.logs_since(i, since) for i in ids))
                        for c, ids in containers.items())
            seen = dict((m, [c for c in COLORS if m in logs[c]]) for m in markers)
            if all(seen.values()) or attempt == 4:
                break
            self.sleep(0.1)
        for m in markers:
            tally[seen[m][0] if len(seen[m]) == 1 else None] += 1
        return tally

    def serving(self):
        tally = self.answered_by(1)
        for color in COLORS:
            if tally[color]:
                return color
        return None

    def logs_volume_missing(self):
        """The seed's prepare creates the nginx-logs volume when it is missing; a path in
        NGINX_LOGS_MOUNT must exist (a bind mount)."""
        mount = self.env.get("NGINX_LOGS_MOUNT") or self.gw_env.get("NGINX_LOGS_MOUNT") or "nginx-logs"
        if mount.startswith(("/", ".", "~")):
            path = os.path.join(os.path.dirname(self.gw_compose), os.path.expanduser(mount))
            if not os.path.isdir(path):
                raise BlueGreenError("NGINX_LOGS_MOUNT is %s, which is not a folder: create it (the "
                                     "gateway and monitoring share it) and run prepare again" % mount)
            return None
        rc, _out, _err = self.docker.run([self.docker.docker, "volume", "inspect", mount], check=False)
        return mount if rc != 0 else None

    def frontend_synced(self):
        fe = self.p.get("frontend")
        if not fe or not self.p.get("fe_tag"):
            return True
        self.check_frontend(fe)
        rc, _out, _err = self.docker.run(
            [self.docker.docker, "run", "--rm", "--pull", "never", "-v", "%s:/oncall-dist:ro" % fe["volume"],
             "--entrypoint", "diff", "%s:%s" % (fe["image"], self.p["fe_tag"]), "-rq",
             fe["dist_path"].rstrip("/") + "/", "/oncall-dist/"], check=False)
        return rc == 0

    def observe(self, phase=None, frontend=True):
        self._templates = None          # a fresh look at the gateway
        backends = dict((c, self.backend(c)) for c in COLORS)
        return Observed(backends, self.serving(), self.gateway_target(),
                        self.frontend_synced() if frontend else True,
                        self.logs_volume_missing() if phase in ("prepare", "full") else None,
                        self.configured())

    def report(self, state, observed=None):
        """What bluegreen_info returns: `state` against what runs and serves (a fresh look
        unless `observed` is given), what the gateway's config and env file name, and what a
        restart of the gateway would serve."""
        observed = observed or self.observe(frontend=False)
        mode = self.mode()
        active = state["activeColor"] if state else None
        return dict(
            state=state,
            backends=dict((c, dict((k, v) for k, v in b.items() if k != "containers"))
                          for c, b in observed.backends.items()),
            serving=observed.serving, gateway_target=observed.gateway_target,
            configured=observed.configured,
            restart_color=self.restart_color() if mode != "include" else None,
            gateway_mode=mode, project=self.project,
            consistent=bool(active) and active == observed.serving == observed.gateway_target
            and observed.configured in (None, active) and observed.up(active))

    def load_state(self, observed):
        data = read_state(self.state_path)
        if data is None:
            # No state file yet: adopt what the gateway serves (blue when nothing answers).
            return initial_state(observed.serving or observed.gateway_target or "blue"), True
        return check_state(data, self.state_path), False

    # -- steps ----------------------------------------------------------------------

    def create_logs_volume(self, name):
        self.docker.run([self.docker.docker, "volume", "create", name])
        self.log.append("created the %s volume the gateway and monitoring share" % name)

    @staticmethod
    def check_frontend(fe):
        if not SAFE_PATH.match(fe["dist_path"]):
            raise BlueGreenError("frontend.dist_path %r has characters other than letters, digits "
                                 "and ._-/" % fe["dist_path"])

    def frontend(self, fe_tag):
        fe = self.p["frontend"]
        self.check_frontend(fe)
        image = "%s:%s" % (fe["image"], fe_tag)
        base = [self.docker.docker, "run", "--rm", "--pull", "never", "-v", "%s:/oncall-dist" % fe["volume"],
                "--entrypoint"]
        self.docker.run([self.docker.docker, "volume", "create", fe["volume"]])
        # Replace the volume's content with the build in the image (no shell: two commands).
        self.docker.run(base + ["find", image, "/oncall-dist", "-mindepth", "1", "-delete"])
        self.docker.run(base + ["cp", image, "-a", fe["dist_path"].rstrip("/") + "/.", "/oncall-dist/"])
        self.log.append("frontend %s copied into volume %s" % (fe_tag, fe["volume"]))

    def start(self, color, tag):
        service = "backend-%s" % color
        if not self.p["skip_pull"]:
            self.app_compose_run(["pull", service], tag)
        self.app_compose_run(["up", "-d", "--no-deps", service], tag)
        url = "http://%s%s" % (self.p["backends"][color], self.p["health_path"])
        deadline = time.monotonic() + self.p["health_timeout"]
        streak, status = 0, None
        while time.monotonic() < deadline:
            status, _h, _b = self.probe(url)
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

    def nginx(self, args, what):
        rc, out, err = self.docker.exec_(self.gateway_id(), ["nginx"] + args, check=False)
        if rc != 0:
            raise BlueGreenError("%s: %s" % (what, last_lines(err or out)))

    def apply(self, color):
        """Make the gateway's running config name `color`; returns an undo function."""
        mode = self.mode()
        if mode == "recreate":
            before = self.configured() or other(color)
            self.recreate_with(color)
            return functools.partial(self.recreate_with, before)
        restore = self.write_include(color) if mode == "include" else self.write_templates(color)
        try:
            self.nginx(["-t"], "the gateway's configuration for %s is invalid (nginx -t)" % color)
            self.nginx(["-s", "reload"], "the gateway refused to reload")
        except BlueGreenError as exc:
            restore()
            raise BlueGreenError("%s; its configuration was put back, nothing switched" % exc)

        def undo():
            restore()
            self.nginx(["-s", "reload"], "the gateway refused to reload")
        return undo

    def recreate_with(self, color):
        """The seed's way: NGINX_BACKEND_HOST written, then `up -d` recreates the gateway."""
        env_file.set_value(self.backend_env_file, BACKEND_VAR, self.hosts[color])
        self.recreate_gateway()

    def write_include(self, color):
        """Rewrite the upstream include; returns what puts the previous one back."""
        try:
            with open(self.upstream_file) as f:
                before = f.read()
        except FileNotFoundError:
            before = None
        env_file.write_atomic(self.upstream_file, upstream_conf(self.p["backends"][color], color),
                              like=self.upstream_file, mode=0o644)
        if before is None:
            return functools.partial(os.remove, self.upstream_file)
        return functools.partial(env_file.write_atomic, self.upstream_file, before, like=self.upstream_file)

    def write_templates(self, color):
        """Re-render the gateway's templates for `color` into its running config (only the files
        that change, modes and owners kept); returns what puts the previous files back."""
        templates, outputs, env = self.templates()
        want = self.rendered(color, templates, env)
        odir = nginx_template.settings(env)[2]
        changed = dict((k, (v,) + tuple(outputs[k][1:]) if k in outputs else (v, 0o644, 0, 0))
                       for k, v in want.items() if (outputs.get(k) or ("",))[0] != v)
        self.copy_config(odir, changed)
        return functools.partial(self.copy_config, odir, dict((k, outputs[k]) for k in changed if k in outputs))

    def copy_config(self, odir, files):
        self._templates = None
        if files:
            self.docker.copy_to(self.gateway_id(), odir, nginx_template.write_tar(files))

    def recreate_gateway(self):
        env_path = self.gw_compose_env if os.path.exists(self.gw_compose_env) else None
        self.docker.compose(self.gw_compose, self.gw_project, ["up", "-d", "--no-deps", self.gw["service"]],
                            env_file=env_path, flavour=self.flavour(self.gw_project))
        self._gateway = self._templates = None

    def confirm(self, color, timeout=None):
        """`confirm_requests` fresh requests in a row through the gateway answered by `color`;
        returns the last tally, or raises."""
        timeout = self.gw["confirm_timeout"] if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            tally = self.answered_by(self.gw["confirm_requests"])
            if tally[color] == self.gw["confirm_requests"]:
                return tally
            if time.monotonic() >= deadline:
                raise BlueGreenError("the gateway did not answer from %s within %ds (last %d requests: %s)"
                                     % (color, timeout, self.gw["confirm_requests"], describe_tally(tally)))
            self.sleep(0.2)

    def switch(self, color):
        """Point the gateway at `color` and confirm; undo and verify the undo on failure."""
        old = other(color)
        undo = self.apply(color)
        try:
            self.confirm(color)
        except BlueGreenError as exc:
            raise BlueGreenError("switch to %s not confirmed: %s; %s" % (color, exc, self.switch_back(undo, old)))
        if self.mode() != "recreate" and os.path.exists(self.backend_env_file):
            before = (env_file.read(self.backend_env_file) or {}).get(BACKEND_VAR)
            if env_file.set_value(self.backend_env_file, BACKEND_VAR, self.hosts[color]):
                self.log.append("%s=%s written to %s" % (BACKEND_VAR, self.hosts[color],
                                                         os.path.relpath(self.backend_env_file, self.root)))
                config_undo = undo

                def undo():       # a later switch-back puts the env file back too
                    env_file.set_value(self.backend_env_file, BACKEND_VAR, before or self.hosts[old])
                    config_undo()
        self.log.append("gateway switched to %s (%s), confirmed by %d requests"
                        % (color, self.mode(), self.gw["confirm_requests"]))
        if self.mode() == "template" and self.restart_color() not in (None, color):
            self.warnings.append(
                "the gateway container was created with %s=%s: until it is recreated, a `docker restart` "
                "of it would serve %s again, and a manual switch back (the env file set to %s, then "
                "`up -d`) would change nothing, since Compose sees the container's own value: switch "
                "with this module, or use `up -d --force-recreate`"
                % (BACKEND_VAR, self.hosts[other(color)], other(color), self.hosts[other(color)]))
        self.undo = undo
        return undo

    def switch_back(self, undo, color, since=None):
        """Undo a switch and say what is true afterwards (with `since`, how long after that
        moment the gateway was put back)."""
        try:
            undo()
            took = "" if since is None else " %.1f s after the first failed request" % (time.monotonic() - since)
            tally = self.confirm(color, timeout=max(5, self.gw["confirm_timeout"]))
        except (BlueGreenError, DockerError) as exc:
            return "switching back to %s could NOT be verified (%s): check the gateway now" % (color, exc)
        return "switched back to %s%s (verified: %s)" % (color, took, describe_tally(tally))

    def watch(self, color):
        """Post-switch window through the gateway: `watch_max_failures` failures in a row switch
        back at once; over `watch_max_error_pct` % failed at the end switch back too."""
        seconds = self.p["watch_seconds"]
        if seconds <= 0:
            return
        deadline = time.monotonic() + seconds
        total = bad = streak = 0
        first_failure = None
        while time.monotonic() < deadline:
            status, _h, _b = self.probe(self.gw["url"], timeout=1.0)
            total += 1
            if status is None or status >= 500:
                bad += 1
                streak += 1
                first_failure = first_failure if streak > 1 else time.monotonic()
                if streak >= self.p["watch_max_failures"]:
                    break
            else:
                streak = 0
            self.sleep(0.1)
        pct = 100.0 * bad / max(total, 1)
        reason = None
        if streak >= self.p["watch_max_failures"]:
            reason = "%d requests in a row through the gateway failed" % streak
        elif pct > self.p["watch_max_error_pct"]:
            reason = "%.0f%% of %d requests through the gateway failed within %ds" % (pct, total, seconds)
        else:
            tally = self.answered_by(1)
            if not tally[color]:
                reason = "the gateway no longer answers from %s (%s)" % (color, describe_tally(tally))
        if reason:
            outcome = self.switch_back(self.undo, other(color), first_failure if streak else None)
            raise BlueGreenError("post-switch check failed: %s; %s" % (reason, outcome))
        self.log.append("watched %s for %ds: %d requests, %.1f%% failed" % (color, seconds, total, pct))

    def remove(self, color):
        service = "backend-%s" % color
        self.app_compose_run(["stop", service], self.p.get("be_tag"))
        self.app_compose_run(["rm", "-f", service], self.p.get("be_tag"))

    def stop(self, color, after_switch):
        if after_switch and self.p["scale_down_delay"] > 0:
            self.sleep(self.p["scale_down_delay"])
        self.remove(color)
        self.log.append("stopped backend-%s" % color)

    def tag_file(self, name):
        """The env file of section 2 step 1 that sets `name` (seed 3.1 step 3), else the
        first that exists."""
        existing = [p for p in self.env_paths if os.path.exists(p)]
        for path in reversed(existing):              # the last one loaded wins
            if name in (env_file.read(path) or {}):
                return path
        return existing[0] if existing else None

    def record(self, state, changes, phase):
        new = dict(state, **changes)
        if "backendTag" in state and "beTag" in changes:
            new["backendTag"] = changes["beTag"]         # an earlier version's key, kept in step
        new["updatedAt"] = now_iso()
        history = list(state.get("history", []))
        history.append({"at": new["updatedAt"], "phase": phase, "from": state["activeColor"],
                        "to": new["activeColor"], "tag": new.get("beTag")})
        new["history"] = history[-50:]
        write_state(self.state_path, new)
        # Seed 3.1 step 3: the tags live in the env files, so a later manual `up -d` keeps them.
        for key, var in (("beTag", "BE_TAG"), ("feTag", "FE_TAG")):
            path = self.tag_file(var)
            if key in changes and changes[key] and path:
                if env_file.set_value(path, var, changes[key]):
                    self.log.append("%s=%s written to %s" % (var, changes[key], os.path.relpath(path, self.root)))
        return new

    def run(self, state, steps, phase):
        switched = False
        self.undo = None
        for step in steps:
            kind = step[0]
            if kind == "logs":
                self.create_logs_volume(step[1])
            elif kind == "frontend":
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


def describe_tally(tally):
    parts = ["%d from %s" % (tally[c], c) for c in COLORS if tally.get(c)]
    if tally.get(None):
        parts.append("%d from no single colour" % tally[None])
    if tally.get("failed"):
        parts.append("%d failed" % tally["failed"])
    return ", ".join(parts) or "no answer"
