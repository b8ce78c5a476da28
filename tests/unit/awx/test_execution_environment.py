# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""execution-environment.yml follows ansible-builder's version 3 schema and matches the collection's needs."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
EE = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
V3_TOP = {"version", "build_arg_defaults", "dependencies", "images", "additional_build_files", "additional_build_steps", "options"}
V3_DEPS = {"ansible_core", "ansible_runner", "galaxy", "python", "system", "python_interpreter", "exclude"}
V3_STEPS = {"prepend_base", "append_base", "prepend_galaxy", "append_galaxy", "prepend_builder", "append_builder",
            "prepend_final", "append_final"}


def requirement_names(text):
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.match(r"[A-Za-z0-9_.\-\[\]]+", line).group(0).split("[")[0].lower()
            out[name] = line[len(name):].strip()
    return out


def test_version_3_structure():
    assert EE["version"] == 3
    assert set(EE) <= V3_TOP
    assert EE["images"]["base_image"]["name"]
    assert set(EE["dependencies"]) <= V3_DEPS
    assert set(EE["additional_build_steps"]) <= V3_STEPS
    for step in EE["additional_build_steps"].values():
        assert isinstance(step, list) and all(isinstance(s, str) for s in step)
    for item in EE["additional_build_files"]:
        assert (ROOT / item["src"]).exists() and item["dest"]


def test_dependency_files_exist_and_pin_like_the_project():
    deps = EE["dependencies"]
    assert "ansible-core" in deps["ansible_core"]["package_pip"]
    assert "ansible-runner" in deps["ansible_runner"]["package_pip"]
    project = requirement_names((ROOT / "requirements.txt").read_text())
    assert deps["ansible_core"]["package_pip"].replace("ansible-core", "") == project["ansible-core"]
    assert deps["ansible_runner"]["package_pip"].replace("ansible-runner", "") == project["ansible-runner"]
    ee_python = requirement_names((ROOT / deps["python"]).read_text())
    for name, spec in ee_python.items():
        if name in project:
            assert spec == project[name], name
    assert {"cryptography", "docker"} <= set(ee_python)
    assert not {"pytest", "molecule", "ansible-lint", "pytest-testinfra"} & set(ee_python)
    galaxy = {c["name"]: c["version"] for c in yaml.safe_load((ROOT / deps["galaxy"]).read_text())["collections"]}
    project_collections = {c["name"]: c["version"] for c in yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]}
    for name, version in galaxy.items():
        assert project_collections.get(name) == version, name
    for name in yaml.safe_load((ROOT / "galaxy.yml").read_text()).get("dependencies") or {}:
        assert name in galaxy, "galaxy.yml dependency %s missing from the EE" % name


def test_bindep_has_the_runbooks_system_tools():
    lines = [line.strip() for line in (ROOT / EE["dependencies"]["system"]).read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    packages = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9.+_\-]+)(?:\s+\[([a-z0-9:!_ \-]+)\])?", line)
        assert match, "not a bindep line: %r" % line
        packages[match.group(1)] = match.group(2) or ""
    for needed in ("mariadb-client", "postgresql-client", "docker.io", "docker-compose", "certbot", "openssh-client", "git"):
        assert needed in packages, needed
    for needed in ("mariadb", "postgresql", "openssh-clients"):
        assert "platform:rpm" in packages[needed], needed


def test_flyctl_is_a_checked_build_arg_and_the_collection_is_installed_offline():
    final = "\n".join(EE["additional_build_steps"]["append_final"])
    assert "ARG FLYCTL_URL" in final and "ARG FLYCTL_SHA256" in final
    assert "sha256sum -c" in final and "exit 1" in final
    galaxy = "\n".join(EE["additional_build_steps"]["append_galaxy"])
    assert "ansible-galaxy collection install --offline" in galaxy and "oncall-runbooks-*.tar.gz" in galaxy


def test_ansible_builder_create_makes_a_build_context(tmp_path):
    """The real ansible-builder 3 (requirements.txt) turns the definition into a build context,
    offline: this collection's tarball among its build files, the dependency files in place,
    the Containerfile with our steps. (The build itself needs a registry: docs/awx.md.)"""
    bin_dir = Path(sys.executable).parent
    work = tmp_path / "ee-definition"
    shutil.copytree(ROOT / "ee", work / "ee")
    shutil.copy(ROOT / "execution-environment.yml", work)
    subprocess.run([str(bin_dir / "ansible-galaxy"), "collection", "build", "--output-path", str(work / "ee" / "collection"),
                    str(ROOT)], check=True, capture_output=True, text=True)
    context = tmp_path / "context"
    run = subprocess.run([str(bin_dir / "ansible-builder"), "create", "-f", str(work / "execution-environment.yml"),
                          "-c", str(context), "--output-filename", "Containerfile"],
                         capture_output=True, text=True, cwd=work, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="localhost/oncall-runbooks/ee-base:latest"' in containerfile
    for step in EE["additional_build_steps"]["append_galaxy"] + ["ARG FLYCTL_URL", "ARG FLYCTL_SHA256"]:
        assert step in containerfile, step
    build = context / "_build"
    assert list((build / "oncall-collection").glob("oncall-runbooks-*.tar.gz"))
    assert (build / "requirements.yml").read_text() == (ROOT / "ee" / "requirements.yml").read_text()
    assert (build / "requirements.txt").read_text() == (ROOT / "ee" / "requirements.txt").read_text()
    assert (build / "bindep.txt").read_text() == (ROOT / "ee" / "bindep.txt").read_text()
