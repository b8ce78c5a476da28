# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/coverage.yml is true to the tree, and docs/coverage.md and the README are generated from it."""
from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SPEC = importlib.util.spec_from_file_location("coverage_map", ROOT / "scripts" / "coverage.py")
cov = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(cov)

DATA = cov.load(ROOT)
# A row every check accepts; each negative test below breaks one thing in a copy of it.
GOOD = {
    "row": 1,
    "step": "§2.2 `scale count 2`",
    "state": "full",
    "playbooks": ["fly-scale.yml"],
    "roles": ["flyio_app:scale"],
    "modules": ["flyctl_scale"],
    "filters": ["severity"],
    "files": ["extensions/eda/rulebooks/alertmanager.yml"],
    "tests": ["molecule/flyio_app", "tests/unit/plugins/modules/test_flyctl_modules.py",
              "tests/integration/test_lab_bluegreen.py", "bench/rollback_ai.py"],
}


def bad(**changes):
    row = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            row.pop(key)
        else:
            row[key] = value
    return cov.row_problems(row, ROOT)


def test_every_row_is_true_to_the_tree():
    assert cov.problems(DATA, ROOT) == []


def test_coverage_md_and_readme_are_generated_from_the_yaml():
    assert cov.main(["--check"]) == 0, "run: python scripts/coverage.py"


def test_all_five_runbooks_are_there_in_order():
    assert [book["seed"] for book in DATA["runbooks"]] == ["000", "001", "002", "003", "004"]


def test_the_good_row_passes():
    # Without this the negative tests below could pass for the wrong reason.
    assert cov.row_problems(GOOD, ROOT) == []


@pytest.mark.parametrize("changes, expected", [
    ({"playbooks": ["fly-nothing.yml"]}, "playbook playbooks/fly-nothing.yml does not exist"),
    ({"roles": ["flyio_app:nothing"]}, "role entry point roles/flyio_app/tasks/nothing.yml does not exist"),
    ({"roles": ["nothing:main"]}, "roles/nothing/meta/argument_specs.yml has no entry point main"),
    # flyio_app/tasks/report.yml exists but is an internal include, not an entry point
    ({"roles": ["flyio_app:report"]}, "roles/flyio_app/meta/argument_specs.yml has no entry point report"),
    ({"roles": ["flyio_app"]}, "role reference 'flyio_app' is not role:entry_point"),
    ({"modules": ["flyctl_nothing"]}, "module plugins/modules/flyctl_nothing.py does not exist"),
    ({"filters": ["nothing"]}, "filter plugins/filter/nothing.py does not exist"),
    ({"files": ["docs/nothing.md"]}, "file docs/nothing.md does not exist"),
    ({"tests": ["molecule/nothing"]}, "molecule scenario molecule/nothing/molecule.yml does not exist"),
    # molecule/shared holds create/destroy for the others; it is no scenario
    ({"tests": ["molecule/shared"]}, "molecule scenario molecule/shared/molecule.yml does not exist"),
    ({"tests": ["tests/unit/test_nothing.py"]}, "test file tests/unit/test_nothing.py does not exist"),
    ({"tests": ["playbooks/fly-scale.yml"]}, "test playbooks/fly-scale.yml is not under"),
    ({"tests": None}, "a full row needs at least one test"),
    ({"tests": []}, "a full row needs at least one test"),
    ({"state": "partial"}, "a partial row needs a note"),
    ({"state": "none", "note": " "}, "a none row needs a note"),
    ({"state": "partly", "note": "x"}, "state 'partly' is not one of"),
    ({"state": "n/a", "note": "interactive"}, "an n/a row (not automatable) cannot name what implements it"),
    ({"step": ""}, "no step text"),
    ({"row": "5-3"}, "row range '5-3' runs backwards"),
    ({"row": "x"}, "row number 'x' is neither N nor N-M"),
    ({"modules": "flyctl_scale"}, "modules must be a list"),
    ({"test": ["molecule/flyio_app"]}, "unknown fields: test"),
])
def test_a_bad_row_is_named(changes, expected):
    found = bad(**changes)
    assert any(expected in problem for problem in found), found


def test_a_dropped_or_repeated_row_is_named():
    book = {"seed": "009", "short": "x", "title": "x", "rows": [
        dict(GOOD, row=1), dict(GOOD, row="2-4"), dict(GOOD, row=6), dict(GOOD, row=6)]}
    found = cov.problems({"runbooks": [book]}, ROOT)
    assert found == ["seed 009 row 6: expected row 5 next", "seed 009 row 6: expected row 7 next"]


def test_counts_count_each_step_of_a_range_row():
    book = {"seed": "009", "short": "x", "rows": [
        dict(GOOD, row="1-3"), {"row": 4, "step": "s", "state": "n/a", "note": "n"},
        {"row": 5, "step": "s", "state": "none", "note": "n"}]}
    assert cov.counts(book) == {"steps": 5, "automatable": 4, "full": 3, "partial": 0, "none": 1, "n/a": 1}


def test_a_stale_doc_or_readme_is_found(tmp_path):
    # A copy of the inputs the script reads, then one edit at a time: --check must say so.
    for path in (cov.DATA, cov.README):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text((ROOT / path).read_text(encoding="utf-8"), encoding="utf-8")
    for path in ("playbooks", "roles", "plugins", "molecule", "tests", "bench", "extensions", "inventories", "awx"):
        (tmp_path / path).symlink_to(ROOT / path)
    (tmp_path / cov.DOC).write_text("hand-edited\n", encoding="utf-8")
    assert cov.main(["--check", "--root", str(tmp_path)]) == 1
    assert cov.main(["--root", str(tmp_path)]) == 0
    assert cov.main(["--check", "--root", str(tmp_path)]) == 0
    assert (tmp_path / cov.DOC).read_text(encoding="utf-8") == (ROOT / cov.DOC).read_text(encoding="utf-8")

    readme = tmp_path / cov.README
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 000 Fly.io bridge |", "| 000 Fly.io |"), encoding="utf-8")
    assert cov.main(["--check", "--root", str(tmp_path)]) == 1


def test_a_readme_without_the_markers_is_an_error():
    with pytest.raises(ValueError, match="markers"):
        cov.readme_with_table("# README\n", DATA)


def test_the_readme_shows_the_counts_of_every_runbook():
    readme = (ROOT / cov.README).read_text(encoding="utf-8")
    for book in DATA["runbooks"]:
        c = cov.counts(book)
        assert "| %s %s | %d | %d | %d |" % (book["seed"], book["short"], c["steps"], c["automatable"], c["full"]) in readme
