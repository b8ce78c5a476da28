# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""awx/survey_from_spec.py turns argument spec options into AWX survey questions."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
SPEC = importlib.util.spec_from_file_location("survey_from_spec", ROOT / "awx" / "survey_from_spec.py")
gen = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen)

OPTIONS = {
    "demo_name": {"type": "str", "default": "blue", "description": ["The", "name."]},
    "demo_count": {"type": "int", "default": 3, "description": "How many."},
    "demo_ratio": {"type": "float", "description": "A ratio."},
    "demo_flag": {"type": "bool", "default": False, "description": "A flag."},
    "demo_colour": {"type": "str", "choices": ["blue", "green"], "default": "green", "description": "Colour."},
    "demo_colours": {"type": "list", "elements": "str", "choices": ["blue", "green"], "default": ["blue"]},
    "demo_token": {"type": "str", "no_log": True, "default": "s3cret", "description": "A secret."},
    "demo_items": {"type": "list", "elements": "dict", "default": []},
    "demo_map": {"type": "dict", "default": {}},
    "demo_release": {"type": "str", "required": True, "description": "Release."},
}


@pytest.fixture
def roles(tmp_path):
    meta = tmp_path / "roles" / "demo" / "meta"
    meta.mkdir(parents=True)
    meta.joinpath("argument_specs.yml").write_text(yaml.safe_dump(
        {"argument_specs": {"main": {"options": OPTIONS}, "other": {"options": {"demo_count": OPTIONS["demo_count"]}}}}))
    return tmp_path / "roles"


def ask(roles, option, **extra):
    return gen.question(dict({"role": "demo", "entry_point": "main", "option": option}, **extra), roles)


def test_scalar_types(roles):
    assert ask(roles, "demo_name") == {
        "question_name": "demo name", "question_description": "The name.", "variable": "demo_name",
        "required": False, "type": "text", "default": "blue", "min": 0, "max": 1024}
    count = ask(roles, "demo_count")
    assert (count["type"], count["default"]) == ("integer", 3)
    ratio = ask(roles, "demo_ratio")
    assert (ratio["type"], ratio["default"]) == ("float", "")


def test_bool_and_choices(roles):
    flag = ask(roles, "demo_flag")
    assert (flag["type"], flag["choices"], flag["default"]) == ("multiplechoice", ["true", "false"], "false")
    colour = ask(roles, "demo_colour")
    assert (colour["type"], colour["choices"], colour["default"]) == ("multiplechoice", ["blue", "green"], "green")
    colours = ask(roles, "demo_colours")
    assert (colours["type"], colours["choices"], colours["default"]) == ("multiselect", ["blue", "green"], "blue")


def test_secret_is_a_password_without_its_default(roles):
    token = ask(roles, "demo_token")
    assert token["type"] == "password"
    assert token["default"] == ""
    assert "s3cret" not in repr(token)


def test_overrides(roles):
    release = ask(roles, "demo_release", variable="release", question="Release to deploy")
    assert (release["variable"], release["question_name"], release["required"]) == ("release", "Release to deploy", True)
    assert ask(roles, "demo_count", default=5)["default"] == 5
    assert ask(roles, "demo_name", required=True)["required"] is True


@pytest.mark.parametrize("ref, message", [
    ({"role": "demo", "entry_point": "main", "option": "demo_items"}, "list without choices"),
    ({"role": "demo", "entry_point": "main", "option": "demo_map"}, "type dict"),
    ({"role": "demo", "entry_point": "main", "option": "demo_missing"}, "has no option demo_missing"),
    ({"role": "demo", "entry_point": "nope", "option": "demo_name"}, "no entry point 'nope'"),
    ({"role": "ghost", "entry_point": "main", "option": "demo_name"}, "role ghost has no"),
    ({"role": "demo", "option": "demo_name"}, "lacks 'entry_point'"),
])
def test_errors(roles, ref, message):
    with pytest.raises(gen.SurveyError, match=message):
        gen.question(ref, roles)


def test_main_writes_and_checks(roles, tmp_path, capsys):
    awx = tmp_path / "awx"
    awx.mkdir()
    awx.joinpath("catalogue.yml").write_text(yaml.safe_dump({"awx_job_templates": [
        {"name": "demo", "playbook": "p.yml", "survey": [{"role": "demo", "entry_point": "other", "option": "demo_count"}]},
        {"name": "plain", "playbook": "q.yml"}]}))
    assert gen.main(["--check", "--root", str(tmp_path)]) == 1
    assert gen.main(["--root", str(tmp_path)]) == 0
    written = yaml.safe_load(awx.joinpath("surveys.yml").read_text())["awx_surveys"]
    assert list(written) == ["demo"]
    assert written["demo"]["spec"][0]["variable"] == "demo_count"
    assert gen.main(["--check", "--root", str(tmp_path)]) == 0
    awx.joinpath("surveys.yml").write_text(awx.joinpath("surveys.yml").read_text().replace("integer", "text"))
    assert gen.main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale" in capsys.readouterr().err


def test_main_reports_bad_references(tmp_path, roles, capsys):
    awx = tmp_path / "awx"
    awx.mkdir()
    awx.joinpath("catalogue.yml").write_text(yaml.safe_dump({"awx_job_templates": [
        {"name": "demo", "playbook": "p.yml", "survey": [{"role": "demo", "entry_point": "main", "option": "demo_map"}]}]}))
    assert gen.main(["--root", str(tmp_path)]) == 2
    assert "type dict" in capsys.readouterr().err
    assert not awx.joinpath("surveys.yml").exists()
