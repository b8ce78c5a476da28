#!/usr/bin/env bash
# The whole test suite: set everything up, then run every check and print a summary.
# Exits non-zero when any step fails (every step still runs, so the summary is complete).
#
#   scripts/test.sh                      everything
#   scripts/test.sh units lint           only the named steps
#   MOLECULE_SCENARIOS="health_check" scripts/test.sh molecule
#
# Steps: build (galaxy build + install + ansible-doc of the installed copy), sanity
# (ansible-test sanity), units (pytest), lint (ansible-lint, production profile),
# molecule (every scenario: create, converge, idempotence, check, verify, destroy),
# integration (pytest against the lab's real containers).
set -uo pipefail
# shellcheck source=scripts/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
oncall_setup
set +e
cd "$ONCALL_ROOT" || exit 1

ALL_STEPS=(build sanity units lint molecule integration)
STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=("${ALL_STEPS[@]}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/oncall-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PYVER=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0

# The files of this checkout that belong to it: tracked plus new, not ignored.
checkout_files() {
  if git -C "$ONCALL_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$ONCALL_ROOT" ls-files -co --exclude-standard -z
  else
    find . -path ./.git -prune -o -type f -print0
  fi
}

step_build() {
  local out=$WORK/build inst=$WORK/installed
  mkdir -p "$out" "$inst"
  ansible-galaxy collection build --output-path "$out" . || return 1
  local tarball
  tarball=$(ls "$out"/oncall-runbooks-*.tar.gz) || return 1
  echo "built $(basename "$tarball")"
  # --no-deps: dependencies come from ONCALL_DEPS (Galaxy is unreachable here).
  ANSIBLE_COLLECTIONS_PATH=$inst:$ONCALL_DEPS \
    ansible-galaxy collection install --no-deps -p "$inst" "$tarball" || return 1
  # Only the installed copy (and our dependencies) on the path: the source tree is not used.
  ANSIBLE_COLLECTIONS_PATH=$inst:$ONCALL_DEPS ansible-doc -l oncall.runbooks || return 1
  local mod
  for mod in "$inst"/ansible_collections/oncall/runbooks/plugins/modules/*.py; do
    mod=$(basename "$mod" .py)
    ANSIBLE_COLLECTIONS_PATH=$inst:$ONCALL_DEPS ansible-doc "oncall.runbooks.$mod" >/dev/null \
      || { echo "ansible-doc oncall.runbooks.$mod failed"; return 1; }
  done
  ANSIBLE_COLLECTIONS_PATH=$inst:$ONCALL_DEPS ANSIBLE_CALLBACK_RESULT_FORMAT=json \
    ansible -i localhost, -c local \
    -e "ansible_python_interpreter=$(command -v python)" localhost \
    -m oncall.runbooks.http_check -a "url=http://127.0.0.1:1/ fail_on_unhealthy=false" \
    | grep -q '"reason": "GET http://127.0.0.1:1/: connection refused"' \
    || { echo "the installed http_check did not run"; return 1; }
  echo "installed copy: ansible-doc renders every module, http_check runs"
}

step_sanity() {
  # ansible-test needs the tree at .../ansible_collections/oncall/runbooks (a real path,
  # not a link), so it runs on a copy of the checkout's files.
  local dest=$WORK/sanity/ansible_collections/oncall/runbooks
  mkdir -p "$dest"
  checkout_files | (cd "$ONCALL_ROOT" && xargs -0 cp --parents -t "$dest") || return 1
  (cd "$dest" && ansible-test sanity --python "$PYVER" --color no)
}

step_units() {
  python -m pytest tests/unit
}

step_lint() {
  ansible-lint --offline --profile production
}

step_molecule() {
  local scenarios=${MOLECULE_SCENARIOS:-} rc=0 s
  if [ -z "$scenarios" ]; then
    scenarios=$(for f in molecule/*/molecule.yml; do basename "$(dirname "$f")"; done)
  fi
  [ -n "$scenarios" ] || { echo "no Molecule scenarios found"; return 1; }
  for s in $scenarios; do
    echo "-- molecule test -s $s"
    molecule test -s "$s" 2>&1 | tee "$WORK/molecule-$s.log"
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
      echo "SCENARIO FAILED: $s"
      FAILED_SCENARIOS+=("$s")
      rc=1
    fi
  done
  return $rc
}

# Where a failed scenario went wrong, repeated after the summary: CI often keeps only the
# end of a long log.
report_failed_scenarios() {
  local s
  [ ${#FAILED_SCENARIOS[@]} -eq 0 ] || echo "molecule scenarios that failed: ${FAILED_SCENARIOS[*]}"
  for s in "${FAILED_SCENARIOS[@]}"; do
    printf '\n-- molecule scenario %s failed; its failures:\n' "$s"
    grep -E -B2 -A12 '^(fatal|failed):|^ERROR|CRITICAL|: Executed: Failed' "$WORK/molecule-$s.log" \
      | cut -c1-400 | tail -n 80
  done
}

step_integration() {
  python -m pytest tests/integration
}

declare -A RESULT DURATION
FAILED_SCENARIOS=()
for step in "${STEPS[@]}"; do
  if ! declare -F "step_$step" >/dev/null; then
    echo "unknown step: $step (known: ${ALL_STEPS[*]})" >&2
    exit 2
  fi
  printf '\n======== %s ========\n' "$step"
  start=$(date +%s)
  "step_$step"
  rc=$?
  DURATION[$step]=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then RESULT[$step]=PASS; else RESULT[$step]="FAIL (rc $rc)"; fi
done

printf '\n======== summary ========\n'
failed=0
for step in "${STEPS[@]}"; do
  printf '%-12s %-14s %4ss\n' "$step" "${RESULT[$step]}" "${DURATION[$step]}"
  [ "${RESULT[$step]}" = PASS ] || failed=1
done
if [ $failed -ne 0 ]; then
  report_failed_scenarios
  echo "RESULT: FAILED"
  exit 1
fi
echo "RESULT: ALL PASSED"
