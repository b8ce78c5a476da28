# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a checklist suite against an inventory group and print the seed 003 verdict.

    python -m tests.checklists SUITE -i INVENTORY [-g GROUP] [-e VARS]... [-v]

Exit status: 0 PASS, 3 CONDITIONAL PASS, 1 FAIL, 2 bad input or nothing applicable.
Run it from the collection root (scripts/checklist.sh does).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITES = {p.stem[len("suite_"):]: p for p in sorted(HERE.glob("suite_*.py"))}


def _collection_importable():
    """Make ansible_collections.oncall.runbooks importable (the suites judge with its
    module_utils): from ANSIBLE_COLLECTIONS_PATH, or else through a link to this checkout,
    as tests/conftest.py does."""
    from ansible import constants
    from ansible.plugins.loader import init_plugin_loader
    prefix = []
    if not any(os.path.isdir(os.path.join(p, "ansible_collections", "oncall", "runbooks"))
               for p in constants.COLLECTIONS_PATHS):
        import tempfile
        root = Path(tempfile.mkdtemp(prefix="oncall-src-"))
        (root / "ansible_collections" / "oncall").mkdir(parents=True)
        (root / "ansible_collections" / "oncall" / "runbooks").symlink_to(HERE.parents[1])
        prefix = [str(root)]
    init_plugin_loader(prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.checklists", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("-i", "--inventory", required=True, help="Ansible inventory (file or directory)")
    parser.add_argument("-g", "--group", default="all", help="inventory group (or host) to check; default all")
    parser.add_argument("-e", "--extra-vars", action="append", default=[],
                        help="variables over the inventory's, as ansible-playbook -e takes them (k=v, JSON, @file)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output, tracebacks and the items that did not apply")
    args = parser.parse_args(argv)

    _collection_importable()
    import pytest

    from tests.checklists import targets as targets_mod
    from tests.checklists.plugin import ChecklistPlugin
    from tests.checklists.verdict import EXIT_CODES, report

    try:
        targets = targets_mod.load(args.inventory, args.group, targets_mod.parse_extra_vars(args.extra_vars))
    except targets_mod.ChecklistError as exc:
        print("checklist: %s" % exc, file=sys.stderr)
        return 2
    plugin = ChecklistPlugin(targets)
    # testinfra's own pytest plugin would parametrize `host` (local by default): ours does
    opts = [str(SUITES[args.suite]), "-p", "no:pytest11.testinfra", "-p", "no:cacheprovider", "-o", "python_files=suite_*.py",
            "--rootdir", str(HERE.parents[1]), "-c", os.devnull, "--import-mode=importlib"]
    opts += ["-v", "--tb=short"] if args.verbose else ["-q", "--tb=no", "--no-header", "-rN", "-p", "no:warnings"]
    rc = pytest.main(opts, plugins=[plugin])
    if rc not in (0, 1):            # usage error, collection error, internal error
        print("checklist: pytest could not run suite %s (exit %s)" % (args.suite, rc), file=sys.stderr)
        return 2
    lines, overall = report(args.suite, args.group, plugin.ordered_results(), show_skipped=args.verbose)
    print("\n".join(lines))
    return EXIT_CODES[overall] if overall else 2


if __name__ == "__main__":
    sys.exit(main())
