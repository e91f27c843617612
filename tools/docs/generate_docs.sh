#!/usr/bin/env bash
# Writes the collection's reference (one page per plugin and role, an index, and the guide) as
# plain reStructuredText that GitHub renders, into the directory given (default: docs/collection).
# Reads the staged collection (`make stage`), so it documents what a commit would hold; needs
# nothing from the network, and the same tree always gives the same pages.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$top/docs/collection}
stage=$top/build
[ -d "$stage/ansible_collections/opsforge/delivery" ] || { echo "run make stage first" >&2; exit 1; }
mkdir -p "$dest"
# Only the staged collection is visible, so other installed collections cannot change the output.
ANSIBLE_COLLECTIONS_PATH=$stage antsibull-docs collection \
  --use-current --squash-hierarchy --output-format simplified-rst --fail-on-error \
  --no-add-antsibull-docs-version --cleanup everything --dest-dir "$dest" opsforge.delivery >/dev/null
python3 "$top/tools/docs/docs_plain_rst.py" "$dest"
