# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The `.env` files the runbooks keep (`KEY=value` lines, comments, `export`, quotes).

Read as a shell's `set -a; . ./file` would for the plain assignments these files hold, and
edited in place: one line changes, every other line (comments, unknown keys, order) and the
file's mode and owner stay as they were.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oncall.runbooks.plugins.module_utils.state_file import write_atomic

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    # an unquoted ` #` starts a comment, as in a shell
    return re.split(r"\s+#", value, 1)[0].strip()


__all__ = ["find", "parse", "read", "render", "set_value", "write_atomic"]


def find(lines, key):
    """(index, value) of the key's last line, or (None, None)."""
    found = (None, None)
    for i, line in enumerate(lines):
        match = _LINE.match(line)
        if match and match.group(1) == key:
            found = (i, _unquote(match.group(2)))
    return found


def parse(text):
    """{KEY: value} of every assignment, later lines winning (as sourcing does)."""
    values = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if match:
            values[match.group(1)] = _unquote(match.group(2))
    return values


def read(path):
    """parse() of the file, or None when it does not exist."""
    try:
        with open(path) as f:
            return parse(f.read())
    except FileNotFoundError:
        return None


def render(key, value):
    """One line; single-quoted when a shell or docker compose would split or expand it
    (neither reads an escape inside single quotes, so a value with one is refused)."""
    if "'" in value or "\n" in value:
        raise ValueError("%s: a value with a single quote or a newline cannot be written safely" % key)
    if re.search(r"[\s#\"$`\\]", value):
        return "%s='%s'\n" % (key, value)
    return "%s=%s\n" % (key, value)


def set_value(path, key, value, create=False):
    """Set KEY=value in place (the key's line rewritten, or appended); True when it changed.
    A missing file is created (mode 0600) only when `create`."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        if not create:
            raise
        text = ""
    lines = text.splitlines(True)
    index, current = find(lines, key)
    if current == value:
        return False
    line = render(key, value)
    if index is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(line)
    else:
        lines[index] = line
    write_atomic(path, "".join(lines), like=path)
    return True
