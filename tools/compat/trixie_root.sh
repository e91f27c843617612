#!/usr/bin/env bash
# A small Debian trixie root with Python 3.13, for the ansible-core releases that need Python 3.12 or
# newer (2.20 and later) on a machine whose own Python is older and where containers do not run.
#
#   tools/compat/trixie_root.sh build       builds build/compat/trixie once (debootstrap, about 30 s);
#                                           does nothing when it is already there
#   tools/compat/trixie_root.sh run CMD...  runs CMD inside the root, as root, in the current directory
#
# CMD sees the project at the same absolute path as outside, so paths can be passed through as they
# are, and it shares the machine's network, so it reaches the sandbox on 127.0.0.1. The project,
# /proc and /dev are bind-mounted in a private mount namespace (unshare), which the kernel discards
# when CMD ends: nothing stays mounted under build/, so `rm -rf build` is always safe.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$top/build/compat/trixie
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# python3-venv for the ansible-core virtualenvs; git, shellcheck and the en_US.UTF-8 locale for ansible-test.
packages=python3,python3-venv,ca-certificates,git,shellcheck,locales

build() {
  if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$packages" ]; then
    return 0
  fi
  if ! command -v debootstrap >/dev/null; then
    apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
  fi
  local started=$SECONDS partial=$root.partial
  rm -rf "$root" "$partial"
  mkdir -p "$top/build/compat"
  echo "building the trixie root in $root (debootstrap from $mirror)"
  debootstrap --variant=minbase --include="$packages" trixie "$partial" "$mirror" >"$top/build/compat/debootstrap.log" 2>&1 \
    || { tail -20 "$top/build/compat/debootstrap.log" >&2; exit 1; }
  # pip inside the root goes through the same TLS-inspecting proxy as the machine's: it needs the
  # machine's CA bundle (which the root's own ca-certificates lacks) and pip settings.
  cp /etc/ssl/certs/ca-certificates.crt "$partial/etc/ssl/certs/ca-certificates.crt"
  if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$partial/etc/pip.conf"; fi
  echo "en_US.UTF-8 UTF-8" >"$partial/etc/locale.gen"
  chroot "$partial" locale-gen >/dev/null
  echo "$packages" >"$partial/.complete"
  mv "$partial" "$root"
  echo "trixie root ready in $((SECONDS - started)) s: $(chroot "$root" python3 --version)"
}

run() {
  [ -f "$root/.complete" ] || { echo "no trixie root: run $0 build first" >&2; exit 1; }
  mkdir -p "$root$top"
  exec unshare --mount -- "$0" inside "$PWD" "$@"
}

# Runs in the private mount namespace that `run` made: mount, then enter the root.
inside() {
  local dir=$1
  shift
  mount --make-rprivate /
  mount --bind /proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount --bind "$top" "$root$top"
  # The root's own PATH; the rest of the caller's environment (ANSIBLE_*, the sandbox's URLs...) stays.
  cd "$dir"
  exec chroot "$root" /usr/bin/env --chdir="$dir" PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=en_US.UTF-8 "$@"
}

case "${1:-}" in
  build) build ;;
  run) shift; run "$@" ;;
  inside) shift; inside "$@" ;;
  *) echo "usage: $0 build | run COMMAND [ARGUMENT...]" >&2; exit 2 ;;
esac
