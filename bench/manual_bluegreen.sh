#!/usr/bin/env bash
# Seed 001's manual blue-green deploy, its own commands in its own order (section 2 steps 1-4
# done by hand, the gateway applied as step 3's "manual" line and section 3.2 do it), for
# bench/bluegreen.py to time beside the playbook. Never used by the collection. curl and jq
# are not on the lab host: python3 one-liners stand in for `curl -fsS` and `jq -r`.
#   manual_bluegreen.sh <root> <app_project> <gateway_project> <tag> <gateway_url> <blue_health> <green_health>
set -euo pipefail
ROOT=$1 APP_PROJECT=$2 GW_PROJECT=$3 TAG=$4 GATEWAY_URL=$5 BLUE_HEALTH=$6 GREEN_HEALTH=$7

http_ok() {  # curl -fsS -o /dev/null <url>
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null
}

# 1. load the environment
cd "$ROOT"
set -a
# shellcheck source=/dev/null
[ -f ./.env.server.prod ] && . ./.env.server.prod
# shellcheck source=/dev/null
[ -f application/.env.application.prod ] && . application/.env.application.prod
set +a
BE_TAG=$TAG          # "override FE_TAG, BE_TAG in the shell if needed"
export BE_TAG

active=$(python3 -c 'import json; print(json.load(open("deploy-state.json"))["activeColor"])')   # jq -r .activeColor
if [ "$active" = blue ]; then new=green health=$GREEN_HEALTH; else new=blue health=$BLUE_HEALTH; fi

# 2. prepare: start the new colour, wait for its health check, NGINX_BACKEND_HOST to the new colour
docker-compose -p "$APP_PROJECT" -f application/docker-compose.application.prod.yml up -d --no-deps "backend-$new" 2>/dev/null
until http_ok "$health"; do sleep 0.5; done
sed -i "s/^NGINX_BACKEND_HOST=.*/NGINX_BACKEND_HOST=backend-$new/" gateway/nginx/.env.production

# 3. gateway: cd gateway && docker compose -f docker-compose.gateway.prod.yml --env-file .env.gateway.prod up -d
#    --force-recreate added: after the playbook's in-place switch the file may now equal the
#    container's own environment, and a plain `up -d` would change nothing (docs/bluegreen.md)
(cd gateway && docker-compose -p "$GW_PROJECT" -f docker-compose.gateway.prod.yml --env-file .env.gateway.prod up -d --force-recreate 2>/dev/null)
#    verify: curl -fsSL https://<domain>/api/actuator/health
until http_ok "$GATEWAY_URL"; do sleep 0.2; done

# 4. finalize: stop/remove the old colour, update deploy-state.json
docker-compose -p "$APP_PROJECT" -f application/docker-compose.application.prod.yml stop "backend-$active" 2>/dev/null
docker-compose -p "$APP_PROJECT" -f application/docker-compose.application.prod.yml rm -f "backend-$active" 2>/dev/null
python3 - "$new" "$TAG" <<'PY'
import json, sys
state = json.load(open("deploy-state.json"))
state.update(activeColor=sys.argv[1], beTag=sys.argv[2])
json.dump(state, open("deploy-state.json", "w"), indent=2)
PY
echo "deployed $TAG on $new"
