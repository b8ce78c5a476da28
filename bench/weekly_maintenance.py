"""Benchmark: `playbooks/weekly-maintenance.yml` against 1, 5 and 20 web hosts, first run and
idempotent re-run; reports the 20/1 ratio (target <= 4x) and re-run/first ratios (target <= 0.6x).

    eval "$(scripts/setup.sh | grep ^export)"; python bench/weekly_maintenance.py [--hosts 1 5 20]

Each host is a docker-CLI container like seed 001's server (oncall-runbooks/bg-host) backing up
the same MariaDB container into its own directory and pruning the engine's dangling images
labelled for this benchmark (none: the prune's cost is the listing). The hosts have no
blue-green project, so the rehearsal is skipped (bench/bluegreen.py measures its mechanics).
Ansible runs with as many forks as hosts.
"""
import argparse
import json
import os
import tempfile
import time

from benchlib import ROOT, sh

PREFIX = "oncall-bench-mnt"
MYSQL = PREFIX + "-mysql"
MYSQL_PORT = 18470


def start(hosts):
    sh("docker", "run", "-d", "--name", MYSQL, "--network", "host", "-e", "MARIADB_PORT=%d" % MYSQL_PORT,
       "--label", "oncall-runbooks.bench=%s" % PREFIX, "oncall-runbooks/mariadb:latest")
    for i in range(hosts):
        sh("docker", "run", "-d", "--name", "%s-web%d" % (PREFIX, i), "--network", "host",
           "-v", "/var/run/docker.sock:/var/run/docker.sock", "--label", "oncall-runbooks.bench=%s" % PREFIX,
           "oncall-runbooks/bg-host:latest", "sleep", "infinity")
    for _attempt in range(60):
        if sh_ok("docker", "exec", MYSQL, "mysqladmin", "ping"):
            break
        time.sleep(1)
    sh("docker", "exec", MYSQL, "mysql", "-e",
       "CREATE DATABASE IF NOT EXISTS web_project; CREATE TABLE IF NOT EXISTS web_project.t (id INT PRIMARY KEY, v TEXT);"
       "SET SESSION max_recursive_iterations = 10000; REPLACE INTO web_project.t WITH RECURSIVE s(n) AS "
       "(SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000) SELECT n, REPEAT('x', 200) FROM s;")


def sh_ok(*args):
    try:
        sh(*args)
        return True
    except Exception:  # pylint: disable=broad-except
        return False


def stop():
    ids = sh("docker", "ps", "-aq", "--filter", "label=oncall-runbooks.bench=%s" % PREFIX).stdout.split()
    if ids:
        sh("docker", "rm", "-f", *ids)


def inventory(hosts, path):
    with open(path, "w") as f:
        json.dump({"web": {"hosts": {"bench-web%d" % i: {"ansible_host": "%s-web%d" % (PREFIX, i)} for i in range(hosts)},
                           "vars": {"ansible_connection": "community.docker.docker",
                                    "ansible_python_interpreter": "/usr/bin/python3",
                                    "maintenance_mysql_container": MYSQL,
                                    "maintenance_mysql_databases": ["web_project"],
                                    "maintenance_backup_dir": "/srv/backups/mysql",
                                    "maintenance_prune_filters": {"label": "oncall-runbooks.bench=%s" % PREFIX}}}}, f)


def run(inv, hosts):
    started = time.monotonic()
    out = sh("ansible-playbook", "-i", inv, "-f", str(max(5, hosts)), "playbooks/weekly-maintenance.yml").stdout
    return time.monotonic() - started, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 5, 20])
    args = parser.parse_args()
    os.chdir(ROOT)
    results = {}
    for hosts in args.hosts:
        stop()
        start(hosts)
        try:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                inv = f.name
            inventory(hosts, inv)
            first = run(inv, hosts)[0]
            again, out = run(inv, hosts)
            changed = sum(int(part.split("=")[1]) for part in out.split() if part.startswith("changed="))
            results[hosts] = (first, again, changed)
            print("%2d host(s): first run %.1f s, re-run %.1f s (changed=%d), re-run/first %.2fx"
                  % (hosts, first, again, changed, again / first), flush=True)
        finally:
            stop()
    if 1 in results and max(results) > 1:
        top = max(results)
        print("%d/1 hosts, first run: %.2fx (target <= 4x)" % (top, results[top][0] / results[1][0]))


if __name__ == "__main__":
    main()
