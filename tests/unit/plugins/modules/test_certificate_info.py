# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import stat
import sys

import pytest
from ansible.module_utils.testing import patch_module_args
from certs import make_cert

from ansible_collections.oncall.runbooks.plugins.modules import certificate_info


def run(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            certificate_info.main()
    return json.loads(capsys.readouterr().out)


def lineage(config, name, names, days=10.0):
    live = config / "live" / name
    live.mkdir(parents=True)
    (live / "cert.pem").write_bytes(make_cert(names, days=days)[0])


def test_files_by_wildcard(tmp_path, capsys):
    (tmp_path / "a.pem").write_bytes(make_cert(("a.test",), days=3)[0])
    (tmp_path / "b.pem").write_bytes(make_cert(("b.test",), days=30)[0])
    out = run(capsys, {"paths": [str(tmp_path / "*.pem")]})
    assert [c["names"] for c in out["certificates"]] == [["a.test"], ["b.test"]]
    assert [c["kind"] for c in out["certificates"]] == ["file", "file"]
    assert out["certificates"][0]["days_remaining"] < 3.01 and out["changed"] is False


def test_missing_file(tmp_path, capsys):
    out = run(capsys, {"paths": [str(tmp_path / "none-*.pem")]})
    assert out["failed"] is True and out["msg"].startswith("no certificate file matches")
    assert run(capsys, {"paths": [str(tmp_path / "none-*.pem")], "missing_ok": True})["certificates"] == []


def test_nothing_to_read(capsys):
    out = run(capsys, {})
    assert out["failed"] is True and out["msg"] == "nothing to read: give paths, endpoints or lineages=true"


def test_lineages_with_certbot_verdict(tmp_path, capsys):
    """A lineage certbot does not list (renewal conf missing) is reported as not renewable."""
    config = tmp_path / "etc"
    lineage(config, "app.test", ("app.test", "www.app.test"))
    lineage(config, "orphan.test", ("orphan.test",))
    (config / "live" / "README").write_text("certbot's README, not a lineage")
    certbot = tmp_path / "certbot"
    listing = ("Found the following certs:\n  Certificate Name: app.test\n    Serial Number: 1\n"
               "    Key Type: ECDSA\n    Domains: app.test www.app.test\n"
               "    Expiry Date: 2026-12-02 02:38:23+00:00 (VALID: 9 days)\n"
               "    Certificate Path: x\n    Private Key Path: y\n")
    certbot.write_text("#!%s\nimport sys\nassert sys.argv[1] == 'certificates'\nprint(%r)\n" % (sys.executable, listing))
    certbot.chmod(certbot.stat().st_mode | stat.S_IXUSR)
    out = run(capsys, {"lineages": True, "config_dir": str(config), "certbot_binary": str(certbot),
                       "logs_dir": str(tmp_path / "log"), "work_dir": str(tmp_path / "lib")})
    app, orphan = out["certificates"]
    assert (app["cert_name"], app["renewable"], app["certbot_status"]) == ("app.test", True, "VALID: 9 days")
    assert (orphan["cert_name"], orphan["renewable"], orphan["certbot_status"]) == ("orphan.test", False, None)


def test_not_a_certbot_directory(tmp_path, capsys):
    certbot = tmp_path / "certbot"
    certbot.write_text("#!/bin/sh\nexit 0\n")
    certbot.chmod(0o755)
    out = run(capsys, {"lineages": True, "config_dir": str(tmp_path), "certbot_binary": str(certbot)})
    assert out["failed"] is True and "is not a certbot configuration directory (no live/)" in out["msg"]
