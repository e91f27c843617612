#!/usr/bin/env bash
# Builds the collection's HTML docsite with Sphinx, as docs.ansible.com would (antsibull-docs
# sphinx-init, then sphinx-build -W: every warning fails), into the directory given (default:
# build/docsite). Proves that the plugin pages and the guide build; needs no network.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
site=${1:-$top/build/docsite}
stage=$top/build
[ -d "$stage/ansible_collections/opsforge/delivery" ] || { echo "run make stage first" >&2; exit 1; }
export ANSIBLE_COLLECTIONS_PATH=$stage
rm -rf "$site"
mkdir -p "$site"
# antsibull-docs sphinx-init writes only into a directory no one else may write to.
chmod 700 "$site"
antsibull-docs sphinx-init --use-current --fail-on-error --no-add-antsibull-docs-version \
  --project opsforge.delivery --title "opsforge.delivery" --copyright "opsforge.delivery contributors" \
  --dest-dir "$site" opsforge.delivery >/dev/null
# The generated pages link to a few labels of the Ansible documentation. Sphinx would download
# that site's inventory; a local inventory of just those labels keeps the build offline.
python3 "$top/tools/docs/ansible_docs_inventory.py" "$site/ansible_devel.inv"
cat >>"$site/conf.py" <<'CONF'

# Offline: resolve the Ansible documentation's labels from the local inventory only.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
CONF
if ! (cd "$site" && ./build.sh) >"$site/build.log" 2>&1; then
  grep -E "WARNING|ERROR|Error|error" "$site/build.log" >&2 || tail -n 40 "$site/build.log" >&2
  echo "the docsite does not build; full log: $site/build.log" >&2
  exit 1
fi
echo "docsite built: $site/build/html/index.html"
