#!/usr/bin/env bash
# Runs `molecule test` for the scenarios under extensions/molecule (all of them, or those named as
# arguments) against the running sandbox, whose addresses tools/sandbox.sh writes to
# build/sandbox/env. Prints each scenario's result and time; exits non-zero if any failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ ! -f build/sandbox/env ]; then
  echo "the sandbox is not running: start it with tools/sandbox.sh start" >&2
  exit 1
fi
# shellcheck disable=SC1091
. build/sandbox/env
# The roles come from the collection as built and installed (make install), unless told otherwise.
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$top/build/collections}
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
export NO_COLOR=1

if [ "$#" -gt 0 ]; then
  scenarios=("$@")
else
  scenarios=()
  for file in extensions/molecule/*/molecule.yml; do
    scenarios+=("$(basename "$(dirname "$file")")")
  done
fi

logs=$top/build/molecule
mkdir -p "$logs"
failed=()
for scenario in "${scenarios[@]}"; do
  # One working directory per scenario, inside build/, so that runs of other checkouts never share it.
  export MOLECULE_EPHEMERAL_DIRECTORY=$logs/$scenario
  rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
  start=$(date +%s.%N)
  if molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1; then
    result=passed
  else
    result=FAILED
    failed+=("$scenario")
  fi
  seconds=$(awk -v start="$start" -v end="$(date +%s.%N)" 'BEGIN { printf "%.1f", end - start }')
  printf 'molecule %-22s %-6s %6s s  (log: %s)\n' "$scenario" "$result" "$seconds" "build/molecule/$scenario.log"
done

if [ "${#failed[@]}" -gt 0 ]; then
  for scenario in "${failed[@]}"; do
    echo "=== molecule $scenario: last lines of its log" >&2
    tail -n 60 "$logs/$scenario.log" >&2
  done
  exit 1
fi
