#!/usr/bin/env bash
# Seed 004's /opt/scripts/rollback.sh as a team writes it (the runbook deploys it to the
# server and keeps only a template in Git): pick the previous release by mtime, switch the
# link, reload, wait, check. Its literal steps - no evidence, no timeout, no second try.
# Used by bench/rollback_ai.py only, never by the collection.
#   operator_rollback.sh <app_dir> <pm2 app> <port>
APP_DIR=$1 APP=$2 PORT=$3
cd "$APP_DIR" || exit 1
CURRENT=$(basename "$(readlink current)")
# the newest release older than the live one, by modification time (ls -t, as written)
# shellcheck disable=SC2012
PREVIOUS=$(ls -1t releases | sed -n "/^$CURRENT\$/{n;p;q}")
[ -n "$PREVIOUS" ] || { echo "no previous release"; exit 1; }
echo "rolling back $CURRENT -> $PREVIOUS"
ln -sfn "releases/$PREVIOUS" current
pm2 reload "$APP"
sleep 3
# no --max-time, no --fail: a hanging release hangs the script, a 500 passes
if curl -s "http://localhost:$PORT/actuator/health"; then echo " rollback done"; else echo "health check failed"; exit 1; fi
