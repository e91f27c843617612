#!/usr/bin/env bash
# CHANGELOG.md must be exactly what antsibull-changelog generates from changelogs/changelog.yaml.
# Before the first release there is nothing to compare: `make changelog` cuts a release and writes both.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
python=${PYTHON:-python3}
if ! "$python" -c 'import sys, yaml
with open("changelogs/changelog.yaml", encoding="utf-8") as handle:
    sys.exit(0 if (yaml.safe_load(handle) or {}).get("releases") else 1)'; then
  echo "changelog: no release in changelogs/changelog.yaml yet, so no CHANGELOG.md to check"
  exit 0
fi
if [ ! -f CHANGELOG.md ]; then
  echo "changelog: CHANGELOG.md is missing; write it with antsibull-changelog generate" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
antsibull-changelog generate --output "$scratch/CHANGELOG.md" --output-format md
if ! diff -u CHANGELOG.md "$scratch/CHANGELOG.md"; then
  echo "changelog: CHANGELOG.md differs from what changelogs/changelog.yaml gives (above); run antsibull-changelog generate" >&2
  exit 1
fi
echo "changelog: CHANGELOG.md matches changelogs/changelog.yaml"
