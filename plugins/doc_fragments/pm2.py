# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  pm2_home:
    description:
      - PM2_HOME of the user that runs the app. PM2 keeps one daemon per user; as another
        user, pm2 sees an empty list and starts a second daemon.
      - Defaults to E(PM2_HOME), else C(~/.pm2) of the user the module runs as (use
        C(become_user) to run as the app's user).
    type: path
  pm2_binary:
    description: Path of the pm2 executable. Found on E(PATH) when unset.
    type: path
notes:
  - Fails with a clear message, and without starting anything, when pm2 is not installed or
    no PM2 daemon runs for O(pm2_home).
"""
