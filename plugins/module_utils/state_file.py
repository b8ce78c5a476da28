# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small JSON state files that procedures keep beside what they manage
(e.g. the release history of pm2_release, deploy-state.json of blue-green deploys).

Reads refuse a corrupt file with a clear error instead of starting over (starting over
would forget which release is bad, or which colour is live). Writes are atomic: a temporary
file in the same directory, fsync, then rename, so a crash leaves the old or the new state,
never half of one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import tempfile


def now_iso():
    """UTC now, to the second, as recorded in state files and messages."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


class StateFileError(Exception):
    """The state file exists but cannot be used."""


def read_state(path, default=None):
    """Return the parsed JSON object at `path`, or `default` when the file does not exist."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return default
    except OSError as exc:
        raise StateFileError("cannot read state file %s: %s" % (path, exc.strerror or exc))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StateFileError(
            "state file %s is corrupt (%s); fix or remove it by hand: it is not overwritten "
            "because it records what is live" % (path, exc))
    if not isinstance(data, dict):
        raise StateFileError("state file %s holds %s, expected a JSON object"
                             % (path, type(data).__name__))
    return data


def dump_state(data):
    """The exact text written for `data` (stable, so unchanged state compares equal)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_atomic(path, text, like=None, mode=0o600):
    """Replace `path` by `text`: a temporary file in the same folder, fsync, rename. The mode
    and owner are `like`'s when that file exists (an operator's file keeps its own), else `mode`."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if like and os.path.exists(like):
            st = os.stat(like)
            os.chmod(tmp, st.st_mode & 0o7777)
            if os.geteuid() == 0:
                os.chown(tmp, st.st_uid, st.st_gid)
        else:
            os.chmod(tmp, mode)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_state(path, data, mode=0o644):
    """Atomically replace `path` with `data` as JSON (a file that exists keeps its mode and
    owner). Returns True when the content changed."""
    text = dump_state(data)
    try:
        with open(path, "r") as f:
            if f.read() == text:
                return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text, like=path, mode=mode)
    return True
