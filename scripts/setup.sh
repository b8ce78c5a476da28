#!/usr/bin/env bash
# Sets up everything the lab and the test suite need, on a Debian machine that may have
# nothing but Python. Idempotent and quiet when there is nothing to do.
#
#   scripts/setup.sh            set up, then print the environment to use
#   . scripts/setup.sh          (from another script) set up and export the environment
#
# What it sets up, each step skipped when already done:
#   1. Debian packages: docker.io (only if no engine answers), debootstrap, shellcheck,
#      python3-venv (only if venv cannot be created)
#   2. a Docker engine: the one that answers, else dockerd started in the background
#   3. Java 17 for ansible-rulebook: openjdk-17-jre-headless, only if no java >= 17 answers
#   4. a virtualenv with requirements.txt
#   5. the collections we depend on, taken from the `ansible` wheel on PyPI (Galaxy is
#      unreachable here), and a link that makes this checkout `oncall.runbooks`
#   6. what `ansible-test sanity` needs offline (its pip bootstrap)
#   7. the local base image (debootstrap + docker import: no registry is reachable) and
#      the images built FROM it (images/*/Dockerfile)
#
# Where things go: ONCALL_HOME (default ~/.cache/oncall-runbooks). Nothing is written
# into the checkout.

set -euo pipefail

ONCALL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ONCALL_HOME=${ONCALL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/oncall-runbooks}
ONCALL_VENV=$ONCALL_HOME/venv
ONCALL_DEPS=$ONCALL_HOME/collections
# One link per checkout, so two clones on one machine do not test each other's code.
ONCALL_SRC=$ONCALL_HOME/src/$(printf '%s' "$ONCALL_ROOT" | sha256sum | cut -c1-12)
ONCALL_BASE_IMAGE=${ONCALL_BASE_IMAGE:-oncall-runbooks/debian:12}
export ONCALL_ROOT ONCALL_HOME ONCALL_VENV ONCALL_DEPS ONCALL_SRC ONCALL_BASE_IMAGE

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

_apt_updated=0
apt_install() {
  # Installs only the packages that are missing; apt-get update at most once per run.
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  if [ $_apt_updated -eq 0 ]; then
    as_root apt-get update -qq >/dev/null || die "apt-get update failed"
    _apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

ensure_docker() {
  if command -v docker >/dev/null 2>&1 && engine_answers; then return 0; fi
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  command -v docker >/dev/null 2>&1 || die "docker CLI missing after installing docker.io"
  engine_answers && return 0
  mkdir -p "$ONCALL_HOME"
  # A socket left behind by a dead daemon makes the new one refuse to start.
  if [ -S /var/run/docker.sock ] && ! pgrep -x dockerd >/dev/null 2>&1; then
    as_root rm -f /var/run/docker.sock /var/run/docker.pid
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd in the background (log: $ONCALL_HOME/dockerd.log)"
    as_root sh -c "nohup setsid dockerd >'$ONCALL_HOME/dockerd.log' 2>&1 </dev/null &"
  fi
  local waited=0
  while [ $waited -lt 60 ]; do
    engine_answers && return 0
    sleep 1
    waited=$((waited + 1))
  done
  tail -n 20 "$ONCALL_HOME/dockerd.log" >&2 || true
  die "the Docker engine did not answer within 60 s"
}

java_major() {
  # The major version `java -version` reports ("17.0.15" -> 17, "1.8.0_402" -> 8), or nothing.
  local version
  command -v java >/dev/null 2>&1 || return 0
  version=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}') || true
  case $version in
    1.*) version=${version#1.} ;;
  esac
  printf '%s' "${version%%[!0-9]*}"
}

java_ok() { local major; major=$(java_major); [ -n "$major" ] && [ "$major" -ge 17 ]; }

ensure_java() {
  # ansible-rulebook (its Drools engine) needs Java 17 or newer on PATH.
  java_ok && return 0
  apt_install openjdk-17-jre-headless
  java_ok || die "java on PATH is not >= 17 (major: '$(java_major)') although openjdk-17-jre-headless is installed; select it with update-alternatives --config java"
}

