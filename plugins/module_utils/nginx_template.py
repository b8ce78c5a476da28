# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official nginx image's template mechanism, read so that a running gateway can be
re-rendered in place.

At start, the image's entrypoint (docker-nginx, entrypoint/20-envsubst-on-templates.sh)
renders every file under NGINX_ENVSUBST_TEMPLATE_DIR (default /etc/nginx/templates) whose
name ends in NGINX_ENVSUBST_TEMPLATE_SUFFIX (default .template) with
`envsubst "<every defined variable whose name matches NGINX_ENVSUBST_FILTER>"` into
NGINX_ENVSUBST_OUTPUT_DIR (default /etc/nginx/conf.d), keeping sub-directories and dropping
the suffix. Seed 001's gateway reads NGINX_BACKEND_HOST that way, from its env_file, once,
when the container starts. render() does the same in Python, so the config for either colour
can be compared with what runs and written without a restart.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import re
import tarfile

TEMPLATE_DIR = "/etc/nginx/templates"
SUFFIX = ".template"
OUTPUT_DIR = "/etc/nginx/conf.d"

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_REF = re.compile(r"\$(?:\{(%s)\}|(%s))" % (_NAME, _NAME))


def settings(env):
    """(template dir, suffix, output dir, filter) as the entrypoint reads them from `env`."""
    return (env.get("NGINX_ENVSUBST_TEMPLATE_DIR") or TEMPLATE_DIR,
            env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX") or SUFFIX,
            env.get("NGINX_ENVSUBST_OUTPUT_DIR") or OUTPUT_DIR,
            env.get("NGINX_ENVSUBST_FILTER") or "")


def envsubst(text, env, names):
    """GNU envsubst with a SHELL-FORMAT argument: `$NAME` and `${NAME}` are replaced for the
    listed names only (an unset listed name by ""); everything else (nginx's own $host,
    $uri...) is left as written."""
    def replace(match):
        name = match.group(1) or match.group(2)
        if name not in names:
            return match.group(0)
        return env.get(name, "")
    return _REF.sub(replace, text)


def substituted_names(env, name_filter):
    """The names the entrypoint passes to envsubst: every variable of the container's
    environment whose name matches the filter (an awk regex; an empty one matches all)."""
    pattern = re.compile(name_filter) if name_filter else None
    return set(name for name in env if pattern is None or pattern.search(name))


def render(templates, env):
    """{output path relative to the output dir: text} for {template path relative to the
    template dir: text}."""
    _tdir, suffix, _odir, name_filter = settings(env)
    names = substituted_names(env, name_filter)
    out = {}
    for rel, text in templates.items():
        if rel.endswith(suffix):
            out[rel[:-len(suffix)]] = envsubst(text, env, names)
    return out


def container_env(inspect):
    """The container's environment (`docker inspect` Config.Env) as a dict."""
    env = {}
    for item in (inspect.get("Config") or {}).get("Env") or []:
        name, _sep, value = item.partition("=")
        env[name] = value
    return env


def read_tar(data):
    """{path relative to the archived folder: (text, mode, uid, gid)} of the regular files of
    a `docker cp CONTAINER:DIR -` archive (its members start with DIR's own name)."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            parts = member.name.split("/", 1)
            if len(parts) < 2:
                continue
            text = tar.extractfile(member).read().decode("utf-8", "surrogateescape")
            files[parts[1]] = (text, member.mode, member.uid, member.gid)
    return files


def write_tar(files):
    """An archive for `docker cp - CONTAINER:DIR` of {relative path: (text, mode, uid, gid)}."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, (text, mode, uid, gid) in sorted(files.items()):
            data = text.encode("utf-8", "surrogateescape")
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mode = mode
            info.uid = uid
            info.gid = gid
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
