# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The deployment both bluegreen modules look at (module_utils.bluegreen.common_argument_spec).
    DOCUMENTATION = r"""
options:
  server_root:
    description: The deployment's root (seed 001's C(~/srv/web_project)).
    type: path
    required: true
  project:
    description: Compose project of the application. Compose's default (the directory name) when unset.
    type: str
  compose_file:
    description: Application compose file, relative to O(server_root).
    type: str
    default: application/docker-compose.application.prod.yml
  backends:
    description: Address (C(host:port)) of each colour's backend, as the gateway reaches it.
    type: dict
    required: true
    suboptions:
      blue:
        description: Blue's address.
        type: str
        required: true
      green:
        description: Green's address.
        type: str
        required: true
  health_path:
    description: Health path of a backend, probed on its own address.
    type: str
    default: /api/actuator/health
"""
