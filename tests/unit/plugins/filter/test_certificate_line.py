# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.filter.certificate_line import certificate_line

CERT = {"source": "127.0.0.1:443 (app.test)", "names": ["app.test", "www.app.test"], "days_remaining": 9.53,
        "expired": False, "not_after": "2026-12-02T02:38:16+00:00", "serial": "69335f982176c827"}


def test_line():
    assert certificate_line(CERT) == ("127.0.0.1:443 (app.test) - app.test www.app.test - 9.5 days left "
                                      "(until 2026-12-02T02:38:16+00:00), serial 69335f98")


def test_expired_and_not_renewable():
    line = certificate_line(dict(CERT, days_remaining=-2.04, expired=True, renewable=False))
    assert "EXPIRED 2.0 days ago" in line and line.endswith("NOT renewed by certbot (no valid renewal configuration)")


def test_rejects_other_input():
    with pytest.raises(AnsibleFilterError, match="expects an entry of certificate_info"):
        certificate_line({"names": []})
