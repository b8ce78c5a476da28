# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PostgreSQL through `psql` (seed 003: Supabase's database), as an argument list, never a shell.

The SQL is sent on psql's standard input, so that values are passed as psql variables
(`-v name=value`, used in the SQL as :'name', which psql quotes as a literal) instead of
being pasted into the text. The password goes in PGPASSWORD, never on the command line.
Output is psql's CSV (`--csv`), parsed with the csv module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import re

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PsqlError(Exception):
    def __init__(self, msg, kind="failed"):
        super(PsqlError, self).__init__(msg)
        self.kind = kind


def quote_ident(name):
    """"schema"."table" for a plain (schema.)name; anything else is refused."""
    if not isinstance(name, str) or not IDENT_RE.match(name):
        raise PsqlError("%r is not a plain SQL identifier (letters, digits, _; optionally schema.name)" % (name,),
                        kind="input")
    return ".".join('"%s"' % part for part in name.split("."))


def convert(text):
    """A CSV cell as int, float, bool, None or str."""
    if text is None:
        return None
    if re.match(r"^-?\d+$", text):
        return int(text)
    if re.match(r"^-?\d+\.\d+$", text):
        return float(text)
    if text in ("t", "f"):
        return text == "t"
    return text


def parse_csv(text):
    """Rows of psql --csv output (header line first) as dicts; NULL is the empty unquoted field."""
    if not text.strip():
        return []
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = []
    for record in reader:
        if not record:
            continue
        rows.append(dict((name, convert(value) if value != "" else None) for name, value in zip(header, record)))
    return rows


def error_reason(stderr, rc):
    """psql's own message, one line per problem, without the 'psql:<stdin>:N:' prefix."""
    lines = []
    for line in (stderr or "").splitlines():
        line = re.sub(r"^psql:<stdin>:\d+: ", "", line.strip())
        if line and line not in lines:
            lines.append(line)
    text = " | ".join(lines[-4:]) or "psql exited with rc %s" % rc
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        kind = "auth"
    elif "connection refused" in low or "could not connect" in low or "timeout expired" in low or "could not translate" in low:
        kind = "unreachable"
    elif "does not exist" in low:
        kind = "not_found"
    else:
        kind = "sql"
    return kind, text


def argument_spec():
    """The connection options of the psql modules (doc fragment oncall.runbooks.soul_lab.postgres)."""
    return dict(
        db_host=dict(type="str"),
        db_port=dict(type="int"),
        db_name=dict(type="str"),
        db_user=dict(type="str"),
        db_password=dict(type="str", no_log=True),
        sslmode=dict(type="str", choices=["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]),
        psql_binary=dict(type="path"),
        timeout=dict(type="int", default=30),
    )


class Psql:
    def __init__(self, module, host=None, port=None, database=None, user=None, password=None,
                 sslmode=None, binary=None, timeout=30, connect_timeout=10):
        self.module = module
        self.binary = binary or module.get_bin_path("psql")
        if not self.binary:
            raise PsqlError("psql is not installed on %s (install postgresql-client)" % "the managed node",
                            kind="missing_binary")
        self.conn = []
        if host:
            self.conn += ["-h", host]
        if port:
            self.conn += ["-p", str(port)]
        if user:
            self.conn += ["-U", user]
        if database:
            self.conn += ["-d", database]
        self.env = {"PGCONNECT_TIMEOUT": str(connect_timeout), "PGAPPNAME": "oncall.runbooks"}
        if password is not None:
            self.env["PGPASSWORD"] = password
        if sslmode:
            self.env["PGSSLMODE"] = sslmode
        self.timeout = timeout
        self.timeout_bin = module.get_bin_path("timeout")

    def argv(self, variables=None):
        cmd = [self.binary, "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-w"] + self.conn
        for name, value in sorted((variables or {}).items()):
            if not VAR_RE.match(name):
                raise PsqlError("parameter name %r: use letters, digits and _" % (name,), kind="input")
            cmd += ["-v", "%s=%s" % (name, "" if value is None else value)]
        cmd += ["-f", "-"]
        if self.timeout_bin:
            cmd = [self.timeout_bin, str(self.timeout)] + cmd
        return cmd

    def run(self, sql, variables=None):
        """Rows of the result of `sql` (one statement)."""
        cmd = self.argv(variables)
        rc, out, err = self.module.run_command(cmd, data=sql, binary_data=False, environ_update=self.env,
                                               check_rc=False)
        if rc == 124 and self.timeout_bin:
            raise PsqlError("psql did not finish within %s s" % self.timeout, kind="timeout")
        if rc != 0:
            kind, reason = error_reason(err, rc)
            raise PsqlError("psql failed: %s" % reason, kind=kind)
        return parse_csv(out)


# ---------------------------------------------------------------------------------------
# Feature flags (kill switches)
# ---------------------------------------------------------------------------------------

def flag_read_sql(table, key_column, enabled_column):
    return "SELECT %s AS enabled FROM %s WHERE %s = :'flag';\n" % (
        quote_ident(enabled_column), quote_ident(table), quote_ident(key_column))


def flag_update_sql(table, key_column, enabled_column, updated_at_column=None):
    sets = "%s = :'enabled'::boolean" % quote_ident(enabled_column)
    if updated_at_column:
        sets += ", %s = now()" % quote_ident(updated_at_column)
    return ("UPDATE %s SET %s WHERE %s = :'flag' AND %s IS DISTINCT FROM :'enabled'::boolean RETURNING %s AS enabled;\n"
            % (quote_ident(table), sets, quote_ident(key_column), quote_ident(enabled_column),
               quote_ident(enabled_column)))


def flag_insert_sql(table, key_column, enabled_column):
    return "INSERT INTO %s (%s, %s) VALUES (:'flag', :'enabled'::boolean) RETURNING %s AS enabled;\n" % (
        quote_ident(table), quote_ident(key_column), quote_ident(enabled_column), quote_ident(enabled_column))
