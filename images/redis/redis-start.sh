#!/usr/bin/env bash
# Starts redis-server on 127.0.0.1:$REDIS_PORT (plain) and 127.0.0.1:$REDIS_TLS_PORT (TLS; 0 = none).
#   $REDIS_TLS_DIR/ca.pem     the CA that signed the server certificate (CN/SAN localhost, 127.0.0.1)
#   $REDIS_PASSWORD           requirepass (none when empty); written to a 0600 config file,
#                             never put on a command line
#   $REDIS_PASSWORD_FILE      or read it from this file (keeps it out of `docker inspect`)
set -euo pipefail
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE"); fi
d=$REDIS_TLS_DIR
mkdir -p "$d" /etc/redis-lab
if [ "${REDIS_TLS_PORT}" != "0" ] && { [ ! -s "$d/ca.pem" ] || [ ! -s "$d/server.pem" ]; }; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=oncall test Redis CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 30 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
  chmod 0644 "$d/ca.pem"
  chown redis "$d/server.key"
fi
conf=/etc/redis-lab/redis.conf
umask 077
{
  echo "bind 127.0.0.1"
  echo "port ${REDIS_PORT}"
  echo "protected-mode yes"
  echo "save \"\""
  echo "appendonly no"
  echo "dir /var/lib/redis"
  if [ -n "${REDIS_PASSWORD}" ]; then echo "requirepass ${REDIS_PASSWORD}"; fi
  if [ "${REDIS_TLS_PORT}" != "0" ]; then
    echo "tls-port ${REDIS_TLS_PORT}"
    echo "tls-cert-file $d/server.pem"
    echo "tls-key-file $d/server.key"
    echo "tls-ca-cert-file $d/ca.pem"
    echo "tls-auth-clients no"
  fi
} >"$conf"
chown redis "$conf"
exec runuser -u redis -- redis-server "$conf"
