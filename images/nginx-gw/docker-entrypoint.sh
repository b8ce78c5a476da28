#!/bin/sh
# As the official image's docker-entrypoint.sh: when the command is nginx, run the
# executable *.sh files of /docker-entrypoint.d in version order, then exec the command.
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    for f in $(find /docker-entrypoint.d/ -follow -type f -name '*.sh' | sort -V); do
        if [ -x "$f" ]; then
            echo "$0: Launching $f"
            "$f"
        fi
    done
    echo "$0: Configuration complete; ready for start up"
fi
exec "$@"
