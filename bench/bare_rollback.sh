#!/usr/bin/env bash
# The same PM2 rollback steps as playbooks/rollback-ai.yml, as a bare script on the host:
# sample 20 requests, notify, switch the symlink, pm2 reload, wait for 3 healthy answers in
# a row, notify. Only bash and pm2 (HTTP through /dev/tcp), as a team's own
# /opt/scripts/rollback.sh would be. Used by bench/rollback_ai.py, never by the collection.
#   bare_rollback.sh <app_dir> <app_port> <webhook_port> <target_release>
set -euo pipefail
APP=$1 PORT=$2 HOOK=$3 TARGET=$4

http() {  # http METHOD PORT PATH [BODY] -> prints the status code
  local body=${4:-} line
  exec 3<>"/dev/tcp/127.0.0.1/$2"
  printf '%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$1" "$3" "${#body}" "$body" >&3
  read -r line <&3
  exec 3<&-
  echo "$line" | cut -d' ' -f2
}

errors=0
for _ in $(seq 20); do
  [ "$(http GET "$PORT" /actuator/health)" -ge 500 ] && errors=$((errors + 1))
  sleep 0.1
done
echo "5xx: $errors of 20"
http POST "$HOOK" /api/webhooks/bench/token '{"embeds":[{"title":"rollback started","color":15158332}]}' >/dev/null

ln -sfn "$APP/releases/$TARGET" "$APP/current.tmp" && mv -T "$APP/current.tmp" "$APP/current"
pm2 reload ai-service >/dev/null

streak=0
for _ in $(seq 20); do
  if [ "$(http GET "$PORT" /actuator/health)" = 200 ]; then streak=$((streak + 1)); else streak=0; fi
  [ $streak -ge 3 ] && break
  sleep 0.5
done
[ $streak -ge 3 ] || { echo "rollback failed"; exit 1; }
http POST "$HOOK" /api/webhooks/bench/token '{"embeds":[{"title":"rollback done","color":3066993}]}' >/dev/null
echo "rolled back to $TARGET"
