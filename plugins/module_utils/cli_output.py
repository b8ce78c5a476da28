# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a failed command's output is quoted in an error message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def last_lines(text, n=3):
    """The last `n` non-empty lines of a command's output on one line: what it said last."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) or "(no output)"
