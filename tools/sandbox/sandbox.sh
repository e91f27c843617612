#!/usr/bin/env bash
# Starts or stops the sandbox in the background for `make demo` and `make test`.
#   tools/sandbox/sandbox.sh start   starts it, waits for "sandbox ready", writes the integration config
#                                    and build/sandbox/env (the environment variables the collection reads)
#   tools/sandbox/sandbox.sh stop    stops it
# SANDBOX_TLS_CERT and SANDBOX_TLS_KEY (PEM files) make it serve HTTPS, and SANDBOX_TLS_CLIENT_CA
# require client certificates signed by that CA (see tests/sandbox/README.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$top/.venv/bin/python}
host=${SANDBOX_HOST:-127.0.0.1}
rundeck_port=${SANDBOX_RUNDECK_PORT:-24440}
opsgenie_port=${SANDBOX_OPSGENIE_PORT:-24441}
octopus_port=${SANDBOX_OCTOPUS_PORT:-24442}
gitea_port=${SANDBOX_GITEA_PORT:-24443}
jira_port=${SANDBOX_JIRA_PORT:-24444}
state=$top/build/sandbox
mkdir -p "$state"
scheme=http
tls_options=()
if [ -n "${SANDBOX_TLS_CERT:-}${SANDBOX_TLS_KEY:-}" ]; then
  scheme=https
  tls_options+=(--tls-cert "${SANDBOX_TLS_CERT:-}" --tls-key "${SANDBOX_TLS_KEY:-}")
fi
if [ -n "${SANDBOX_TLS_CLIENT_CA:-}" ]; then
  tls_options+=(--tls-client-ca "$SANDBOX_TLS_CLIENT_CA")
fi

stop() {
  if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      # Still there after 5 s: a stuck sandbox must not keep the ports for the next run.
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/pid"
  fi
  rm -f "$state/env"
}

start() {
  stop
  cd "$top"
  "$python" -m tests.sandbox --host "$host" --rundeck-port "$rundeck_port" --opsgenie-port "$opsgenie_port" \
    --octopus-port "$octopus_port" --gitea-port "$gitea_port" \
    --jira-port "$jira_port" ${tls_options[@]+"${tls_options[@]}"} >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  for _ in $(seq 100); do
    if grep -q "sandbox ready" "$state/log"; then
      write_integration_config
      write_environment
      echo "sandbox ready: Rundeck $scheme://$host:$rundeck_port (log: $state/log)"
      return 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || break
    sleep 0.2
  done
  echo "the sandbox did not start; its output:" >&2
  cat "$state/log" >&2
  stop
  return 1
}

# ansible-test passes this file to every integration target as extra vars.
write_integration_config() {
  cat >"$top/tests/integration/integration_config.yml" <<CONFIG
---
rundeck_url: $scheme://$host:$rundeck_port
rundeck_api_token: sandbox-rundeck-token
opsgenie_url: $scheme://$host:$opsgenie_port
opsgenie_api_key: sandbox-opsgenie-key
opsgenie_read_only_api_key: sandbox-opsgenie-readonly-key
octopus_url: $scheme://$host:$octopus_port
octopus_api_key: API-SANDBOX
octopus_viewer_api_key: API-SANDBOXVIEWER
# Not octopus_access_token: the lookups read that variable, and would then have a key and a token.
octopus_test_access_token: sandbox-octopus-access-token
gitea_url: $scheme://$host:$gitea_port
gitea_admin_username: sandbox-admin
gitea_admin_password: sandbox-password
gitea_alice_password: alice-password
gitea_bob_password: bob-password
jira_url: $scheme://$host:$jira_port
jira_cloud_id: sandbox-cloud
jira_client_id: sandbox-jira-client
jira_client_secret: sandbox-jira-secret
CONFIG
}

# The environment variables the modules and lookups read, as AWX injects them from credentials;
# `make molecule` sources this file.
write_environment() {
  cat >"$state/env" <<ENVIRONMENT
export RUNDECK_URL=$scheme://$host:$rundeck_port
export RUNDECK_API_TOKEN=sandbox-rundeck-token
export OPSGENIE_URL=$scheme://$host:$opsgenie_port
export OPSGENIE_API_KEY=sandbox-opsgenie-key
export OCTOPUS_URL=$scheme://$host:$octopus_port
export OCTOPUS_API_KEY=API-SANDBOX
export GITEA_URL=$scheme://$host:$gitea_port
export GITEA_USERNAME=sandbox-admin
export GITEA_PASSWORD=sandbox-password
export JIRA_URL=$scheme://$host:$jira_port
export JIRA_CLOUD_ID=sandbox-cloud
export JIRA_CLIENT_ID=sandbox-jira-client
export JIRA_CLIENT_SECRET=sandbox-jira-secret
ENVIRONMENT
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
