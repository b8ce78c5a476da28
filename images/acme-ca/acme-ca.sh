#!/usr/bin/env bash
# Starts pebble-challtestsrv (DNS only) and Pebble on 127.0.0.1.
#   $ACME_DIR/ca.pem        the CA that signed Pebble's own HTTPS certificate: what a client
#                           (certbot's REQUESTS_CA_BUNDLE) must trust. Made once and kept, so a
#                           restarted Pebble is still trusted (its accounts are not: Pebble
#                           keeps them in memory).
#   ACME_HTTP01_PORT        the port Pebble connects to for http-01 (the web server's).
#   ACME_VALIDITY_SECONDS   lifetime of the certificates it issues (default 10 days).
set -euo pipefail
d=$ACME_DIR
mkdir -p "$d"
if [ ! -s "$d/ca.pem" ] || [ ! -s "$d/pebble.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=oncall test ACME CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$d/pebble.key" -out "$d/pebble.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/pebble.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 30 -extfile "$d/ext.cnf" -out "$d/pebble.pem" 2>/dev/null
  chmod 0644 "$d/ca.pem"
fi
cat >"$d/pebble.json" <<JSON
{"pebble": {
  "listenAddress": "127.0.0.1:${ACME_PORT}",
  "managementListenAddress": "127.0.0.1:${ACME_MANAGEMENT_PORT}",
  "certificate": "$d/pebble.pem", "privateKey": "$d/pebble.key",
  "httpPort": ${ACME_HTTP01_PORT}, "tlsPort": 5001, "ocspResponderURL": "",
  "externalAccountBindingRequired": false,
  "certificateValidityPeriod": ${ACME_VALIDITY_SECONDS}}}
JSON
pebble-challtestsrv -management "127.0.0.1:${ACME_CHALLTESTSRV_PORT}" -dns01 "127.0.0.1:${ACME_DNS_PORT}" \
  -http01 "" -https01 "" -tlsalpn01 "" -defaultIPv6 "" &
# no nonce rejections or authorization reuse: each test run validates for real, without noise
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
  pebble -config "$d/pebble.json" -dnsserver "127.0.0.1:${ACME_DNS_PORT}" &
wait -n
