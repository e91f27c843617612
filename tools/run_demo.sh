#!/usr/bin/env bash
# Runs playbooks/demo.yml twice against the sandbox; the second run must report no change.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export ANSIBLE_CONFIG=$top/playbooks/ansible.cfg
echo "=== demo: first run"
ansible-playbook playbooks/demo.yml --diff
echo "=== demo: second run (expects no change)"
ansible-playbook playbooks/demo.yml | tee build/demo-second-run.log
if ! grep -Eq 'changed=0 +unreachable=0 +failed=0' build/demo-second-run.log; then
  echo "demo: the second run reported a change" >&2
  exit 1
fi
echo "=== demo: second run changed nothing"
