#!/usr/bin/env bash
# ansible-doc must render every module and lookup of the installed collection, and the argument
# specification of every role (ansible-doc itself exits 0 for one it cannot load, so its JSON is checked).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
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
for role_dir in "$top"/roles/*/; do
  [ -d "$role_dir" ] || continue
  name=opsforge.delivery.$(basename "$role_dir")
  if ! ansible-doc -j -t role "$name" 2>/dev/null \
      | python3 -c 'import json, sys; doc = json.load(sys.stdin); sys.exit(0 if doc and all(v.get("entry_points") for v in doc.values()) else 1)'; then
    echo "ansible-doc cannot render role $name" >&2
    exit 1
  fi
  echo "ansible-doc renders role $name"
done
