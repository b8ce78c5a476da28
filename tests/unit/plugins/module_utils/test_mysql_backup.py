# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup's bookkeeping: naming, pruning, streaming and publishing. The dump command here is
a Python one-liner standing in for mysqldump's stdout/exit code; real mysqldump runs in
molecule/maintenance against MariaDB."""
from __future__ import annotations

import datetime
import gzip
import os
import sys

import pytest

from ansible_collections.oncall.runbooks.plugins.module_utils import mysql_backup as mb

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def day(n):
    return NOW - datetime.timedelta(days=n)


def test_names_sort_by_time_and_other_files_are_ignored(tmp_path):
    for when in (day(2), day(0), day(1)):
        (tmp_path / mb.backup_name("web", when)).write_bytes(b"x")
    (tmp_path / "web-20261122T030000Z.sql.gz.sha256").write_text("x")
    (tmp_path / ".web-20261122T040000Z.sql.gz.abc.partial").write_bytes(b"x")
    (tmp_path / "webshop-20261122T030000Z.sql.gz").write_bytes(b"x")
    found = mb.list_backups(str(tmp_path), "web")
    assert [when for _name, when in found] == [day(0), day(1), day(2)]
    assert found[0][0] == "web-20261122T030000Z.sql.gz"
    assert mb.list_backups(str(tmp_path / "missing"), "web") == []


@pytest.mark.parametrize("ages, copies, days, doomed", [
    ([0, 1, 2, 3], 2, 0, [2, 3]),
    ([0, 1, 2, 3], 7, 0, []),
    ([0, 1, 2, 10], 7, 5, [10]),
    ([9, 10], 7, 5, [10]),          # the newest stays however old
    ([0], 1, 1, []),
    ([0, 1, 8], 2, 7, [8]),
])
def test_prune_truth_table(ages, copies, days, doomed):
    backups = [(mb.backup_name("db", day(a)), day(a)) for a in ages]
    assert mb.to_prune(backups, copies, days, NOW) == [mb.backup_name("db", day(a)) for a in doomed]


def fake_dump(body, rc=0):
    return [sys.executable, "-c", "import sys; sys.stdout.write(%r); sys.stderr.write('boom at table t2' if %d else ''); "
            "sys.exit(%d)" % (body, rc, rc)]


def test_a_complete_dump_is_streamed_compressed_and_published(tmp_path):
    body = "CREATE TABLE t (id int);\n" * 100 + "-- Dump completed on 2026-11-22  3:00:00\n"
    tmp, sha, size = mb.stream_dump(fake_dump(body), str(tmp_path), "db-x.sql.gz")
    assert size == len(body)
    path = mb.publish(tmp, str(tmp_path), "db-x.sql.gz", sha)
    assert gzip.open(path).read().decode() == body
    mb.check_sum(path)
    assert (tmp_path / "db-x.sql.gz.sha256").read_text() == "%s  db-x.sql.gz\n" % sha
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert sorted(os.listdir(tmp_path)) == ["db-x.sql.gz", "db-x.sql.gz.sha256"]


@pytest.mark.parametrize("body, rc, says", [
    ("CREATE TABLE t1 (id int);\n", 2, "boom at table t2"),           # failed midway
    ("CREATE TABLE t1 (id int);\n", 0, "does not end with '-- Dump completed'"),  # cut short
])
def test_a_failed_dump_leaves_nothing_behind(tmp_path, body, rc, says):
    (tmp_path / "db-old.sql.gz").write_bytes(b"last good")
    with pytest.raises(mb.BackupError, match="nothing was replaced or deleted") as err:
        mb.stream_dump(fake_dump(body, rc), str(tmp_path), "db-new.sql.gz")
    assert says in str(err.value)
    assert os.listdir(tmp_path) == ["db-old.sql.gz"]


def test_checksum_mismatch_is_reported(tmp_path):
    path = tmp_path / "db.sql.gz"
    path.write_bytes(b"data")
    (tmp_path / "db.sql.gz.sha256").write_text("0" * 64 + "  db.sql.gz\n")
    with pytest.raises(mb.BackupError, match="is corrupt"):
        mb.check_sum(str(path))


def test_counts_and_identifiers():
    assert mb.parse_counts("users\t3\norders\t0\n") == {"users": 3, "orders": 0}
    assert mb.ident("web_project") == "web_project"
    for bad in ("web-project", "x; DROP DATABASE y", "", "a" * 65):
        with pytest.raises(mb.BackupError):
            mb.ident(bad)
    assert "table_schema = 'it''s'" in mb.count_query("it's")


def test_argv_never_carries_a_password():
    argv = mb.mysql_argv("docker", "mysql", "mysqldump", "/etc/mysql/backup.cnf", mb.dump_args("web"))
    assert argv[:5] == ["docker", "exec", "mysql", "mysqldump", "--defaults-extra-file=/etc/mysql/backup.cnf"]
    assert "--single-transaction" in argv and "--databases" not in argv and argv[-1] == "web"
    assert mb.mysql_argv("docker", "mysql", "mysql", None, ["scratch"], stdin=True) == ["docker", "exec", "-i", "mysql", "mysql", "scratch"]
