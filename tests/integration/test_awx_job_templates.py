# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every job template of awx/catalogue.yml, launched the way AWX launches it, against the lab.

For each template: its playbook and the lab inventory, the extra vars AWX builds from the survey
(awx/surveys.yml: each question's default when it passes the question's own validation, then
the answers given at launch - AWX's SurveyJobTemplateMixin), and what the template's credentials
inject (the credential types' extra_vars and env injectors of the catalogue, rendered with the
lab's inputs as AWX renders them) run through ansible-runner, the engine AWX runs jobs with.
Every run must succeed.

The templates run in the catalogue's order on the session's lab, after the other lab tests
(conftest.py) and lab/reset.yml (the AI service drill undone: v1 live, no bad marks), since
some change the lab (deploy-ai deploys v2, the Fly.io emergency stop and restore).
"""
from __future__ import annotations

import copy
from pathlib import Path

import jinja2
import pytest
import yaml

from labvars import LAB

ROOT = Path(__file__).resolve().parents[2]

CATALOGUE = yaml.safe_load((ROOT / "awx" / "catalogue.yml").read_text())
SURVEYS = yaml.safe_load((ROOT / "awx" / "surveys.yml").read_text())["awx_surveys"]
TEMPLATES = CATALOGUE["awx_job_templates"]

# What the on-call engineer types for the questions that have no usable default.
ANSWERS = {
    "deploy-ai": {"release": "v2"},
    "deploy-blue-green": {"be_tag": "v2"},
    # after a finalized deploy the default mode (gateway) refuses, naming this one; be_tag left
    # blank: the image before this one (deploy-state.json's previousTag)
    "rollback-blue-green": {"mode": "image"},
    "fly-emergency-stop": {"flyio_app_confirm": "freshchat-bridge"},
    # the lab's bridge runs on 2 machines: scaling to 2 calls nothing (and after a stop, restores the count)
    "fly-scale": {"flyio_app_scale_count": "2"},
    # image left blank and force: redeploy what runs (seed 000's hotfix redeploy; the lab's image
    # names are made when the lab is)
    "fly-deploy": {"flyio_app_deploy_force": "true"},
    # lab up tested the channels minutes ago: test them again, through the SMTP credential
    "monthly-maintenance": {"maintenance_channel_test_min_interval": 0},
}

# Tasks that must have run (not skipped) in a template's job: what a credential feeds.
MUST_RUN = {"monthly-maintenance": "Send a test e-mail"}

# The lab's credentials, as an AWX admin would have entered them (the doubles accept these).
DISCORD = "http://127.0.0.1:%d/api/webhooks/1234/lab-token" % LAB["lab_discord_port"]
CREDENTIAL_INPUTS = {
    "fly-bridge": {"token": "FlyV1 fm2_lab-deploy-token"},
    "oncall-webhook": {"url": DISCORD, "service": "discord"},
    "railway": {"token": "lab-railway-token"},
    "cloudflare": {"token": "lab-cloudflare-token"},
    "oncall-smtp": {"host": "127.0.0.1", "port": str(LAB["lab_smtp_port"]), "secure": "never", "username": "",
                    "password": "", "sender": "oncall@lab.test", "to": "devops-oncall@lab.test"},
}
# The Machine credential (SSH user and key) means nothing to the lab's docker connection.
NOT_INJECTED = {"oncall-ssh"}


@pytest.fixture(scope="module")
def reset_lab(lab, run_playbook):
    """The AI service as lab up leaves it: the other tests' drills mark v2 bad."""
    reset = run_playbook("lab/reset.yml", extravars=LAB)
    assert reset.status == "successful", reset.stdout[-3000:]


def validation_errors(question, value):
    """The checks AWX applies to one survey value (SurveyJobTemplateMixin._survey_element_validation)."""
    kind = question["type"]
    if kind in ("text", "textarea", "password"):
        if not isinstance(value, str):
            return ["%s: expected a string" % question["variable"]]
        if len(value) < int(question.get("min") or 0) or ("max" in question and len(value) > int(question["max"])):
            return ["%s: length out of range" % question["variable"]]
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return ["%s: expected an integer" % question["variable"]]
        if ("min" in question and value < int(question["min"])) or ("max" in question and value > int(question["max"])):
            return ["%s: out of range" % question["variable"]]
    elif kind == "multiplechoice":
        if value not in question["choices"]:
            return ["%s: not one of %s" % (question["variable"], question["choices"])]
    return []


def survey_extra_vars(name, answers):
    """The extra vars AWX gives a launch of template `name` with these survey answers."""
    spec = SURVEYS.get(name, {"spec": []})["spec"]
    extra = {}
    for question in spec:
        if question.get("default") is not None and not validation_errors(question, question["default"]):
            extra[question["variable"]] = question["default"]
    extra.update(answers)
    errors = []
    for question in spec:
        variable = question["variable"]
        if question["required"] and answers.get(variable) in (None, ""):
            errors.append("%s: required and not answered" % variable)
        elif variable in extra:
            errors.extend(validation_errors(question, extra[variable]))
    assert not errors, "%s: AWX would refuse this launch: %s" % (name, errors)
    return extra


def render(value, inputs):
    """A credential injector's value rendered with the credential's inputs (AWX uses Jinja2 too)."""
    if isinstance(value, dict):
        return {key: render(item, inputs) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, inputs) for item in value]
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(value).render(**inputs)


def injected(template):
    """(extra vars, environment) the template's credentials inject."""
    types = {t["name"]: t for t in CATALOGUE["awx_credential_types"]}
    kinds = {c["name"]: c["credential_type"] for c in CATALOGUE["awx_credentials"]}
    extra, env = {}, {}
    for credential in template.get("credentials", []):
        if credential in NOT_INJECTED:
            continue
        injectors = types[kinds[credential]]["injectors"]
        inputs = CREDENTIAL_INPUTS[credential]
        extra.update(render(injectors.get("extra_vars", {}), inputs))
        env.update(render(injectors.get("env", {}), inputs))
    return extra, env


def test_every_required_question_has_an_answer_here():
    """A template added to the catalogue with a required question must be given an answer above."""
    for name, survey in SURVEYS.items():
        for question in survey["spec"]:
            if question["required"]:
                assert question["variable"] in ANSWERS.get(name, {}), (name, question["variable"])


def test_awx_launch_vars_follow_awx_rules():
    """Defaults fill what is not answered, answers win, a required question left blank and an
    answer outside the choices are refused; credentials inject their rendered fields."""
    assert survey_extra_vars("deploy-ai", {"release": "v9"}) == {"release": "v9", "pm2_app_force": "false"}
    with pytest.raises(AssertionError, match="required and not answered"):
        survey_extra_vars("deploy-ai", {})
    with pytest.raises(AssertionError, match="not one of"):
        survey_extra_vars("deploy-blue-green", {"be_tag": "v2", "phase": "everything"})
    extra, env = injected({"credentials": ["fly-bridge", "oncall-ssh"]})
    assert env == {"FLY_API_TOKEN": "FlyV1 fm2_lab-deploy-token"}
    assert extra == {"flyio_app_api_token": "FlyV1 fm2_lab-deploy-token"}


@pytest.mark.parametrize("template", TEMPLATES, ids=[t["name"] for t in TEMPLATES])
def test_job_template_succeeds_on_the_lab(template, lab, reset_lab, run_playbook):
    assert lab.status == "successful", lab.stdout[-3000:]
    extra = copy.deepcopy(LAB)                 # the lab's names and ports (the AWX inventory's variables)
    extra.update(survey_extra_vars(template["name"], ANSWERS.get(template["name"], {})))
    cred_vars, cred_env = injected(template)
    extra.update(cred_vars)
    run = run_playbook(template["playbook"], extravars=extra, envvars=cred_env)
    assert run.status == "successful", run.stdout[-4000:]
    # a play whose hosts match nothing "succeeds" too: it must have reached a lab host
    assert set(run.stats.get("ok", {})) - {"localhost"}, run.stdout[-2000:]
    if template["name"] in MUST_RUN:
        results = run.results(MUST_RUN[template["name"]])
        assert results and not any(r.get("skipped") for r in results), (MUST_RUN[template["name"]], results)
