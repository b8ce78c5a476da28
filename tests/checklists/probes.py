# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the checklists measure on a host, and how they judge it.

HTTP requests and TLS handshakes run ON the host (through testinfra, with the host's
python3), as the daily check's probes do: a URL such as http://127.0.0.1:8080/ means the
service on that host. What they bring back is judged here, with the collection's own code:
JSON checks of module_utils/http_probe.py (the syntax of health_check_endpoints) and the
certificate reading of module_utils/x509_cert.py (the cryptography package).
"""
from __future__ import annotations

import base64
import json

from ansible_collections.oncall.runbooks.plugins.module_utils import http_probe, x509_cert

# argv: url timeout validate_certs(1/0); prints one JSON object. Redirects are not followed
# (a smoke check may want to see the 302 to the login page).
HTTP_SCRIPT = r"""
import json, ssl, sys, time, urllib.error, urllib.request
url, timeout, validate = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
class Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
ctx = ssl.create_default_context()
if not validate:
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
opener = urllib.request.build_opener(Keep, urllib.request.HTTPSHandler(context=ctx))
out = {"status": None, "error": None, "location": None, "body": ""}
started = time.monotonic()
try:
    answer = opener.open(urllib.request.Request(url, headers={"User-Agent": "oncall-runbooks-checklist"}), timeout=timeout)
except urllib.error.HTTPError as exc:
    answer = exc
except Exception as exc:
    answer = None
    out["error"] = "%s: %s" % (type(exc).__name__, getattr(exc, "reason", None) or exc)
if answer is not None:
    out["status"] = answer.getcode()
    out["location"] = answer.headers.get("Location")
    out["body"] = answer.read(65536).decode("utf-8", "replace")
out["elapsed_ms"] = int((time.monotonic() - started) * 1000)
print(json.dumps(out))
"""

# argv: host port server_name timeout; prints the served leaf certificate (DER, base64) or
# "ERROR <reason>". No verification: an expired certificate is what must be readable.
TLS_SCRIPT = r"""
import base64, socket, ssl, sys
host, port, sni, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None, float(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with ctx.wrap_socket(sock, server_hostname=sni or host) as tls:
            print(base64.b64encode(tls.getpeercert(binary_form=True)).decode())
except Exception as exc:
    print("ERROR %s: %s" % (type(exc).__name__, exc))
"""


def http_get(target, url, timeout=10, validate_certs=True):
    res = target.run_python(HTTP_SCRIPT, url, timeout, "1" if validate_certs else "0")
    if res.rc != 0:
        return {"status": None, "error": "probe failed on the host: %s" % (res.stderr.strip()[-300:]),
                "location": None, "body": ""}
    return json.loads(res.stdout)


def judge_http(name, answer, status_codes=(200,), json_checks=(), location=None):
    """None when the answer is what was wanted, else a short reason naming `name`."""
    if answer["error"]:
        return "%s: %s" % (name, answer["error"])
    reasons = []
    if answer["status"] not in status_codes:
        reasons.append("status %s (expected %s)" % (answer["status"], "/".join(str(s) for s in status_codes)))
    if location and location not in (answer["location"] or ""):
        reasons.append("Location %r does not contain %r" % (answer["location"], location))
    if json_checks:
        try:
            doc = json.loads(answer["body"])
        except ValueError:
            doc = None
            reasons.append("body is not JSON")
        if doc is not None:
            for expr in json_checks:
                why = http_probe.JsonCheck.parse(expr).failure(doc)
                if why:
                    reasons.append(why)
    return "%s: %s" % (name, "; ".join(reasons)) if reasons else None


def served_certificate(target, host, port, server_name=None, timeout=10):
    """describe() of the leaf certificate served at host:port, fetched on the target host."""
    res = target.run_python(TLS_SCRIPT, host, port, server_name or "", timeout)
    out = res.stdout.strip()
    if res.rc != 0 or not out or out.startswith("ERROR"):
        raise x509_cert.CertificateError("TLS handshake with %s:%s failed: %s"
                                         % (host, port, out[6:] if out.startswith("ERROR") else res.stderr.strip()))
    cert = x509_cert.x509.load_der_x509_certificate(base64.b64decode(out))
    return x509_cert.describe(cert)


def endpoint_label(endpoint):
    host, port, sni = x509_cert.parse_endpoint(endpoint)
    return host, port, sni, "%s:%s%s" % (host, port, " (%s)" % sni if sni else "")
