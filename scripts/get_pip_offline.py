"""Offline stand-in for get-pip.py, used by ansible-test to put pip into its sanity venvs.

ansible-test downloads get-pip.py from a host our CI cannot reach; scripts/setup.sh saves
this file under the name ansible-test looks for, next to the pip wheel it pins.
"""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WHEELS = sorted(glob.glob(os.path.join(HERE, "pip-*-py3-none-any.whl")))
if not WHEELS:
    sys.exit("no pip wheel beside %s" % __file__)
sys.path.insert(0, WHEELS[-1])

from pip._internal.cli.main import main  # noqa: E402  pylint: disable=wrong-import-position

ARGS = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + ARGS))
