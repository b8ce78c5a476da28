# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The integration tests' own lab: other names and ports, so a running lab of yours is left alone.

Two integration runs at once (two checkouts, or two engineers on one machine) need labs of
their own too: set ONCALL_ITEST_PREFIX and ONCALL_ITEST_PORT_BASE (26 ports from it)."""
import os

PREFIX = os.environ.get("ONCALL_ITEST_PREFIX", "oncall-itest")
BASE = int(os.environ.get("ONCALL_ITEST_PORT_BASE", "18282"))
_PORTS = ["lab_ai_port", "lab_discord_port", "lab_web_gateway_port", "lab_web_blue_port", "lab_web_green_port",
          "lab_acme_port", "lab_acme_management_port", "lab_tls_http_port", "lab_tls_port", "lab_acme_dns_port",
          "lab_acme_challtestsrv_port", "lab_smtp_port", "lab_mysql_port", "lab_fly_app_port", "lab_prometheus_port",
          "lab_alertmanager_port", "lab_grafana_loki_port", "lab_railway_port", "lab_railway_app_port",
          "lab_cloudflare_port", "lab_cloudflare_site_port", "lab_redis_port", "lab_redis_tls_port",
          "lab_postgres_port", "lab_supabase_port", "lab_refit_ai_port"]


def lab(prefix, base):
    """The lab variables of a lab named `prefix` whose ports start at `base`."""
    return dict({"lab_prefix": prefix}, **{name: base + i for i, name in enumerate(_PORTS)})


LAB = lab(PREFIX, BASE)
AFTER_LAB_PORT = BASE + len(_PORTS)     # the first port after the lab's (the rulebook's webhook)
WEB_ROOT = "/var/tmp/oncall-runbooks/%s/web_project" % PREFIX
MONITORING_DIR = "/var/tmp/oncall-runbooks/%s/monitoring" % PREFIX


def container(role):
    """Name of a lab container, e.g. container("ai") -> oncall-itest-ai."""
    return "%s-%s" % (PREFIX, role)
