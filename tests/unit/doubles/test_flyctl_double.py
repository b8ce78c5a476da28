# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flyctl double behaves as shared/reference/flyctl.md says flyctl v0.4.87 does, traps included."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DOUBLES = Path(__file__).resolve().parents[2] / "doubles"
FLYCTL = str(DOUBLES / "flyctl")
APP = "freshchat-bridge"
TOKEN = "tok-123"


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, FLYCTL_DOUBLE_STATE=str(tmp_path / "state.json"), FLY_API_TOKEN=TOKEN)
    e.pop("FLY_ACCESS_TOKEN", None)
    subprocess.run([sys.executable, str(DOUBLES / "flyctl_double.py"), "init", "--app", APP, "--token", TOKEN,
                    "--machines", "2"], env=e, check=True, capture_output=True)
    return e


def fly(env, *args, stdin=None, timeout=20, prog=FLYCTL):
    return subprocess.run([prog] + list(args), env=env, capture_output=True, text=True, input=stdin, timeout=timeout,
                          check=False)


def state(env):
    return json.loads(Path(env["FLYCTL_DOUBLE_STATE"]).read_text())["apps"][APP]


def calls(env):
    log = Path(env["FLYCTL_DOUBLE_STATE"]).parent / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_releases_rollback_does_not_exist(env):
    r = fly(env, "releases", "rollback", "3", "-a", APP)
    assert r.returncode == 1
    assert r.stderr == 'Error: unknown command "rollback" for "flyctl releases"\n'
    assert r.stdout.startswith("Usage:\n  flyctl releases [flags]")


def test_unknown_top_level_command(env):
    r = fly(env, "rollback")
    assert (r.returncode, r.stderr, r.stdout) == (1, 'Error: unknown command "rollback" for "flyctl"\n',
                                                  "Run 'flyctl --help' for usage.\n")


def test_program_name_follows_argv0(env, tmp_path):
    link = tmp_path / "fly"
    link.symlink_to(FLYCTL)
    r = fly(env, "releases", "rollback", prog=str(link))
    assert r.stderr == 'Error: unknown command "rollback" for "fly releases"\n'


def test_apps_restart_takes_no_app_flag(env):
    r = fly(env, "apps", "restart", "-a", APP)
    assert r.returncode == 1 and r.stderr == "Error: unknown shorthand flag: 'a' in -a\n"
    r = fly(env, "apps", "restart", APP)
    assert r.returncode == 0 and r.stdout.count("restarted successfully!") == 2


def test_apps_restart_restarts_only_started_machines(env):
    subprocess.run([sys.executable, str(DOUBLES / "flyctl_double.py"), "stop-machine", "--app", APP, "#0"],
                   env=env, check=True, capture_output=True)
    r = fly(env, "apps", "restart", APP)
    assert r.stdout.count("restarted successfully!") == 1
    assert [m["state"] for m in state(env)["machines"]] == ["stopped", "started"]


def test_json_only_where_flyctl_declares_it(env):
    r = fly(env, "scale", "count", "2", "-a", APP, "--json")
    assert r.returncode == 1 and r.stderr == "Error: unknown flag: --json\n"
    r = fly(env, "releases", "-a", APP, "--json")
    assert r.stdout.startswith('[\n    {\n        "ID": ')
    assert list(json.loads(r.stdout)[0]) == ["ID", "Version", "Stable", "InProgress", "Reason", "Description",
                                             "Status", "DeploymentStrategy", "Metadata", "User", "EvaluationID",
                                             "CreatedAt", "ImageRef"]
    status = json.loads(fly(env, "status", "-a", APP, "--json").stdout)
    assert list(status) == sorted(status)