ensure_venv() {
  local stamp=$ONCALL_VENV/.requirements.sha256 want
  want=$(sha256sum <"$ONCALL_ROOT/requirements.txt" | cut -c1-64)
  if [ -x "$ONCALL_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  if [ ! -x "$ONCALL_VENV/bin/python" ]; then
    log "creating virtualenv $ONCALL_VENV"
    if ! python3 -m venv "$ONCALL_VENV" >/dev/null 2>&1; then
      rm -rf "$ONCALL_VENV"
      apt_install python3-venv
      python3 -m venv "$ONCALL_VENV" || die "python3 -m venv failed"
    fi
  fi
  log "installing Python requirements into $ONCALL_VENV"
  { "$ONCALL_VENV/bin/python" -m pip install -q --upgrade pip &&
    "$ONCALL_VENV/bin/python" -m pip install -q -r "$ONCALL_ROOT/requirements.txt"; } \
    >"$ONCALL_HOME/pip.log" 2>&1 \
    || { tail -n 20 "$ONCALL_HOME/pip.log" >&2; die "pip install -r requirements.txt failed"; }
  printf '%s' "$want" >"$stamp"
}

ensure_collections() {
  local stamp=$ONCALL_DEPS/.source.sha256 want
  want=$(cat "$ONCALL_ROOT/requirements-collections.txt" "$ONCALL_ROOT/requirements.yml" \
         "$ONCALL_ROOT/scripts/extract_collections.py" | sha256sum | cut -c1-64)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "extracting the collections of requirements.yml from the ansible wheel"
    rm -rf "$ONCALL_DEPS"
    "$ONCALL_VENV/bin/python" "$ONCALL_ROOT/scripts/extract_collections.py" \
      --requirements "$ONCALL_ROOT/requirements.yml" \
      --pip-requirements "$ONCALL_ROOT/requirements-collections.txt" \
      --wheels "$ONCALL_HOME/wheels" --dest "$ONCALL_DEPS" >&2 || die "collection extraction failed"
    printf '%s' "$want" >"$stamp"
  fi
  # This checkout, seen by ansible as oncall.runbooks: tests run the source tree itself.
  mkdir -p "$ONCALL_SRC/ansible_collections/oncall"
  ln -sfn "$ONCALL_ROOT" "$ONCALL_SRC/ansible_collections/oncall/runbooks"
}

ensure_ansible_test_offline() {
  # ansible-test bootstraps pip in its sanity venvs with a script it downloads from a host
  # we cannot reach; give it the pip wheel it pins and a stand-in that installs from it.
  local cache=$HOME/.ansible/test/cache pipver
  pipver=$("$ONCALL_VENV/bin/python" - <<'PY'
from ansible_test._internal import python_requirements as p
import inspect, re
m = re.search(r"pip=['\"]([0-9.]+)['\"]", inspect.getsource(p.get_venv_packages))
print(m.group(1) if m else "")
PY
)
  [ -n "$pipver" ] || die "cannot tell which pip ansible-test pins"
  local script=$cache/get_pip_${pipver//./_}.py
  if [ -f "$script" ] && ls "$cache"/pip-"$pipver"-py3-none-any.whl >/dev/null 2>&1; then return 0; fi
  log "preparing ansible-test's offline pip bootstrap (pip $pipver)"
  mkdir -p "$cache"
  "$ONCALL_VENV/bin/python" -m pip download -q --no-deps -d "$cache" "pip==$pipver" >"$ONCALL_HOME/pip.log" 2>&1 \
    || die "pip download pip==$pipver failed"
  cp "$ONCALL_ROOT/scripts/get_pip_offline.py" "$script"
}

debian_mirror() {
  # The mirror this host's apt already uses: the containers' apt must reach the same one.
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  printf '%s' "${uri:-http://deb.debian.org/debian}"
}

ensure_base_image() {
  docker image inspect "$ONCALL_BASE_IMAGE" >/dev/null 2>&1 && return 0
  apt_install debootstrap
  local rootfs=$ONCALL_HOME/rootfs mirror
  mirror=$(debian_mirror)
  log "building the base image $ONCALL_BASE_IMAGE with debootstrap (about a minute)"
  as_root rm -rf "$rootfs"
  as_root debootstrap --variant=minbase --include=python3,sudo,procps,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$ONCALL_HOME/debootstrap.log" 2>&1 \
    || { tail -n 20 "$ONCALL_HOME/debootstrap.log" >&2; die "debootstrap failed"; }
  as_root sh -c "rm -rf '$rootfs'/var/cache/apt/archives/*.deb '$rootfs'/var/lib/apt/lists/*"
  as_root tar -C "$rootfs" -c . \
    | docker import -c 'CMD ["sleep","infinity"]' - "$ONCALL_BASE_IMAGE" >/dev/null \
    || die "docker import failed"
  as_root rm -rf "$rootfs"
}

ensure_images() {
  # images/<name>/Dockerfile -> oncall-runbooks/<name>:latest, FROM the base image.
  # docker's cache makes an unchanged image a no-op. The build context gets host-ca/: the
  # host's extra CA certificates, which a build stage may trust to fetch packages over
  # HTTPS through this network's proxy (never copied into a final image), and doubles/:
  # tests/doubles, the local stand-ins for services the tests cannot reach.
  local dir name ctx
  # Images built FROM another of ours (FROM oncall-runbooks/...) come after the others.
  local -a first=() after=()
  for dir in "$ONCALL_ROOT"/images/*/; do
    if grep -q '^FROM oncall-runbooks/' "$dir/Dockerfile" 2>/dev/null; then after+=("$dir"); else first+=("$dir"); fi
  done
  for dir in "${first[@]}" "${after[@]}"; do
    [ -f "$dir/Dockerfile" ] || continue
    name=$(basename "$dir")
    ctx=$ONCALL_HOME/build-context/$name
    rm -rf "$ctx" && mkdir -p "$ctx/host-ca"
    cp -r "$dir". "$ctx/"
    cp /usr/local/share/ca-certificates/*.crt "$ctx/host-ca/" 2>/dev/null || true
    cp -r "$ONCALL_ROOT/tests/doubles" "$ctx/doubles"   # local doubles of unreachable services
    if ! docker image inspect "oncall-runbooks/$name:latest" >/dev/null 2>&1; then
      log "building image oncall-runbooks/$name (first time only)"
    fi
    docker build -q --build-arg "BASE_IMAGE=$ONCALL_BASE_IMAGE" \
      -t "oncall-runbooks/$name:latest" "$ctx" >"$ONCALL_HOME/build-$name.log" 2>&1 \
      || { tail -n 30 "$ONCALL_HOME/build-$name.log" >&2; die "docker build of images/$name failed"; }
    # images/<name>/TAGS: more tags of the same image (e.g. the versions a deploy moves between)
    if [ -f "$dir/TAGS" ]; then
      local tag
      while read -r tag; do
        [ -n "$tag" ] && docker tag "oncall-runbooks/$name:latest" "oncall-runbooks/$name:$tag"
      done <"$dir/TAGS"
    fi
  done
}

oncall_setup() {
  command -v python3 >/dev/null 2>&1 || die "python3 is required"
  mkdir -p "$ONCALL_HOME"
  apt_install shellcheck
  ensure_docker
  ensure_java
  ensure_venv
  ensure_collections
  ensure_ansible_test_offline
  ensure_base_image
  ensure_images
  export PATH=$ONCALL_VENV/bin:$PATH
  export VIRTUAL_ENV=$ONCALL_VENV
  export ANSIBLE_COLLECTIONS_PATH=$ONCALL_SRC:$ONCALL_DEPS
  export ANSIBLE_CONFIG=$ONCALL_ROOT/ansible.cfg
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  oncall_setup
  cat <<EOF
# ready; to use this environment in your shell:
export PATH=$ONCALL_VENV/bin:\$PATH
export ANSIBLE_COLLECTIONS_PATH=$ONCALL_SRC:$ONCALL_DEPS
export ANSIBLE_CONFIG=$ONCALL_ROOT/ansible.cfg
EOF
fi
