#!/usr/bin/env bash
# The main job: set everything up, bring up the lab (local containers standing in for
# production), and run the runbooks against it: seed 004's story of a bad release, then
# seed 001's blue-green deploy and its certificate expiry incident, seed 002's API-down incident
# and seed 003's Quick 7 smoke test.
#
#   scripts/lab.sh          set up, bring the lab up, run the story
#   scripts/lab.sh down     tear the lab down
set -euo pipefail
# shellcheck source=scripts/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
oncall_setup
cd "$ONCALL_ROOT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# A step that must fail (the drill's point); the job fails if it does not.
must_fail() {
  if "$@"; then
    echo "expected this step to fail, it did not: $*" >&2
    exit 1
  fi
  echo "(failed, as the drill expects)"
}

case "${1:-up}" in
  down)
    ansible-playbook lab/down.yml -i inventories/lab
    ;;
  up)
    say "bringing up the lab (inventories/lab): ai-service on PM2, release v1"
    ansible-playbook lab/up.yml -i inventories/lab
    ansible-playbook lab/reset.yml -i inventories/lab >/dev/null
    say "daily check"
    ansible-playbook playbooks/daily-check.yml -i inventories/lab
    say "deploy v2 (deploy-ai.yml: deploy, health check, notify)"
    ansible-playbook playbooks/deploy-ai.yml -i inventories/lab -e release=v2
    say "drill: v2 starts answering 500 under real traffic"
    docker exec oncall-lab-ai sh -c 'echo 500 > /srv/ai-service/releases/v2/BROKEN'
    say "daily check catches it"
    must_fail ansible-playbook playbooks/daily-check.yml -i inventories/lab
    say "on-call runs rollback-ai.yml: detect, classify, notify, roll back, verify, notify"
    ansible-playbook playbooks/rollback-ai.yml -i inventories/lab
    say "deploying v2 again is refused: it is marked bad"
    must_fail ansible-playbook playbooks/deploy-ai.yml -i inventories/lab -e release=v2
    say "daily check: healthy again"
    ansible-playbook playbooks/daily-check.yml -i inventories/lab
    # seed 001: the web project's backend, blue-green behind nginx, with no request lost
    live_tag=$(python -c 'import json,sys; print(json.load(open(sys.argv[1])).get("backendTag") or "v1")' \
      /var/tmp/oncall-runbooks/oncall-lab/web_project/deploy-state.json)
    next_tag=$([ "$live_tag" = v2 ] && echo v1 || echo v2)
    say "blue-green deploy of the web backend: $live_tag -> $next_tag (deploy-blue-green.yml -e phase=full)"
    ansible-playbook playbooks/deploy-blue-green.yml -i inventories/lab -e phase=full \
      -e be_tag="$next_tag" -e fe_tag="$next_tag"
    say "seed 001 §5.5: certificate expiry alert -> incident-cert-expiry.yml (renew, reload nginx, confirm by TLS handshake)"
    ansible-playbook playbooks/incident-cert-expiry.yml -i inventories/lab
    say "seed 002: Railway's live deployment answers 503 and Cloudflare's live build 404 -> incident-api-down.yml"
    for port in 18097 18099; do   # the doubles' test control, not part of Railway's or Cloudflare's API
      python -c 'import sys, urllib.request as u; u.urlopen(u.Request("http://127.0.0.1:%s/_scenario" % sys.argv[1],
                 data=b"{\"name\": \"broken\"}", headers={"Content-Type": "application/json"}), timeout=10)' "$port"
    done
    ansible-playbook playbooks/incident-api-down.yml -i inventories/lab
    say "seed 003: Quick 7 smoke test of the web app (PASS / CONDITIONAL PASS / FAIL)"
    ansible-playbook playbooks/smoke-quick7.yml -i inventories/lab
    say "what the Discord channel saw"
    python "$ONCALL_ROOT/scripts/show_channel.py" --port 18081
    say "what the lab leaves to open in a browser"
    echo "daily report:  ${ONCALL_REPORT_DIR:-$HOME/.cache/oncall-runbooks/reports/daily}/report.html"
    # shellcheck disable=SC2012   # names are INC-<UTC time>-<symptom>: no odd characters
    newest=$(ls -t "$HOME"/.cache/oncall-runbooks/incidents/INC-*.html 2>/dev/null | head -n 1 || true)
    echo "incident page: ${newest:-none written}"
    say "done. Run it again any time; tear the lab down with: scripts/lab.sh down"
    ;;
  *)
    echo "usage: $0 [up|down]" >&2
    exit 2
    ;;
esac
