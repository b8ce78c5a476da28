# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make this checkout importable as ansible_collections.oncall.runbooks for plain pytest.

scripts/setup.sh exports ONCALL_SRC (a directory holding ansible_collections/oncall/runbooks
-> this checkout). Without it, e.g. when the checkout already sits at
.../ansible_collections/oncall/runbooks, the enclosing directory is used.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _collections_root():
    if ROOT.parent.name == "oncall" and ROOT.parent.parent.name == "ansible_collections":
        return str(ROOT.parents[2])
    if os.environ.get("ONCALL_SRC"):
        return os.environ["ONCALL_SRC"]
    link_root = Path(tempfile.mkdtemp(prefix="oncall-src-"))
    (link_root / "ansible_collections" / "oncall").mkdir(parents=True)
    (link_root / "ansible_collections" / "oncall" / "runbooks").symlink_to(ROOT)
    return str(link_root)


sys.path.insert(0, _collections_root())
