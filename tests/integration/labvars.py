# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The integration tests' own lab: other names and ports, so a running lab of yours is left alone."""

LAB = {"lab_prefix": "oncall-itest", "lab_ai_port": 18282, "lab_discord_port": 18283,
       "lab_web_gateway_port": 18284, "lab_web_blue_port": 18285, "lab_web_green_port": 18286,
       "lab_acme_port": 18287, "lab_acme_management_port": 18288, "lab_tls_http_port": 18289,
       "lab_tls_port": 18290, "lab_acme_dns_port": 18291, "lab_acme_challtestsrv_port": 18292}
WEB_ROOT = "/var/tmp/oncall-runbooks/oncall-itest/web_project"
