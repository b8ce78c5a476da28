# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""certbot_certificate's decisions, against a stand-in certbot that records its calls.

The real certbot (2.1, against Pebble) runs in molecule/certbot; here the stand-in only writes
a certificate where certbot would, or fails the way certbot does, so every branch is seen."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.runbooks.plugins.modules import certbot_certificate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "certbot"
UNIT = Path(__file__).resolve().parents[2]

FAKE = '''#!%(python)s
import json, os, sys
sys.path.insert(0, %(unit)r)
argv = sys.argv[1:]
with open(os.environ["FAKE_CERTBOT_LOG"], "a") as log:
    log.write(json.dumps(argv) + "\\n")
mode = os.environ.get("FAKE_CERTBOT_MODE", "ok")
if mode == "fail":
    sys.stdout.write(open(%(failure)r).read())
    sys.exit(1)
if argv[0] == "certonly" and "--dry-run" not in argv and mode != "silent":
    from certs import make_cert
    names = [argv[i + 1] for i, a in enumerate(argv) if a == "-d"]
    live = os.path.join(argv[argv.index("--config-dir") + 1], "live", argv[argv.index("--cert-name") + 1])
    os.makedirs(live, exist_ok=True)
    cert = make_cert(tuple(names), days=float(os.environ.get("FAKE_CERTBOT_DAYS", "10")))[0]
    with open(os.path.join(live, "cert.pem"), "wb") as f:
        f.write(cert)
'''


@pytest.fixture()
def certbot(tmp_path, monkeypatch):
    script = tmp_path / "certbot"
    script.write_text(FAKE % {"python": sys.executable, "unit": str(UNIT),
                              "failure": str(FIXTURES / "certonly-2.1-validation-failure.txt")})
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.jsonl"
    log.touch()
    monkeypatch.setenv("FAKE_CERTBOT_LOG", str(log))

    class Certbot:
        path = str(script)
        config = tmp_path / "etc"

        @staticmethod
        def calls():
            return [json.loads(line) for line in log.read_text().splitlines()]

        @staticmethod
        def args(**extra):
            base = {"names": ["app.test", "www.app.test"], "authenticator": "webroot",
                    "webroot_path": str(tmp_path), "server": "https://127.0.0.1:14000/dir",
                    "config_dir": str(tmp_path / "etc"), "work_dir": str(tmp_path / "lib"),
                    "logs_dir": str(tmp_path / "log"), "certbot_binary": str(script),
                    "renew_before_days": 5}
            base.update(extra)
            return base
    return Certbot


def run(capsys, args, check_mode=False, diff=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    if diff:
        args = dict(args, _ansible_diff=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            certbot_certificate.main()
    return json.loads(capsys.readouterr().out)


def test_issue_then_nothing_to_do(certbot, capsys):
    first = run(capsys, certbot.args())
    assert first["changed"] is True and first["action"] == "issue"
    assert first["certificate"]["names"] == ["app.test", "www.app.test"]
    assert len(certbot.calls()) == 1 and "--force-renewal" not in certbot.calls()[0]
    second = run(capsys, certbot.args())
    assert second["changed"] is False and second["action"] == "none" and second["cmd"] == []
    assert len(certbot.calls()) == 1  # certbot not run at all
    assert second["certificate"]["serial"] == first["certificate"]["serial"]


def test_check_mode_runs_nothing(certbot, capsys):
    out = run(capsys, certbot.args(), check_mode=True, diff=True)
    assert out["changed"] is True and out["action"] == "issue"
    assert out["diff"]["before"] == "(no certificate)\n"
    assert certbot.calls() == []
    assert not (certbot.config / "live").exists()


def test_renewal_inside_the_window_with_diff(certbot, capsys):
    issued = run(capsys, certbot.args())
    renewed = run(capsys, certbot.args(renew_before_days=11), diff=True)
    assert renewed["changed"] is True and renewed["action"] == "renew"
    assert renewed["previous"]["serial"] == issued["certificate"]["serial"]
    assert renewed["certificate"]["serial"] != issued["certificate"]["serial"]
    assert "--force-renewal" in certbot.calls()[-1]
    assert renewed["diff"]["before"].startswith("names: app.test www.app.test\nserial: %s" % issued["certificate"]["serial"])


def test_state_renewed_forces(certbot, capsys):
    run(capsys, certbot.args())
    out = run(capsys, {k: v for k, v in certbot.args(state="renewed", cert_name="app.test").items() if k != "names"})
    assert out["action"] == "renew" and out["reason"] == "renewal forced"
    assert certbot.calls()[-1][certbot.calls()[-1].index("-d") + 1] == "app.test"  # names from the lineage


def test_failure_keeps_the_certificate_and_quotes_certbot(certbot, capsys, monkeypatch):
    issued = run(capsys, certbot.args())
    before = (certbot.config / "live" / "app.test" / "cert.pem").read_bytes()
    monkeypatch.setenv("FAKE_CERTBOT_MODE", "fail")
    out = run(capsys, certbot.args(force_renewal=True))
    assert out["failed"] is True
    assert out["msg"].startswith("certbot certonly failed (rc 1), app.test left as it was: Renewing an existing")
    assert out["failed_domains"] == ["app.test", "www.app.test"]
    assert out["certificate"]["serial"] == issued["certificate"]["serial"]
    assert (certbot.config / "live" / "app.test" / "cert.pem").read_bytes() == before


def test_exit_0_without_a_new_certificate_is_an_error(certbot, capsys, monkeypatch):
    run(capsys, certbot.args())
    monkeypatch.setenv("FAKE_CERTBOT_MODE", "silent")
    out = run(capsys, certbot.args(force_renewal=True))
    assert out["failed"] is True and "certbot exited 0 but" in out["msg"] and "holds no new certificate" in out["msg"]


def test_dry_run_saves_nothing_and_is_never_a_change(certbot, capsys):
    issued = run(capsys, certbot.args())
    out = run(capsys, certbot.args(dry_run=True))
    assert out["changed"] is False and out["action"] == "dry_run"
    assert certbot.calls()[-1][-1] == "--dry-run"
    assert out["certificate"]["serial"] == issued["certificate"]["serial"]
    run(capsys, certbot.args(dry_run=True), check_mode=True)
    assert len(certbot.calls()) == 2  # check mode: no dry run either


def test_bad_input_runs_nothing(certbot, capsys, tmp_path):
    out = run(capsys, {k: v for k, v in certbot.args(cert_name="nope.test").items() if k != "names"})
    assert out["failed"] is True and out["msg"].startswith("no certificate named nope.test")
    out = run(capsys, {k: v for k, v in certbot.args().items() if k != "webroot_path"})
    assert out["failed"] is True and "webroot_path" in out["msg"]
    out = run(capsys, certbot.args(renew_before_days=-1))
    assert out["failed"] is True and "renew_before_days must be 0 or more" in out["msg"]
    out = run(capsys, certbot.args(certbot_binary=str(tmp_path / "absent")))
    assert out["failed"] is True and out["msg"].endswith("absent is not an executable file")
    assert certbot.calls() == []


def test_corrupt_certificate_is_a_clear_error(certbot, capsys):
    live = certbot.config / "live" / "app.test"
    live.mkdir(parents=True)
    (live / "cert.pem").write_text("not a certificate")
    out = run(capsys, certbot.args())
    assert out["failed"] is True and "holds no readable PEM certificate" in out["msg"]
    assert certbot.calls() == []
    assert os.path.exists(live / "cert.pem")
