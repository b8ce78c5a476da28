# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  app:
    description: Name of the Fly.io app, for example C(freshchat-bridge).
    type: str
    required: true
  api_token:
    description:
      - Fly.io access token (for example a deploy token from C(fly tokens create deploy)).
      - Passed to flyctl as E(FLY_API_TOKEN) in its environment, never on its command line,
        never returned or logged.
      - When unset, flyctl uses E(FLY_ACCESS_TOKEN), E(FLY_API_TOKEN) or its own login of the
        user the module runs as.
    type: str
  flyctl_binary:
    description: Path of the flyctl executable. When unset, C(flyctl) then C(fly) is looked up on E(PATH).
    type: path
  timeout:
    description:
      - Seconds each flyctl call may take before it is stopped (with coreutils C(timeout)).
        Every call is bounded; C(logs --no-tail) in particular keeps polling while the log
        buffer is empty.
    type: int
    default: 120
notes:
  - flyctl runs on the host the task runs on (an ops or control host), from a neutral working
    directory so that no C(fly.toml) found there changes which app is addressed.
  - Errors quote flyctl's own message; RV(error_kind) says which case it was - V(not_found),
    V(unauthorized), V(image_missing), V(missing_binary), V(timeout), V(refused), V(input),
    V(usage), V(parse), V(not_stored) (flyctl_secret - flyctl did not visibly store a value) or V(failed).
seealso:
  - name: flyctl reference used to build these modules
    description: Commands, flags, JSON shapes and error texts of flyctl v0.4.87, read from its source.
    link: https://fly.io/docs/flyctl/
"""

    STATE = r"""
options:
  state_dir:
    description:
      - Directory for the small JSON files these modules keep per app on this host - the
        machine counts recorded before an emergency stop, the rollbacks made, and salted
        fingerprints of secret values (never the values). Created with mode 0700.
    type: path
    default: ~/.local/state/oncall-runbooks/flyio
"""
