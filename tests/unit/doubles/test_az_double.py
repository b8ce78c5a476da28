# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The az double prints `az ad app credential list` as the Azure CLI does."""
from __future__ import annotations

import datetime
import json
import os
import subprocess
from pathlib import Path

AZ = str(Path(__file__).resolve().parents[2] / "doubles" / "az")
APP_ID = "6a46afe9-3109-4af6-a0f9-275f6fddf929"


def az(env, *args):
    return subprocess.run([AZ] + list(args), env=env, capture_output=True, text=True, timeout=20, check=False)


def test_credential_list(tmp_path):
    env = dict(os.environ, AZ_DOUBLE_STATE=str(tmp_path / "az.json"))
    assert az(env, "--double-init", APP_ID, "bridge-secret=120", "old=10").returncode == 0
    r = az(env, "ad", "app", "credential", "list", "--id", APP_ID)
    assert r.returncode == 0 and r.stdout.startswith('[\n  {\n    "customKeyIdentifier": null,')
    creds = json.loads(r.stdout)
    assert [list(c) for c in creds] == [["customKeyIdentifier", "displayName", "endDateTime", "hint", "keyId",
                                         "startDateTime"]] * 2
    end = datetime.datetime.strptime(creds[0]["endDateTime"][:19], "%Y-%m-%dT%H:%M:%S")
    days = (end - datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)).days
    assert days in (119, 120)
    assert json.loads(az(env, "ad", "app", "credential", "list", "--id", APP_ID, "--cert").stdout) == []


def test_errors(tmp_path):
    env = dict(os.environ, AZ_DOUBLE_STATE=str(tmp_path / "az.json"))
    r = az(env, "ad", "app", "credential", "list", "--id", APP_ID)
    assert r.returncode == 1 and r.stderr == "ERROR: Please run 'az login' to setup account.\n"
    az(env, "--double-init", APP_ID, "s=1")
    r = az(env, "ad", "app", "credential", "list", "--id", "nope")
    assert r.returncode == 3 and "Resource 'nope' does not exist" in r.stderr
    assert az(env, "ad", "app", "credential", "list").returncode == 2
