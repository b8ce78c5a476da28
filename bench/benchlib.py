"""Shared by the benchmarks: run commands and playbooks from the checkout's root."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the lab's names and ports are kept in one place, beside the integration tests
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import labvars  # noqa: E402  pylint: disable=wrong-import-position

lab = labvars.lab


def sh(*args, env=None):
    try:
        return subprocess.run(args, check=True, cwd=ROOT, capture_output=True, text=True, env=env)
    except subprocess.CalledProcessError as exc:
        print((exc.stdout or "")[-3000:] + (exc.stderr or "")[-2000:], file=sys.stderr)    # what failed, not just that
        raise


def mitogen_env():
    """The environment that runs ansible-playbook on Mitogen's strategy (docs/mitogen.md)."""
    import ansible_mitogen  # pylint: disable=import-outside-toplevel
    strategies = os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy")
    return dict(os.environ, ANSIBLE_STRATEGY_PLUGINS=strategies, ANSIBLE_STRATEGY="mitogen_linear")


def playbook(path, extravars, mitogen=False):
    """ansible-playbook on the lab inventory; with `mitogen`, on Mitogen's strategy and the
    connection's short name (Mitogen only takes over connections it knows by that name)."""
    if mitogen:
        extravars = dict(extravars, ansible_connection="docker")
    return sh("ansible-playbook", "-i", "inventories/lab", path, "-e", json.dumps(extravars),
              env=mitogen_env() if mitogen else None)
