#!/usr/bin/env bash
# The documentation checks of `make docs-check`, on the staged collection (`make stage`):
#   1. docs/collection is exactly what tools/docs/generate_docs.sh writes (`make docs` was run);
#   2. its pages render with plain docutils, as GitHub renders them, without a warning;
#   3. antsibull-docs lint-collection-docs passes on plugins, roles and the guide, strictly;
#   4. the Sphinx docsite builds with every warning an error.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$top/build/ansible_collections/opsforge/delivery
fresh=$top/build/docs-fresh
cd "$top"

tools/docs/generate_docs.sh "$fresh"
if ! diff -r docs/collection "$fresh" >/dev/null; then
  diff -ru docs/collection "$fresh" | head -n 60 >&2 || true
  echo "docs/collection is out of date: run make docs and commit the result" >&2
  exit 1
fi
echo "docs/collection matches a fresh generation"

python3 - docs/collection <<'PYTHON'
import pathlib, sys
import docutils.core, docutils.utils
failed = False
for page in sorted(pathlib.Path(sys.argv[1]).rglob("*.rst")):
    try:
        docutils.core.publish_string(page.read_text(encoding="utf-8"), source_path=str(page), writer_name="html",
                                     settings_overrides=dict(halt_level=2, report_level=2, file_insertion_enabled=False))
    except docutils.utils.SystemMessage as exc:
        print("%s does not render cleanly: %s" % (page, exc), file=sys.stderr)
        failed = True
sys.exit(1 if failed else 0)
PYTHON
echo "docs/collection renders without warnings"

(cd "$stage" && ANSIBLE_COLLECTIONS_PATH=$top/build antsibull-docs lint-collection-docs \
  --plugin-docs --check-extra-docs-refs --validate-collection-refs all --disallow-unknown-collection-refs .)
echo "antsibull-docs lint-collection-docs passes"

tools/docs/build_docsite.sh "$top/build/docsite"
