#!/usr/bin/env bash
# The same steps as `deploy-blue-green.yml -e phase=full`, as a bare script on the
# docker-compose host: start the idle colour, wait until healthy, point nginx at it
# (write the include, nginx -t, nginx -s reload), confirm through the gateway, stop the old
# colour, write deploy-state.json. Used by bench/bluegreen.py, never by the collection.
#   bare_bluegreen.sh <root> <project> <tag> <gateway_port> <blue_port> <green_port>
set -euo pipefail
ROOT=$1 PROJECT=$2 TAG=$3 GW=$4 BLUE=$5 GREEN=$6
APP="docker-compose -p $PROJECT -f $ROOT/application/docker-compose.application.prod.yml"

status() {  # status PORT PATH -> "code color"
  local line color=""
  exec 3<>"/dev/tcp/127.0.0.1/$1" || { echo "000 -"; return; }
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  read -r line <&3
  local code; code=$(echo "$line" | cut -d' ' -f2)
  while read -r line <&3; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
    case "$line" in X-Color:*) color=${line#X-Color: } ;; esac
  done
  exec 3<&-
  echo "$code $color"
}

active=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["activeColor"])' "$ROOT/deploy-state.json")
if [ "$active" = blue ]; then new=green port=$GREEN; else new=blue port=$BLUE; fi

BE_TAG=$TAG $APP up -d --no-deps "backend-$new" 2>/dev/null
ok=0
for _ in $(seq 120); do
  if [ "$(status "$port" /api/actuator/health | cut -d' ' -f1)" = 200 ]; then ok=$((ok + 1)); else ok=0; fi
  [ $ok -ge 2 ] && break
  sleep 0.5
done
[ $ok -ge 2 ] || { echo "backend-$new never healthy"; exit 1; }

gw=$(docker ps -q --filter "label=com.docker.compose.project=${PROJECT}_gateway")
printf 'upstream backend {\n    server 127.0.0.1:%s;\n}\n' "$port" > "$ROOT/gateway/nginx/conf.d/upstream.conf.tmp"
mv "$ROOT/gateway/nginx/conf.d/upstream.conf.tmp" "$ROOT/gateway/nginx/conf.d/upstream.conf"
docker exec "$gw" nginx -t 2>/dev/null
docker exec "$gw" nginx -s reload 2>/dev/null
ok=0
for _ in $(seq 150); do
  if [ "$(status "$GW" /api/actuator/health)" = "200 $new" ]; then ok=$((ok + 1)); else ok=0; fi
  [ $ok -ge 5 ] && break
  sleep 0.1
done
[ $ok -ge 5 ] || { echo "switch not confirmed"; exit 1; }

BE_TAG=$TAG $APP stop "backend-$active" 2>/dev/null
BE_TAG=$TAG $APP rm -f "backend-$active" 2>/dev/null
printf '{"activeColor": "%s", "backendTag": "%s", "phase": "idle", "targetColor": null}\n' "$new" "$TAG" \
  > "$ROOT/deploy-state.json.tmp" && mv "$ROOT/deploy-state.json.tmp" "$ROOT/deploy-state.json"
echo "deployed $TAG on $new"
