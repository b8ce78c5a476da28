# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.oncall.runbooks.plugins.filter.severity import severity

# The table the pm2_app role ships (seed 004's thresholds): the test reads the real default.
DEFAULTS = yaml.safe_load((Path(__file__).resolve().parents[4] / "roles" / "pm2_app" / "defaults"
                           / "main.yml").read_text())


def render(value):
    """The table's '{{ var }}' values, as Ansible renders them from the same defaults."""
    if isinstance(value, str) and value.startswith("{{"):
        return DEFAULTS[value.strip("{} ")]
    return value


TABLE = [dict(rule, any=[dict(c, value=render(c["value"])) for c in rule["any"]])
         for rule in DEFAULTS["pm2_app_severity_table"]]


@pytest.mark.parametrize("signals, expected", [
    ({"healthy": False, "error_rate_pct": 0, "answered_pct": 100}, "P0"),      # health fails
    ({"healthy": True, "error_rate_pct": 50.1, "answered_pct": 100}, "P0"),    # 5xx > 50 %
    ({"healthy": True, "error_rate_pct": 50, "answered_pct": 100}, "P1"),      # 5xx 10-50 %
    ({"healthy": True, "error_rate_pct": 10, "answered_pct": 100}, "P1"),
    ({"healthy": True, "error_rate_pct": 0, "answered_pct": 49}, "P1"),        # answered < 50 %
    ({"healthy": True, "error_rate_pct": 9.9, "answered_pct": 100}, "P2"),     # 5xx 3-10 %
    ({"healthy": True, "error_rate_pct": 3, "answered_pct": 100}, "P2"),
    ({"healthy": True, "error_rate_pct": 0, "answered_pct": 100, "p95_ms": 2500}, "P2"),  # slow
    ({"healthy": True, "error_rate_pct": 2.9, "answered_pct": 100, "p95_ms": 100}, "none"),
    ({"healthy": True}, "none"),                                                # unmeasured skipped
])
def test_seed_004_table(signals, expected):
    assert severity(signals, TABLE)["severity"] == expected


def test_matched_conditions_are_explained():
    out = severity({"healthy": False, "error_rate_pct": 80}, TABLE)
    assert out == {"severity": "P0", "matched": ["healthy == false", "error_rate_pct > 50 (measured 80)"]}


@pytest.mark.parametrize("table, fragment", [
    ([], "non-empty list"),
    ([{"severity": "P0"}], "must have severity and a list 'any'"),
    ([{"severity": "P0", "any": [{"signal": "x"}]}], "needs signal, op and value"),
    ([{"severity": "P0", "any": [{"signal": "x", "op": "~", "value": 1}]}], "unknown op '~'"),
])
def test_bad_table(table, fragment):
    with pytest.raises(AnsibleFilterError) as err:
        severity({"x": 1}, table)
    assert fragment in str(err.value)


def test_uncomparable_signal():
    with pytest.raises(AnsibleFilterError, match="cannot compare"):
        severity({"x": "high"}, [{"severity": "P0", "any": [{"signal": "x", "op": ">", "value": 5}]}])
