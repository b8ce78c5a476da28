#!/usr/bin/env bash
# Run one of the seeds' checklists (tests/checklists) against an inventory group and print
# PASS / CONDITIONAL PASS / FAIL (seed 003 section 6). docs/production.md explains them.
#
#   scripts/checklist.sh SUITE INVENTORY [GROUP] [-e VARS]... [-v]
#   scripts/checklist.sh predeploy inventories/production web
#   scripts/checklist.sh daily inventories/lab all
#
# Suites: predeploy, postdeploy (seed 001 section 7), daily (seed 000 section 1),
# smoke (seed 003 section 6, Quick 7). Exit status: 0 PASS, 3 CONDITIONAL PASS, 1 FAIL,
# 2 bad input or nothing applicable. Needs the environment of scripts/setup.sh (run it once).
set -euo pipefail
# shellcheck source=scripts/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
[ -x "$ONCALL_VENV/bin/python" ] || die "no virtualenv at $ONCALL_VENV: run scripts/setup.sh first"
if [ $# -lt 2 ]; then
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
suite=$1 inventory=$2
shift 2
group=all
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  group=$1
  shift
fi
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ONCALL_SRC:$ONCALL_DEPS}
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$ONCALL_ROOT/ansible.cfg}
inventory=$(realpath "$inventory")
cd "$ONCALL_ROOT"
exec "$ONCALL_VENV/bin/python" -m tests.checklists "$suite" -i "$inventory" -g "$group" "$@"
