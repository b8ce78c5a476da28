# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Static checks of awx/catalogue.yml: playbooks, surveys against argument specs, RRULEs, workflow."""
from __future__ import annotations

import datetime
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from rrule_subset import RRuleError, occurrences, parse

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = yaml.safe_load((ROOT / "awx" / "catalogue.yml").read_text())
SURVEYS = yaml.safe_load((ROOT / "awx" / "surveys.yml").read_text())["awx_surveys"]
TEMPLATES = {t["name"]: t for t in CATALOGUE["awx_job_templates"]}
BUILTIN_CREDENTIAL_TYPES = {"Machine"}
# survey question type -> argument spec types it may feed
COMPATIBLE = {
    "text": {"str", "path", "raw"},
    "textarea": {"str", "path", "raw"},
    "password": {"str", "raw"},
    "integer": {"int"},
    "float": {"float"},
    "multiplechoice": {"str", "bool", "raw"},
    "multiselect": {"list"},
}


def _load_generator():
    spec = importlib.util.spec_from_file_location("survey_from_spec", ROOT / "awx" / "survey_from_spec.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def role_spec(role, entry_point):
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return specs[entry_point].get("options") or {}


def roles_used(playbook_text):
    """{role: {entry points}} of the include_role/import_role/roles: uses in a playbook."""
    used = {}
    for match in re.finditer(r"name:\s*oncall\.runbooks\.(\w+)\s*\n(?:\s*tasks_from:\s*(.+))?", playbook_text):
        entry = (match.group(2) or "main").strip().strip("'\"")
        used.setdefault(match.group(1), set()).add(entry)
    return used


def runs_entry_point(entries, entry_point):
    """An entry point is run when named, or when a templated tasks_from can render to it
    (fly-daily-check: "{{ (fly_check | default('daily')) ~ '_check' }}")."""
    for entry in entries:
        if entry == entry_point:
            return True
        if "{{" in entry:
            literals = re.findall(r"'(\w*)'", entry)
            suffix = literals[-1] if literals else ""
            if suffix and entry_point.endswith(suffix):
                return True
    return False


def test_every_template_points_at_an_existing_playbook():
    for template in CATALOGUE["awx_job_templates"]:
        assert (ROOT / template["playbook"]).is_file(), template


def test_every_playbook_has_a_template_or_a_reason():
    templated = {t["playbook"] for t in CATALOGUE["awx_job_templates"]}
    excluded = {e["playbook"]: e["reason"] for e in CATALOGUE["awx_excluded_playbooks"]}
    assert not templated & set(excluded)
    assert all(reason.strip() for reason in excluded.values())
    playbooks = {"playbooks/" + p.name for p in (ROOT / "playbooks").glob("*.yml")}
    assert playbooks - templated - set(excluded) == set()
    assert set(excluded) <= playbooks
    assert len(TEMPLATES) == len(CATALOGUE["awx_job_templates"]), "duplicate template names"


def test_surveys_file_is_generated_from_the_specs():
    generator = _load_generator()
    assert (ROOT / "awx" / "surveys.yml").read_text() == generator.render(CATALOGUE, ROOT / "roles")
    assert generator.main(["--check", "--root", str(ROOT)]) == 0


@pytest.mark.parametrize("name", sorted(t["name"] for t in CATALOGUE["awx_job_templates"] if t.get("survey")))
def test_survey_variables_match_the_roles_the_playbook_uses(name):
    template = TEMPLATES[name]
    text = (ROOT / template["playbook"]).read_text()
    used = roles_used(text)
    questions = {q["variable"]: q for q in SURVEYS[name]["spec"]}
    assert len(questions) == len(template["survey"]), "duplicate survey variables"
    for ref in template["survey"]:
        assert ref["role"] in used, "%s does not use role %s" % (template["playbook"], ref["role"])
        assert runs_entry_point(used[ref["role"]], ref["entry_point"]), \
            "%s does not run %s/%s" % (template["playbook"], ref["role"], ref["entry_point"])
        options = role_spec(ref["role"], ref["entry_point"])
        assert ref["option"] in options
        spec = options[ref["option"]]
        variable = ref.get("variable", ref["option"])
        if variable != ref["option"]:
            assert re.search(r"\b%s\b" % variable, text), "%s never reads %s" % (template["playbook"], variable)
        question = questions[variable]
        spec_type = spec.get("type", "str")
        assert spec_type in COMPATIBLE[question["type"]], (variable, question["type"], spec_type)
        assert (question["type"] == "password") == bool(spec.get("no_log")), variable
        if spec.get("choices"):
            assert set(question["choices"]) <= {str(c) for c in spec["choices"]}
        if spec_type == "bool":
            assert question["choices"] == ["true", "false"]
        if question["type"] == "integer" and question["default"] != "":
            assert isinstance(question["default"], int)
        if spec.get("required"):
            assert question["required"]


def test_the_playbooks_extra_var_names_reach_the_role():
    # deploy-ai takes `release`, deploy-blue-green `phase`, ...: the playbook must map them onto the option
    for template in CATALOGUE["awx_job_templates"]:
        text = (ROOT / template["playbook"]).read_text()
        for ref in template.get("survey") or []:
            variable = ref.get("variable", ref["option"])
            if variable != ref["option"]:
                assert re.search(r"%s:\s*\"?\{\{\s*%s\b" % (ref["option"], variable), text), (template["name"], variable)


def test_no_survey_question_overrides_what_an_inventory_sets():
    """AWX sends a survey default as an extra var, which beats every inventory variable: a
    question about a setting our inventories hold would silently replace it on every launch."""
    asked = {q["variable"]: name for name, survey in SURVEYS.items() for q in survey["spec"]}
    clashes = []
    for path in sorted(ROOT.glob("inventories/*/*_vars/*.yml")):
        for variable in set(yaml.safe_load(path.read_text()) or {}) & set(asked):
            clashes.append("%s sets %s, which %s's survey asks" % (path.relative_to(ROOT), variable, asked[variable]))
    assert not clashes, clashes


def test_secret_options_become_password_questions():
    generator = _load_generator()
    secret = {"role": "flyio_app", "entry_point": "restart", "option": "flyio_app_notify_url"}
    assert role_spec("flyio_app", "restart")["flyio_app_notify_url"]["no_log"] is True
    question = generator.question(secret, ROOT / "roles")
    assert question["type"] == "password" and question["default"] == ""


def test_credentials_reference_known_types_and_inject_role_variables():
    types = {t["name"]: t for t in CATALOGUE["awx_credential_types"]}
    credentials = {c["name"]: c for c in CATALOGUE["awx_credentials"]}
    for credential in credentials.values():
        assert credential["credential_type"] in set(types) | BUILTIN_CREDENTIAL_TYPES
    for template in CATALOGUE["awx_job_templates"]:
        assert set(template.get("credentials") or []) <= set(credentials), template["name"]
    all_specs = {}
    for path in (ROOT / "roles").glob("*/meta/argument_specs.yml"):
        for entry in (yaml.safe_load(path.read_text())["argument_specs"] or {}).values():
            all_specs.update(entry.get("options") or {})
    playbook_text = "".join(p.read_text() for p in (ROOT / "playbooks").glob("*.yml"))
    for ctype in types.values():
        fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
        assert set(ctype["inputs"].get("required", [])) <= set(fields)
        injected = yaml.safe_dump(ctype["injectors"])
        assert set(re.findall(r"\{\{\s*(\w+)\s*\}\}", injected)) <= set(fields), ctype["name"]
        secrets = [f for f in fields.values() if f.get("secret")]
        assert secrets or ctype["name"] == "On-call SMTP"
        for variable in (ctype["injectors"].get("extra_vars") or {}):
            assert variable in all_specs or re.search(r"\b%s\b" % variable, playbook_text), variable


@pytest.mark.parametrize("schedule", CATALOGUE["awx_schedules"], ids=lambda s: s["name"])
def test_schedules_parse_in_the_team_time_zone(schedule):
    parsed = parse(schedule["rrule"])
    assert parsed["tz"] == CATALOGUE["awx_timezone"] == "Asia/Seoul"
    assert schedule["job_template"] in TEMPLATES


def test_schedules_reproduce_the_seed_calendars():
    by_template = {s["job_template"]: s["rrule"] for s in CATALOGUE["awx_schedules"]}
    covered = {c for s in CATALOGUE["awx_schedules"] for c in s["covers"]}
    assert {"001 §4 daily", "001 §4 weekly", "001 §4 monthly", "001 §4 quarterly", "000 §1.1", "000 §1.2", "000 §1.3"} <= covered
    daily = occurrences(by_template["daily-check"], 3)
    assert [d - daily[0] for d in daily] == [datetime.timedelta(days=n) for n in range(3)]
    assert daily[0].utcoffset() == datetime.timedelta(hours=9) and daily[0].hour == 9
    weekly = occurrences(by_template["weekly-maintenance"], 3)
    assert {w.weekday() for w in weekly} == {0} and weekly[1] - weekly[0] == datetime.timedelta(days=7)
    monthly = occurrences(by_template["monthly-maintenance"], 3)
    assert [(m.month, m.day) for m in monthly] == [(1, 1), (2, 1), (3, 1)]
    quarterly = occurrences(by_template["quarterly-secret-rotation"], 5)
    assert [q.month for q in quarterly] == [1, 4, 7, 10, 1]


@pytest.mark.parametrize("bad", [
    "RRULE:FREQ=DAILY",
    "DTSTART:20260101T090000Z RRULE:FREQ=DAILY",
    "DTSTART;TZID=Asia/Nowhere:20260101T090000 RRULE:FREQ=DAILY",
    "DTSTART;TZID=Asia/Seoul:20261301T090000 RRULE:FREQ=DAILY",
    "DTSTART;TZID=Asia/Seoul:20260101T090000 RRULE:FREQ=HOURLY",
    "DTSTART;TZID=Asia/Seoul:20260101T090000 RRULE:FREQ=WEEKLY;BYDAY=MON",
    "DTSTART;TZID=Asia/Seoul:20260101T090000 RRULE:FREQ=MONTHLY;BYMONTHDAY=32",
    "DTSTART;TZID=Asia/Seoul:20260101T090000 RRULE:FREQ=DAILY;INTERVAL=0",
    "DTSTART;TZID=Asia/Seoul:20260101T090000 RRULE:FREQ=DAILY;COUNT=3",
    "DTSTART;TZID=Asia/Seoul:20260101T090000 RRULE:FREQ=DAILY;FREQ=WEEKLY",
])
def test_rrule_validator_rejects(bad):
    with pytest.raises(RRuleError):
        parse(bad)


def test_workflow_is_the_incident_loop_with_failure_branches():
    for workflow in CATALOGUE["awx_workflows"]:
        nodes = {n["identifier"]: n for n in workflow["nodes"]}
        assert len(nodes) == len(workflow["nodes"])
        targets = set()
        for node in nodes.values():
            assert node["job_template"] in TEMPLATES
            for kind in ("success", "failure", "always"):
                assert set(node.get(kind) or []) <= set(nodes), (node, kind)
                targets |= set(node.get(kind) or [])
        roots = set(nodes) - targets
        assert roots == {"detect"}
        assert any(node.get("failure") for node in nodes.values() if node["identifier"] != "detect")
        # acyclic, and every node reachable from detect
        order, seen = [], set()

        def visit(identifier, path):
            assert identifier not in path, "cycle through %s" % identifier
            if identifier in seen:
                return
            seen.add(identifier)
            for kind in ("success", "failure", "always"):
                for nxt in nodes[identifier].get(kind) or []:
                    visit(nxt, path | {identifier})
            order.append(identifier)

        visit("detect", set())
        assert seen == set(nodes)
        chain = ["detect", "remediate", "verify", "postmortem"]
        assert all(step in nodes for step in chain)
        # a node's extra data answers its template's survey, within the question's choices
        for node in nodes.values():
            questions = {q["variable"]: q for q in SURVEYS.get(node["job_template"], {"spec": []})["spec"]}
            for variable, value in (node.get("extra_data") or {}).items():
                assert variable in questions, (node["identifier"], variable)
                assert value in questions[variable].get("choices", [value]), (node["identifier"], variable, value)


def test_configure_playbook_uses_awx_modules_over_every_section():
    plays = yaml.safe_load((ROOT / "awx" / "configure.yml").read_text())
    tasks = plays[0]["tasks"]
    modules = [next(k for k in task if "." in k) for task in tasks]
    assert all(m.startswith(("awx.awx.", "ansible.builtin.")) for m in modules)
    loops = " ".join(str(task.get("loop", "")) for task in tasks)
    for section in ("awx_inventories", "awx_credential_types", "awx_credentials", "awx_notification_templates",
                    "awx_job_templates", "awx_schedules", "awx_workflows"):
        assert section in loops, section
    credentials_task = next(t for t in tasks if "awx.awx.credential" in t)
    assert credentials_task.get("no_log") is True


def _awx_module_docs():
    """awx.awx's module DOCUMENTATION, read from the cached `ansible` wheel (scripts/setup.sh downloads it)."""
    import glob
    import os
    import zipfile
    wheels = sorted(glob.glob(os.path.expanduser("~/.cache/oncall-runbooks/wheels/ansible-*.whl")))
    if not wheels:
        pytest.skip("no cached ansible wheel holding awx.awx")
    docs = {}
    with zipfile.ZipFile(wheels[-1]) as wheel:
        prefix = "ansible_collections/awx/awx/plugins/modules/"
        for name in wheel.namelist():
            if name.startswith(prefix) and name.endswith(".py") and "__init__" not in name:
                source = wheel.read(name).decode()
                match = re.search(r"DOCUMENTATION = '''(.*?)'''", source, re.S)
                if match:
                    docs[name[len(prefix):-3]] = yaml.safe_load(match.group(1))
    if not docs:
        pytest.skip("the cached ansible wheel has no awx.awx")
    return docs


def test_configure_uses_only_documented_awx_options():
    docs = _awx_module_docs()
    tasks = yaml.safe_load((ROOT / "awx" / "configure.yml").read_text())[0]["tasks"]
    for task in tasks:
        module = next((k for k in task if k.startswith("awx.awx.")), None)
        if module is None:
            continue
        options = docs[module.split(".")[-1]]["options"]
        assert set(task[module]) <= set(options), (module, set(task[module]) - set(options))
        for key, value in task[module].items():
            choices = options[key].get("choices")
            if choices and isinstance(value, str) and "{{" not in value:
                assert value in choices, (module, key, value)
    types = {n["notification_type"] for n in CATALOGUE["awx_notification_templates"]}
    assert types <= set(docs["notification_template"]["options"]["notification_type"]["choices"])