def test_scale_count_zero_destroys_and_needs_yes(env):
    ids = {m["id"] for m in state(env)["machines"]}
    r = fly(env, "scale", "count", "0", "-a", APP)
    assert r.returncode == 1 and r.stderr == "Error: --yes flag must be specified when not running interactively\n"
    assert "-2 machines for group 'app' on region 'nrt'" in r.stdout
    assert {m["id"] for m in state(env)["machines"]} == ids
    r = fly(env, "scale", "count", "0", "-a", APP, "--yes")
    assert r.returncode == 0 and r.stdout.count("Destroyed ") == 2
    assert state(env)["machines"] == []
    assert json.loads(fly(env, "scale", "show", "-a", APP, "--json").stdout) == []
    r = fly(env, "scale", "count", "2", "-a", APP, "--yes")
    new = {m["id"] for m in state(env)["machines"]}
    assert len(new) == 2 and not new & ids
    r = fly(env, "scale", "count", "2", "-a", APP)
    assert r.returncode == 0 and r.stdout == "App already scaled to desired state. No need for changes\n"


def test_negative_relative_count_needs_double_dash(env):
    r = fly(env, "scale", "count", "-1", "-a", APP, "--yes")
    assert r.returncode == 1 and r.stderr == "Error: unknown shorthand flag: '1' in -1\n"
    r = fly(env, "scale", "count", "-a", APP, "--yes", "--", "-1")
    assert r.returncode == 0 and len(state(env)["machines"]) == 1


def test_secrets_set_redeploys_even_when_unchanged_unless_staged(env):
    releases = len(state(env)["releases"])
    assert fly(env, "secrets", "set", "K=value-one", "-a", APP).returncode == 0
    assert fly(env, "secrets", "set", "K=value-one", "-a", APP).returncode == 0
    assert len(state(env)["releases"]) == releases + 2
    r = fly(env, "secrets", "set", "K=value-one", "-a", APP, "--stage")
    assert "Secrets have been staged, but not set on VMs." in r.stdout
    assert len(state(env)["releases"]) == releases + 2
    listed = json.loads(fly(env, "secrets", "list", "-a", APP, "--json").stdout)
    assert listed == [{"name": "K", "digest": listed[0]["digest"], "status": "Staged"}]
    assert "value-one" not in Path(env["FLYCTL_DOUBLE_STATE"]).read_text()


def test_secret_values_never_in_the_call_log(env):
    fly(env, "secrets", "set", "K=hunter2-value", "-a", APP, "--stage")
    fly(env, "secrets", "set", "L=-", "-a", APP, "--stage", stdin="from-stdin-value\n")
    text = (Path(env["FLYCTL_DOUBLE_STATE"]).parent / "calls.jsonl").read_text()
    assert "hunter2-value" not in text and "from-stdin-value" not in text
    assert calls(env)[-2]["argv"][:3] == ["secrets", "set", "K=<redacted>"]
    assert calls(env)[-1]["argv"][2] == "L=-"


def test_secret_from_missing_stdin(env):
    r = subprocess.run([FLYCTL, "secrets", "set", "K=-", "-a", APP], env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, check=False)
    assert r.returncode == 1 and r.stderr == "Error: secret `K` expects standard input but none provided\n"


@pytest.mark.parametrize("version,keys", [("0.4.87", ["name", "digest", "status"]),
                                          ("0.4.5", ["name", "digest", "created_at", "updated_at"]),
                                          ("0.3.177", ["Name", "Digest", "CreatedAt"])])
def test_secrets_list_shape_per_version(env, version, keys):
    fly(env, "secrets", "set", "K=v", "-a", APP, "--stage")
    env2 = dict(env, FLYCTL_DOUBLE_VERSION=version)
    r = fly(env2, "secrets", "list", "-a", APP, "--json")
    assert list(json.loads(r.stdout)[0]) == keys


