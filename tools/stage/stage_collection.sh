#!/usr/bin/env bash
# Lays the collection out where ansible-test and pytest expect it:
# <dest>/ansible_collections/opsforge/delivery, holding the files git tracks plus the new files it
# does not ignore (what a commit would hold), so a run never sees build output or virtualenvs.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$top/build}/ansible_collections/opsforge/delivery
rm -rf "$dest"
mkdir -p "$dest"
cd "$top"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$dest"
# A repository of its own, so ansible-test lists these files rather than the enclosing checkout's.
git -C "$dest" init -q
git -C "$dest" add -A
echo "$dest"
