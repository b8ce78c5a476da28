# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Options shared by the Railway modules.
    RAILWAY = r"""
options:
  api_token:
    description:
      - Railway API token. An account or team token is sent as the C(Authorization) header (Bearer), a
        project token (O(token_type=project)) as C(Project-Access-Token).
      - Never returned or logged.
    type: str
    required: true
  token_type:
    description: Kind of O(api_token).
    type: str
    choices: [account, project]
    default: account
  api_url:
    description: URL of Railway's public GraphQL API; point it at a local double in tests.
    type: str
    default: https://backboard.railway.com/graphql/v2
  project_id:
    description: Railway project id.
    type: str
    required: true
  environment_id:
    description: Railway environment id (for example production's).
    type: str
    required: true
  service_id:
    description: Railway service id (for example C(soul-lab-server)'s).
    type: str
    required: true
  timeout:
    description: Seconds each API request may take.
    type: float
    default: 30
  validate_certs:
    description: Verify the API's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: CA bundle to verify the API's certificate with.
    type: path
notes:
  - Errors name what went wrong; RV(error_kind) is V(unauthorized), V(not_found), V(unreachable),
    V(input) or V(failed).
"""

    # Options of the PostgreSQL (psql) modules.
    POSTGRES = r"""
options:
  db_host:
    description: Host (or unix socket directory) of the PostgreSQL server, passed to psql's C(-h).
    type: str
  db_port:
    description: Port of the PostgreSQL server.
    type: int
  db_name:
    description: Database.
    type: str
  db_user:
    description: Role to log in as.
    type: str
  db_password:
    description: Password, given to psql as E(PGPASSWORD), never on its command line; never logged.
    type: str
  sslmode:
    description: libpq's C(sslmode) (Supabase wants V(require)).
    type: str
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
  psql_binary:
    description: Path of psql. Looked up on E(PATH) when unset.
    type: path
  timeout:
    description: Seconds psql may run (coreutils C(timeout)).
    type: int
    default: 30
notes:
  - psql runs on the host the task runs on, as an argument list; SQL goes on its standard
    input and values as psql variables, so no value is pasted into SQL text.
"""
