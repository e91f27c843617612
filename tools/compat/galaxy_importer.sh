#!/usr/bin/env bash
# Galaxy's importer on the collection tarball, as Galaxy would run it on an upload, failing on any
# warning (`make importer`, after `make build`).
#
# Why: galaxy-importer is what galaxy.ansible.com runs on every collection it is given. It reads the
# tarball's metadata, renders every plugin's documentation with ansible-doc and runs ansible-lint
# (production profile) on the whole tarball; what it finds is shown on the collection's Galaxy page
# as warnings. A release should have none, so this script fails on the first one.
#
# What it does:
#   1. Makes a virtualenv at build/compat/importer with the pinned importer and its tools
#      (tools/compat/requirements-importer.txt), only when it is missing or that file changed.
#   2. Writes the importer's config, build/compat/galaxy-importer.cfg: the importer's own defaults,
#      written out, with the ansible-test step off: that step runs ansible-test sanity in a container, which this
#      machine cannot start (`make sanity` runs the same tests without one).
#   3. Runs `python -m galaxy_importer.main` on build/dist/opsforge-delivery-*.tar.gz with a clean
#      environment: only the importer's tools on PATH, its own HOME and temporary folder in a fresh
#      folder under /tmp (so no ansible.cfg, collection or cache of this machine counts), and no
#      network: the proxy variables point at a closed local port, so anything that tried to go
#      online would fail rather than quietly fetch. Installing (step 1) is the only step that
#      needs PyPI. The temporary folder must lie outside this checkout: ansible-lint looks for its
#      configuration in the folders above the one it lints, and would find the checkout's own
#      .ansible-lint, which Galaxy does not have, instead of the one the tarball ships.
#   4. Keeps the whole output in build/compat/importer.log, prints the warnings and errors, and
#      exits non-zero when the importer failed or said anything at WARNING or ERROR level (that
#      includes every ansible-lint finding, which the importer reports as a warning).
#
# Environment: IMPORTER_PYTHON, the interpreter for the virtualenv (default python3.11; the pinned
# ansible-core needs 3.11 or later).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/build/compat
VENV=$OUT/importer
REQUIREMENTS=$ROOT/tools/compat/requirements-importer.txt
CONFIG=$OUT/galaxy-importer.cfg
LOG=$OUT/importer.log
PYTHON=${IMPORTER_PYTHON:-python3.11}
START=$SECONDS

mkdir -p "$OUT"

# 1. The virtualenv. Its stamp records the requirements file's checksum and the interpreter; when
# either differs (or the stamp is missing because an install failed), it is made again from scratch.
if ! command -v "$PYTHON" >/dev/null; then
    echo "galaxy_importer.sh: $PYTHON not found; set IMPORTER_PYTHON to a Python 3.11 or later" >&2
    exit 2
fi
wanted_stamp="$(sha256sum <"$REQUIREMENTS" | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$wanted_stamp" ]; then
    echo "galaxy_importer.sh: installing the importer into $VENV (log: $OUT/importer-install.log)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "$REQUIREMENTS" >"$OUT/importer-install.log" 2>&1; then
        tail -n 20 "$OUT/importer-install.log" >&2
        echo "galaxy_importer.sh: installing the importer failed" >&2
        exit 2
    fi
    echo "$wanted_stamp" >"$VENV/.stamp"
fi
VERSION=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))')

# 2. The importer's config: its own defaults, written out so that a change of default in a newer
# importer does not pass unnoticed, with the container-only ansible-test step off and the temporary
# files in a folder of their own under /tmp (the top comment, 3., says why), removed at the end.
WORK=$(mktemp -d /tmp/opsforge-galaxy-importer.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tmp/ansible" "$WORK/home"
cat >"$CONFIG" <<EOF
[galaxy-importer]
run_ansible_test = False
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
run_flake8 = False
check_changelog = True
require_v1_or_greater = False
log_level_main = INFO
tmp_root_dir = $WORK/tmp
ansible_local_tmp = $WORK/tmp/ansible
EOF

# The tarball `make build` made: exactly one.
shopt -s nullglob
tarballs=("$ROOT"/build/dist/opsforge-delivery-*.tar.gz)
if [ "${#tarballs[@]}" -ne 1 ]; then
    echo "galaxy_importer.sh: expected one build/dist/opsforge-delivery-*.tar.gz, found ${#tarballs[@]}; run make build" >&2
    exit 2
fi
TARBALL=${tarballs[0]}

# 3. The run. The importer writes importer_result.json into its working folder: build/compat.
status=0
(cd "$OUT" && env -i \
    PATH="$VENV/bin:/usr/bin:/bin" \
    HOME="$WORK/home" \
    TMPDIR="$WORK/tmp" \
    LANG=C.UTF-8 \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
    HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY= \
    GALAXY_IMPORTER_CONFIG="$CONFIG" \
    "$VENV/bin/python" -m galaxy_importer.main "$TARBALL") >"$LOG" 2>&1 || status=$?

# 4. Judge the output. The importer prints INFO lines bare and everything else as "LEVEL: message";
# ansible-lint's findings come as "WARNING: path:line:column: rule: message". An "ERROR" anywhere
# (a traceback, an ansible-doc failure) counts too.
findings=$(grep -E '^(WARNING|ERROR|CRITICAL):|ERROR|Traceback' "$LOG" || true)
count=0
if [ -n "$findings" ]; then
    count=$(printf '%s\n' "$findings" | wc -l)
    printf '%s\n' "$findings" >&2
fi
if ! grep -q '^Importer processing completed successfully$' "$LOG"; then
    [ "$status" -ne 0 ] || status=1
fi
seconds=$((SECONDS - START))
summary="galaxy-importer $VERSION on $(basename "$TARBALL"): $count warning(s) or error(s), ${seconds}s (full output: ${LOG#"$ROOT"/})"
if [ "$status" -ne 0 ]; then
    tail -n 20 "$LOG" >&2
    echo "$summary; the importer FAILED (exit $status)" >&2
    exit 1
fi
if [ "$count" -ne 0 ]; then
    echo "$summary; a release must have none" >&2
    exit 1
fi
echo "$summary"
