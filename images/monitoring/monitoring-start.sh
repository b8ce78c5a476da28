#!/usr/bin/env bash
# Run one component of the monitoring stack in the foreground, on 127.0.0.1 (host network).
#   monitoring-start prometheus      PROMETHEUS_PORT (9090), PROMETHEUS_CONFIG, PROMETHEUS_DATA,
#                                    PROMETHEUS_RETENTION (15d)
#   monitoring-start alertmanager    ALERTMANAGER_PORT (9093), ALERTMANAGER_CONFIG, ALERTMANAGER_DATA
# Defaults for the configs are /etc/monitoring/{prometheus,alertmanager}.yml (a minimal
# Prometheus scraping itself; an Alertmanager with one no-op receiver): mount your own over
# them or point the variables elsewhere. Extra arguments are passed to the component.
set -euo pipefail
component=${1:-prometheus}
shift || true
case "$component" in
  prometheus)
    data=${PROMETHEUS_DATA:-/var/lib/prometheus/data}
    mkdir -p "$data"
    exec /usr/bin/prometheus \
      --config.file="${PROMETHEUS_CONFIG:-/etc/monitoring/prometheus.yml}" \
      --storage.tsdb.path="$data" \
      --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-15d}" \
      --web.listen-address="127.0.0.1:${PROMETHEUS_PORT:-9090}" \
      --web.enable-lifecycle "$@"
    ;;
  alertmanager)
    data=${ALERTMANAGER_DATA:-/var/lib/prometheus/alertmanager}
    mkdir -p "$data"
    exec /usr/bin/prometheus-alertmanager \
      --config.file="${ALERTMANAGER_CONFIG:-/etc/monitoring/alertmanager.yml}" \
      --storage.path="$data" \
      --web.listen-address="127.0.0.1:${ALERTMANAGER_PORT:-9093}" \
      --cluster.listen-address= "$@"
    ;;
  *)
    echo "usage: monitoring-start prometheus|alertmanager [args...]" >&2
    exit 2
    ;;
esac
