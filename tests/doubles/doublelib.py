# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the HTTP doubles share. Copy this file beside a double wherever the double is copied."""
import os


def daemonize(pidfile):
    """Detach (double fork, stdio to /dev/null) so that the starting command returns."""
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
