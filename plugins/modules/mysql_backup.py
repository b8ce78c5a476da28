#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mysql_backup
short_description: Verified, checksummed MySQL/MariaDB backup from a container, with retention
version_added: "0.1.0"
description:
  - Seed 001's backup (C(mysqldump --single-transaction)) of one database of the MySQL container,
    run through C(docker exec), streamed into a gzip file named C(<label>-<UTC time>.sql.gz) with a
    C(.sha256) file beside it.
  - The dump is proved before it is kept - it must exit 0, end with mysqldump's completion line,
    and (O(verify=true)) restore into a scratch database with the same row count in every table as
    the source. Only then is it renamed into place and are old backups pruned, so a dump that
    fails midway never replaces or deletes the last good backup.
  - Passwords never appear on a command line - the container's root uses socket authentication
    (Debian's MariaDB), or give an option file inside the container (O(defaults_file)).
author:
  - oncall.runbooks maintainers (@oncall-runbooks)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Says which backup would be written and which would be pruned; dumps and deletes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  container:
    description: Name of the MySQL/MariaDB container.
    type: str
    required: true
  database:
    description: Database to back up.
    type: str
    required: true
  dest:
    description: Directory of the backups (made, mode 0700, when missing).
    type: path
    required: true
  label:
    description: File name prefix. Defaults to the database name.
    type: str
  keep_copies:
    description: Backups kept; older ones are deleted after a new backup is proved.
    type: int
    default: 7
  keep_days:
    description: Also delete backups older than this many days (0 - by count only). The newest is always kept.
    type: int
    default: 0
  skip_if_newer_than:
    description:
      - Hours. When the newest backup is younger, do nothing (so a scheduled run twice in a day
        makes one backup). 0 always backs up.
    type: float
    default: 0
  verify:
    description: Restore into O(scratch_database) and compare every table's row count with the source.
    type: bool
    default: true
  scratch_database:
    description: Database the verification restores into, dropped afterwards. Defaults to C(<database>_verify_<random>).
    type: str
  defaults_file:
    description: MySQL option file inside the container (C([client] user/password)), when socket authentication is not used.
    type: str
  docker_binary:
    description: Path of the docker CLI. Found on E(PATH) when unset.
    type: path
notes:
  - On a database written to during the backup, row counts may differ from the snapshot the dump
    took; schedule the verified backup at a quiet time or set O(verify=false) and verify apart.
"""

EXAMPLES = r"""
- name: Weekly backup of seed 001's database, 14 copies
  oncall.runbooks.mysql_backup:
    container: mysql
    database: web_project
    dest: /srv/web_project/backups/mysql
    keep_copies: 14
    skip_if_newer_than: 20
"""

RETURN = r"""
backup:
  description: The backup written (or, when skipped, the newest one).
  returned: always
  type: dict
  contains:
    path: {description: "File path.", type: str}
    sha256: {description: "Checksum of the file.", type: str}
    dump_bytes: {description: "Size of the SQL before compression (new backups only).", type: int}
verified:
  description: Row count per table, equal in the source and the restored copy.
  returned: when a backup was made with verify
  type: dict
pruned:
  description: Backups deleted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
backups:
  description: Backups kept, newest first.
  returned: always
  type: list
  elements: str
msg:
  description: What was done.
  returned: always
  type: str
"""

import datetime
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.runbooks.plugins.module_utils import mysql_backup as mb


def verify_dump(server, tmp, database, scratch):
    source = server.row_counts(database)
    server.sql("DROP DATABASE IF EXISTS `%s`; CREATE DATABASE `%s`" % (scratch, scratch))
    try:
        mb.restore(server.argv("mysql", [scratch], stdin=True), tmp)
        restored = server.row_counts(scratch)
    finally:
        server.sql("DROP DATABASE IF EXISTS `%s`" % scratch)
    if restored != source:
        diff = sorted(t for t in set(source) | set(restored) if source.get(t) != restored.get(t))
        raise mb.BackupError("the restored copy differs from %s in %s: source %s, restored %s"
                             % (database, ", ".join(diff), dict((t, source.get(t)) for t in diff),
                                dict((t, restored.get(t)) for t in diff)))
    return source


def main():
    module = AnsibleModule(
        argument_spec=dict(
            container=dict(type="str", required=True),
            database=dict(type="str", required=True),
            dest=dict(type="path", required=True),
            label=dict(type="str"),
            keep_copies=dict(type="int", default=7),
            keep_days=dict(type="int", default=0),
            skip_if_newer_than=dict(type="float", default=0),
            verify=dict(type="bool", default=True),
            scratch_database=dict(type="str"),
            defaults_file=dict(type="str"),
            docker_binary=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    now = datetime.datetime.now(mb.UTC)
    try:
        database = mb.ident(p["database"])
        # a name of its own per run: two hosts verifying backups of one server must not share it
        scratch = mb.ident(p["scratch_database"] or "%s_verify_%s" % (database[:40], os.urandom(4).hex()))
        label = mb.ident(p["label"] or database)
        if p["keep_copies"] < 1 or p["keep_days"] < 0 or p["skip_if_newer_than"] < 0:
            raise mb.BackupError("keep_copies must be 1 or more, keep_days and skip_if_newer_than 0 or more")
        if scratch == database:
            raise mb.BackupError("scratch_database must not be the database backed up")
        server = mb.Server(module, p["container"], docker=p["docker_binary"], defaults_file=p["defaults_file"])
    except mb.BackupError as exc:
        module.fail_json(msg=str(exc))

    dest = p["dest"]
    backups = mb.list_backups(dest, label)
    result = dict(changed=False, pruned=[], backups=[name for name, _when in backups], backup={})
    if backups and p["skip_if_newer_than"]:
        age_h = (now - backups[0][1]).total_seconds() / 3600.0
        if age_h < p["skip_if_newer_than"]:
            newest = os.path.join(dest, backups[0][0])
            result.update(backup=dict(path=newest), msg="%s is %.1f hours old (newer than %s): nothing to do"
                          % (backups[0][0], age_h, p["skip_if_newer_than"]))
            module.exit_json(**result)

    name = mb.backup_name(label, now)
    after = [(name, now)] + backups
    doomed = mb.to_prune(after, p["keep_copies"], p["keep_days"], now)
    if module.check_mode:
        result.update(changed=True, pruned=doomed, backup=dict(path=os.path.join(dest, name)),
                      msg="would back up %s to %s and prune %d" % (database, name, len(doomed)))
        module.exit_json(**result)

    if not os.path.isdir(dest):
        os.makedirs(dest, 0o700)
    try:
        tmp, sha256, size = mb.stream_dump(server.argv("mysqldump", mb.dump_args(database)), dest, name)
        try:
            verified = verify_dump(server, tmp, database, scratch) if p["verify"] else None
        except mb.BackupError:
            os.unlink(tmp)
            raise
        path = mb.publish(tmp, dest, name, sha256)
    except mb.BackupError as exc:
        module.fail_json(msg=str(exc), **result)
    for old in doomed:
        for leaf in (old, old + ".sha256"):
            if os.path.exists(os.path.join(dest, leaf)):
                os.unlink(os.path.join(dest, leaf))
    result.update(changed=True, pruned=doomed, backups=[n for n, _when in after if n not in doomed],
                  backup=dict(path=path, sha256=sha256, dump_bytes=size),
                  msg="backed up %s to %s (%d bytes of SQL%s), pruned %d"
                  % (database, name, size, ", verified by restore" if verified is not None else "", len(doomed)))
    if verified is not None:
        result["verified"] = verified
    module.exit_json(**result)


if __name__ == "__main__":
    main()
