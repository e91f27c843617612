#!/usr/bin/env bash
# Runs `molecule test` for the scenarios under extensions/molecule (all of them, or those named as
# arguments) against the running sandbox, whose addresses tools/sandbox/sandbox.sh writes to
# build/sandbox/env. Prints each scenario's result and time; exits non-zero if any failed.
# Scenarios run side by side (MOLECULE_JOBS=1 runs them one after the other): each one uses and
# resets only its own service of the sandbox.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
if [ ! -f build/sandbox/env ]; then
  echo "the sandbox is not running: start it with tools/sandbox/sandbox.sh start" >&2
  exit 1
fi
# shellcheck disable=SC1091
. build/sandbox/env
# The roles come from the collection as built and installed (make install), unless told otherwise.
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$top/build/collections}
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
export NO_COLOR=1
jobs=${MOLECULE_JOBS:-4}

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

# Writes "<result> <seconds>" to build/molecule/<scenario>.result.
run_scenario() {
  local scenario=$1 start result
  # One working directory per scenario, inside build/, so that runs of other checkouts never share
  # it; a fresh one, so that molecule prepares again.
  export MOLECULE_EPHEMERAL_DIRECTORY=$logs/$scenario
  rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
  start=$(date +%s.%N)
  if molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1; then result=passed; else result=FAILED; fi
  awk -v result="$result" -v start="$start" -v end="$(date +%s.%N)" \
    'BEGIN { printf "%s %.1f\n", result, end - start }' >"$logs/$scenario.result"
}

started=$(date +%s.%N)
running=0
for scenario in "${scenarios[@]}"; do
  rm -f "$logs/$scenario.result"
  run_scenario "$scenario" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

failed=()
for scenario in "${scenarios[@]}"; do
  read -r result seconds <"$logs/$scenario.result" || { result=FAILED; seconds='?'; }
  printf 'molecule %-22s %-6s %6s s  (log: build/molecule/%s.log)\n' "$scenario" "$result" "$seconds" "$scenario"
  [ "$result" = passed ] || failed+=("$scenario")
done
awk -v start="$started" -v end="$(date +%s.%N)" 'BEGIN { printf "molecule: %.1f s in all\n", end - start }'

if [ "${#failed[@]}" -gt 0 ]; then
  for scenario in "${failed[@]}"; do
    echo "=== molecule $scenario: the end of its log" >&2
    tail -n 40 "$logs/$scenario.log" >&2
  done
  exit 1
fi
