# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Seed 001's MySQL backup (`mysqldump --single-transaction`), made safe to run unattended.

    <dest>/<label>-<YYYYmmddTHHMMSSZ>.sql.gz          the dump, gzip-compressed
    <dest>/<label>-<YYYYmmddTHHMMSSZ>.sql.gz.sha256   `sha256sum` format

The dump streams from `docker exec <container> mysqldump` into a hidden temporary file in
<dest>; only a dump that exited 0 and ends with mysqldump's "-- Dump completed" line is renamed
into place, and old backups are pruned only after that. A dump that fails midway therefore
never replaces or deletes the last good backup.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import gzip
import hashlib
import os
import re
import subprocess
import tempfile

from ansible_collections.oncall.runbooks.plugins.module_utils.cli_output import last_lines

UTC = datetime.timezone.utc
STAMP = "%Y%m%dT%H%M%SZ"
COMPLETED = b"-- Dump completed"
CHUNK = 1 << 16


class BackupError(Exception):
    pass


def backup_name(label, when):
    return "%s-%s.sql.gz" % (label, when.strftime(STAMP))


def list_backups(dest, label):
    """[(name, time)] of the complete backups of `label` in dest, newest first."""
    pattern = re.compile(r"^%s-(\d{8}T\d{6}Z)\.sql\.gz$" % re.escape(label))
    found = []
    for name in os.listdir(dest) if os.path.isdir(dest) else []:
        match = pattern.match(name)
        if match:
            found.append((name, datetime.datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)))
    return sorted(found, key=lambda item: item[1], reverse=True)


def to_prune(backups, keep_copies, keep_days, now):
    """Names to delete: beyond the newest keep_copies, or older than keep_days (when set).
    The newest backup is never deleted."""
    doomed = []
    for rank, (name, when) in enumerate(backups):
        if rank == 0:
            continue
        too_many = rank >= keep_copies
        too_old = keep_days > 0 and (now - when) > datetime.timedelta(days=keep_days)
        if too_many or too_old:
            doomed.append(name)
    return doomed


def mysql_argv(docker, container, tool, defaults_file, args, stdin=False):
    argv = [docker, "exec"] + (["-i"] if stdin else []) + [container, tool]
    if defaults_file:  # must come first for the MySQL tools
        argv.append("--defaults-extra-file=%s" % defaults_file)
    return argv + list(args)


def dump_args(database):
    # one database without --databases: the dump carries no CREATE DATABASE/USE, so it can be
    # restored into a scratch database for verification
    return ["--single-transaction", "--quick", "--routines", "--triggers", "--events", database]


def stream_dump(argv, dest, name):
    """Run the dump into a temporary file in dest; return (path of the temp file, sha256, bytes)."""
    fd, tmp = tempfile.mkstemp(prefix=".%s." % name, suffix=".partial", dir=dest)
    digest, size, tail = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as raw:
            hashing = _HashingWriter(raw, digest)
            with gzip.GzipFile(filename=name[:-3], mode="wb", fileobj=hashing, mtime=0) as gz:
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for chunk in iter(lambda: proc.stdout.read(CHUNK), b""):
                    gz.write(chunk)
                    size += len(chunk)
                    tail = (tail + chunk)[-512:]
                err = proc.stderr.read()
                rc = proc.wait()
            raw.flush()
            os.fsync(raw.fileno())
    except OSError as exc:
        _remove(tmp)
        raise BackupError("cannot run %s: %s" % (argv[0], exc))
    if rc != 0 or COMPLETED not in tail:
        _remove(tmp)
        why = last_lines(err.decode("utf-8", "replace")) if err else "the dump does not end with '-- Dump completed'"
        raise BackupError("mysqldump failed (rc %s) after %d bytes; nothing was replaced or deleted: %s"
                          % (rc, size, why))
    return tmp, digest.hexdigest(), size


class _HashingWriter:
    """A file object that hashes what is written through it (the compressed bytes)."""

    def __init__(self, raw, digest):
        self.raw, self.digest = raw, digest

    def write(self, data):
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self):
        self.raw.flush()


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def publish(tmp, dest, name, sha256):
    """Rename the finished dump into place and write its checksum file next to it."""
    final = os.path.join(dest, name)
    os.chmod(tmp, 0o600)
    os.rename(tmp, final)
    fd, sum_tmp = tempfile.mkstemp(prefix=".%s." % name, suffix=".sha256.partial", dir=dest)
    with os.fdopen(fd, "w") as handle:
        handle.write("%s  %s\n" % (sha256, name))
    os.rename(sum_tmp, final + ".sha256")
    return final


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_sum(path):
    """Raise when the backup does not match its .sha256 file."""
    try:
        with open(path + ".sha256") as handle:
            wanted = handle.read().split()[0]
    except (IOError, OSError, IndexError) as exc:
        raise BackupError("no readable checksum for %s: %s" % (path, exc))
    actual = sha256_of(path)
    if actual != wanted:
        raise BackupError("%s is corrupt: sha256 %s, expected %s" % (path, actual, wanted))


def restore(argv, path):
    """Stream a .sql.gz into `mysql` (argv reading stdin)."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with gzip.open(path, "rb") as gz:
            for chunk in iter(lambda: gz.read(CHUNK), b""):
                proc.stdin.write(chunk)
        out, err = proc.communicate()
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError("restoring %s failed: %s" % (path, exc))
    if proc.returncode != 0:
        raise BackupError("restoring %s failed (rc %s): %s" % (path, proc.returncode, last_lines(err.decode("utf-8", "replace"))))
    return out


def parse_counts(text):
    """`table<TAB>rows` lines -> {table: rows}."""
    counts = {}
    for line in text.splitlines():
        if line.strip():
            table, rows = line.split("\t")
            counts[table] = int(rows)
    return counts


def count_query(database):
    """SQL giving `table<TAB>exact row count` for every base table of a database (built by the
    server, so that table names never pass through a shell or our string formatting)."""
    return ("SELECT GROUP_CONCAT(CONCAT('SELECT ', QUOTE(table_name), ', COUNT(*) FROM `', "
            "REPLACE(table_name, '`', '``'), '`') SEPARATOR ' UNION ALL ') "
            "FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'"
            % sql_quote(database))


def sql_quote(value):
    return "'%s'" % value.replace("\\", "\\\\").replace("'", "''")


def ident(value):
    if not re.match(r"^[A-Za-z0-9_$]{1,64}$", value):
        raise BackupError("database name %r: use letters, digits, _ and $ only" % value)
    return value


class Server:
    """The MySQL/MariaDB server in a container, through `docker exec` (argument lists only)."""

    def __init__(self, module, container, docker=None, defaults_file=None):
        self.module = module
        self.docker = docker or module.get_bin_path("docker")
        if not self.docker:
            raise BackupError("the docker CLI is not installed (not on PATH); set docker_binary")
        self.container, self.defaults_file = container, defaults_file

    def argv(self, tool, args, stdin=False):
        return mysql_argv(self.docker, self.container, tool, self.defaults_file, args, stdin=stdin)

    def sql(self, statement, database=None):
        args = ["-N", "-B", "-e", statement] + ([database] if database else [])
        rc, out, err = self.module.run_command(self.argv("mysql", args))
        if rc != 0:
            raise BackupError("mysql in %s failed (rc %s): %s" % (self.container, rc, last_lines(err or out)))
        return out

    def row_counts(self, database):
        union = self.sql("SET SESSION group_concat_max_len = 1048576; " + count_query(database)).strip()
        if not union or union == "NULL":
            return {}
        return parse_counts(self.sql(union, database))
