"""Install the collections of requirements.yml without Galaxy.

Galaxy is unreachable from our CI, but the `ansible` package on PyPI bundles the same
collections. This downloads that wheel (never installs it: it is 470 MB unpacked) and
extracts only the collections requirements.yml names, plus their dependencies as their
MANIFEST.json declares them, checking each version against the declared range.
"""
import argparse
import json
import os
import subprocess
import sys
import zipfile

import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements


def pinned_ansible(pip_requirements):
    with open(pip_requirements, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.startswith("ansible=="):
                return line
    sys.exit("%s pins no ansible==<version>" % pip_requirements)


def download(spec, wheels):
    version = spec.split("==", 1)[1]
    path = os.path.join(wheels, "ansible-%s-py3-none-any.whl" % version)
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "-d", wheels, spec], check=True, stderr=subprocess.DEVNULL)
    return path


def requested(requirements):
    with open(requirements, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    for item in data.get("collections", []):
        if isinstance(item, str):
            yield item, "*"
        else:
            yield item["name"], str(item.get("version", "*"))


def resolve(wheel, wants):
    """Return {name: (version, prefix)} for the wanted collections and their dependencies."""
    found = {}
    queue = list(wants)
    while queue:
        name, want = queue.pop(0)
        prefix = "ansible_collections/%s/" % name.replace(".", "/")
        try:
            manifest = json.loads(wheel.read(prefix + "MANIFEST.json"))
        except KeyError:
            sys.exit("%s is not in %s" % (name, os.path.basename(wheel.filename)))
        info = manifest["collection_info"]
        if not meets_requirements(info["version"], want):
            sys.exit("%s %s does not satisfy %s (change requirements-collections.txt)"
                     % (name, info["version"], want))
        if name in found:
            continue
        found[name] = (info["version"], prefix)
        queue.extend((dep, str(rng)) for dep, rng in (info.get("dependencies") or {}).items())
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requirements", required=True)
    parser.add_argument("--pip-requirements", required=True)
    parser.add_argument("--wheels", required=True)
    parser.add_argument("--dest", required=True)
    args = parser.parse_args()

    os.makedirs(args.wheels, exist_ok=True)
    path = download(pinned_ansible(args.pip_requirements), args.wheels)
    with zipfile.ZipFile(path) as wheel:
        found = resolve(wheel, list(requested(args.requirements)))
        prefixes = tuple(prefix for _version, prefix in found.values())
        wheel.extractall(args.dest, [n for n in wheel.namelist() if n.startswith(prefixes)])
    for name in sorted(found):
        print("%s %s" % (name, found[name][0]))


if __name__ == "__main__":
    main()
