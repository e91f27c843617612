#!/usr/bin/env bash
# ansible-doc must render every module and lookup of the installed collection
# (ansible-doc itself exits 0 for a plugin it cannot load, so its JSON is checked).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
for kind in module lookup; do
  dir=$top/plugins/modules
  [ "$kind" = lookup ] && dir=$top/plugins/lookup
  for file in "$dir"/*.py; do
    name=opsforge.delivery.$(basename "$file" .py)
    if ! ansible-doc -j -t "$kind" "$name" 2>/dev/null \
        | python3 -c 'import json, sys; doc = json.load(sys.stdin); sys.exit(0 if doc and all(v.get("doc") for v in doc.values()) else 1)'; then
      echo "ansible-doc cannot render $kind $name" >&2
      exit 1
    fi
    echo "ansible-doc renders $kind $name"
  done
done
