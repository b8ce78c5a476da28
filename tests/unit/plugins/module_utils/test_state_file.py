# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import (
    StateFileError,
    read_state,
    write_state,
)


def test_missing_file_gives_default(tmp_path):
    assert read_state(str(tmp_path / "none.json"), default={"a": 1}) == {"a": 1}


def test_round_trip_and_no_rewrite_when_unchanged(tmp_path):
    path = str(tmp_path / "s.json")
    assert write_state(path, {"live": "v1"}) is True
    mtime = os.stat(path).st_mtime_ns
    assert write_state(path, {"live": "v1"}) is False
    assert os.stat(path).st_mtime_ns == mtime
    assert read_state(path) == {"live": "v1"}
    assert write_state(path, {"live": "v2"}) is True
    assert read_state(path) == {"live": "v2"}
    assert os.listdir(tmp_path) == ["s.json"]    # no temporary file left


@pytest.mark.parametrize("content, fragment", [
    (b"{not json", "is corrupt"),
    (b"\xff\xfe", "is corrupt"),
    (b"[1, 2]", "holds list, expected a JSON object"),
])
def test_corrupt_file_is_refused_and_kept(tmp_path, content, fragment):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as err:
        read_state(str(path))
    assert fragment in str(err.value)
    assert path.read_bytes() == content


def test_unreadable_path(tmp_path):
    with pytest.raises(StateFileError, match="cannot read state file"):
        read_state(str(tmp_path))     # a directory
