#!/usr/bin/env bash
# Runs playbooks/demo.yml twice against the sandbox; the second run must report no change.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export ANSIBLE_CONFIG=$top/playbooks/ansible.cfg
# The demo runs against the sandbox that `make demo` started, whatever the shell points at.
host=${SANDBOX_HOST:-127.0.0.1}
export RUNDECK_URL=http://$host:${SANDBOX_RUNDECK_PORT:-24440} RUNDECK_API_TOKEN=sandbox-rundeck-token
export OPSGENIE_URL=http://$host:${SANDBOX_OPSGENIE_PORT:-24441} OPSGENIE_API_KEY=sandbox-opsgenie-key
export OCTOPUS_URL=http://$host:${SANDBOX_OCTOPUS_PORT:-24442} OCTOPUS_API_KEY=API-SANDBOX OCTOPUS_SPACE=
export GITEA_URL=http://$host:${SANDBOX_GITEA_PORT:-24443} GITEA_USERNAME=sandbox-admin GITEA_PASSWORD=sandbox-password
echo "=== demo: first run"
ansible-playbook playbooks/demo.yml --diff
echo "=== demo: second run (expects no change)"
ansible-playbook playbooks/demo.yml | tee build/demo-second-run.log
if ! grep -Eq 'changed=0 +unreachable=0 +failed=0' build/demo-second-run.log; then
  echo "demo: the second run reported a change" >&2
  exit 1
fi
echo "=== demo: second run changed nothing"
