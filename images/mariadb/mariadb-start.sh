#!/usr/bin/env bash
# Initialise the data directory on first start, then run mariadbd on 127.0.0.1:$MARIADB_PORT.
set -euo pipefail
install -d -o mysql -g mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --auth-root-authentication-method=socket >/dev/null
fi
exec mariadbd --user=mysql --bind-address=127.0.0.1 --port="$MARIADB_PORT" --skip-name-resolve
