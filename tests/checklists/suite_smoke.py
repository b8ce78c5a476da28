# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 003 section 6, the smoke test's HTTP items (Quick 7), from checklist_smoke_checks:

    checklist_smoke_checks:
      - id: T1
        name: logged out, a protected route redirects to the login page
        url: https://app.example.com/home
        status_codes: [302, 303, 307]
        location: /login
      - {id: T2, name: wallet charge packages load, url: https://app.example.com/wallet/charge}
      - {id: X1, name: docs page, url: ..., critical: false}

Each check is one item, named by its id (critical unless `critical: false`), so the verdict
counts non-critical failures one by one; status_codes default [200];
`location` (part of the Location header) and `json_checks` are optional. Items the seed
checks by hand (T4 realtime on two devices, T5 the share button) are not HTTP checks.
"""
from __future__ import annotations

import pytest

from tests.checklists import probes
from tests.checklists.plugin import item


def entries(target):
    """The items of this suite on `target` (the plugin makes one test per entry)."""
    if not target.has("checklist_smoke_checks"):
        return []
    return [dict(c, id=str(c.get("id", "smoke-%d" % n)), name=c.get("name", c["url"]))
            for n, c in enumerate(target.var("checklist_smoke_checks"), 1)]


@item("smoke", "smoke check")
def test_smoke_check(target, entry):
    if entry is None:
        pytest.skip("not applicable: no checklist_smoke_checks for %s" % target.name)
    answer = probes.http_get(target, entry["url"], timeout=entry.get("timeout", 10),
                             validate_certs=entry.get("validate_certs", True))
    why = probes.judge_http(entry["id"], answer, status_codes=entry.get("status_codes", [200]),
                            json_checks=entry.get("json_checks", []), location=entry.get("location"))
    assert why is None, why
