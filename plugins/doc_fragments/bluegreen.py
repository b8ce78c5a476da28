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
    description:
      - Compose project of the application. Unset, the name Compose itself gives it -
        C(COMPOSE_PROJECT_NAME) from the env files, else the compose file's top-level C(name),
        else its folder's name (C(application) on seed 001's layout).
      - Containers are only ever looked for in this project.
    type: str
  compose_file:
    description: Application compose file, relative to O(server_root).
    type: str
    default: application/docker-compose.application.prod.yml
  env_files:
    description:
      - Env files loaded, in this order, into the environment of every Compose call (seed 001
        section 2 step 1, C(set -a; . file)); later files win, missing ones are skipped.
      - C(BE_TAG)/C(FE_TAG) of the run override theirs, and are written back to the file that
        holds them when a tag goes live (seed section 3.1 step 3).
    type: list
    elements: str
    default: [.env.server.prod, application/.env.application.prod]
  compose:
    description:
      - Which Compose to run. V(auto) uses the one that made the project's containers (label
        C(com.docker.compose.version)) and refuses when it is not installed, since the other
        would recreate them; V(v1)/V(v2) force one (with a warning when that recreates).
    type: str
    choices: [auto, v1, v2]
    default: auto
  backends:
    description: Address (C(host:port)) where this host reaches each colour's backend for its health check.
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
  gateway:
    description: The nginx gateway.
    type: dict
    required: true
    suboptions:
      url:
        description: A URL through the gateway (the seed verifies with C(/api/actuator/health)).
        type: str
        required: true
      mode:
        description:
          - V(template) - re-render the running gateway's templates (the official nginx image's
            C(/etc/nginx/templates) mechanism) with the new C(NGINX_BACKEND_HOST), C(nginx -t),
            graceful C(nginx -s reload), then write the env file. No request is dropped.
          - V(include) - rewrite the upstream include O(gateway.upstream_file) atomically,
            C(nginx -t), C(nginx -s reload). No request is dropped.
          - V(recreate) - the seed's literal way - write C(NGINX_BACKEND_HOST), then
            C(docker compose up -d) of the gateway. B(Drops requests) while it restarts.
          - V(auto) - V(include) when O(gateway.upstream_file) exists, else V(template) when
            the gateway container has templates; otherwise an error asks for a mode.
        type: str
        choices: [auto, template, include, recreate]
        default: auto
      project:
        description: Compose project of the gateway; unset, as Compose names it (C(gateway)).
        type: str
      service:
        description: Gateway service name.
        type: str
        default: nginx
      compose_file:
        description: Gateway compose file, relative to O(server_root).
        type: str
        default: gateway/docker-compose.gateway.prod.yml
      compose_env_file:
        description: The gateway's C(--env-file), relative to O(server_root).
        type: str
        default: gateway/.env.gateway.prod
      env_file:
        description: Env file holding C(NGINX_BACKEND_HOST), relative to O(server_root).
        type: str
        default: gateway/nginx/.env.production
      hosts:
        description: The value of C(NGINX_BACKEND_HOST) for each colour.
        type: dict
        suboptions:
          blue:
            description: Blue's.
            type: str
            default: backend-blue
          green:
            description: Green's.
            type: str
            default: backend-green
      upstream_file:
        description: Upstream include of the V(include) mode, relative to O(server_root).
        type: str
        default: gateway/nginx/conf.d/upstream.conf
      color_header:
        description: A response header naming the colour (or its host), where the app sends one; unset, the container logs tell.
        type: str
      color_field:
        description: A top-level JSON field of the answer naming the colour, where the app sends one.
        type: str
      confirm_requests:
        description: Answers in a row from the new colour that confirm a switch.
        type: int
        default: 5
      confirm_timeout:
        description: Seconds to wait for that confirmation before the switch is undone.
        type: int
        default: 15
"""
