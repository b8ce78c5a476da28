#!/usr/bin/env bash
# The main job: set everything up, bring up the lab (local containers standing in for
# production), and run a runbook against it.
#
#   scripts/lab.sh          set up, bring the lab up, run the daily check against it
#   scripts/lab.sh down     tear the lab down
set -euo pipefail
# shellcheck source=scripts/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
oncall_setup
cd "$ONCALL_ROOT"

case "${1:-up}" in
  down)
    ansible-playbook lab/down.yml -i inventories/lab
    ;;
  up)
    echo "== bringing up the lab (inventories/lab)"
    ansible-playbook lab/up.yml -i inventories/lab
    echo "== running playbooks/daily-check.yml against the lab"
    ansible-playbook playbooks/daily-check.yml -i inventories/lab
    echo "== done. Tear the lab down with: scripts/lab.sh down"
    ;;
  *)
    echo "usage: $0 [up|down]" >&2
    exit 2
    ;;
esac
