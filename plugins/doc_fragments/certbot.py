# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  config_dir:
    description:
      - certbot's configuration directory (C(live/), C(archive/), C(renewal/), C(accounts/)).
      - Seed 001 keeps it beside the gateway, for example C(<server_root>/gateway/letsencrypt/etc).
    type: path
    default: /etc/letsencrypt
  work_dir:
    description: certbot's working directory.
    type: path
    default: /var/lib/letsencrypt
  logs_dir:
    description: Where certbot writes C(letsencrypt.log).
    type: path
    default: /var/log/letsencrypt
  certbot_binary:
    description: Path of the certbot executable. Found on E(PATH) when unset.
    type: path
notes:
  - Requires the C(cryptography) Python package on the managed host (certbot depends on it).
"""