def test_deploy_of_a_pruned_image(env):
    image = state(env)["releases"][-1]["ImageRef"]
    subprocess.run([sys.executable, str(DOUBLES / "flyctl_double.py"), "prune-image", "--app", APP, image],
                   env=env, check=True, capture_output=True)
    r = fly(env, "deploy", "-a", APP, "--image", image, "--yes")
    assert r.returncode == 1
    assert r.stderr == 'Error: failed to fetch an image or build from source: could not find image "%s"\n' % image
    assert fly(env, "deploy", "-a", APP, "--image", image, "--build-only").returncode == 1
    assert len(state(env)["releases"]) == 3


def test_deploy_creates_a_release_with_the_old_image(env):
    old = state(env)["releases"][1]
    r = fly(env, "deploy", "-a", APP, "--image", old["ImageRef"], "--strategy", "immediate", "--yes")
    assert r.returncode == 0 and "with immediate strategy" in r.stdout
    new = state(env)["releases"][0]
    assert (new["Version"], new["ImageRef"], new["Status"]) == (4, old["ImageRef"], "complete")
    r = fly(env, "deploy", "-a", APP, "--image", old["ImageRef"], "--strategy", "fast")
    assert r.returncode == 1 and r.stderr == "Error: App configuration is not valid\n"
    assert "unsupported deployment strategy 'fast'" in r.stdout


def test_logs_no_tail_keeps_polling_on_an_empty_buffer(env):
    subprocess.run([sys.executable, str(DOUBLES / "flyctl_double.py"), "clear-logs", "--app", APP],
                   env=env, check=True, capture_output=True)
    with pytest.raises(subprocess.TimeoutExpired):
        fly(env, "logs", "-a", APP, "--no-tail", timeout=2)


def test_logs_formats(env):
    text = fly(env, "logs", "-a", APP, "--no-tail").stdout
    assert "\x1b[" in text and "[Redis] Connected" in text
    objs = fly(env, "logs", "-a", APP, "--no-tail", "--json").stdout
    assert objs.startswith('{\n    "level": "info",')
    assert "}\n{\n" in objs


@pytest.mark.parametrize("args,stderr", [
    (["status", "-a", "nope"], 'Could not find App "nope"'),
    (["machine", "list", "-a", "nope"], "Error: failed to list VMs: app not found (Request ID: "),
    (["scale", "show", "-a", "nope"], "Error: failed to list VMs even after retries: app not found"),
    (["logs", "-a", "nope", "--no-tail"], "Error: 404 Not Found"),
    (["deploy", "-a", "nope", "--image", "x"], "Error: the app name nope could not be found"),
    (["status"], "Error: the config for your app is missing an app name"),
])
def test_not_found_texts(env, args, stderr):
    r = fly(env, *args)
    assert r.returncode == 1 and stderr in r.stderr


def test_auth(env):
    no_token = dict(env)
    no_token.pop("FLY_API_TOKEN")
    r = fly(no_token, "status", "-a", APP)
    assert r.stderr == "Error: no access token available. Please login with 'flyctl auth login'\n"
    assert fly(dict(env, FLY_API_TOKEN="bad"), "status", "-a", APP).stderr == \
        "Error: You must be authenticated to view this.\n"
    r = fly(no_token, "status", "-a", APP, "-t", TOKEN)
    assert r.returncode == 0
    assert calls(env)[-1]["argv"] == ["status", "-a", APP, "-t", "<redacted>"]
    assert calls(env)[-1]["token_source"] == "flag"


def test_group_without_action_prints_help_and_exits_0(env):
    r = fly(env, "scale", "bogus")
    assert r.returncode == 0 and "Available Commands:" in r.stdout


def test_call_log_marks_mutating_commands(env):
    fly(env, "status", "-a", APP, "--json")
    fly(env, "deploy", "-a", APP, "--image", state(env)["releases"][0]["ImageRef"], "--build-only")
    fly(env, "scale", "count", "2", "-a", APP)
    assert [(c["command"], c["mutating"]) for c in calls(env)] == [
        ("status", False), ("deploy", False), ("scale count", True)]
