#!/usr/bin/env bash
# Trigger a deploy hook and follow its build to the outcome with no Cloudflare account: start the local
# emulator of the Workers Builds API, point the CLI at it, trigger with --wait --logs, then show a
# failing build and an unknown hook. Everything stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=.build/release/deployhook-cli
out=$(mktemp)
export CLOUDFLARE_API_TOKEN=demo-token CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef
. scripts/servers.sh
trap 'stop_server "${EMULATOR_PID:-}"; rm -f "$out"' EXIT
start_server EMULATOR "$out" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --hook 00000000-0000-4000-8000-000000000000:success:1 \
  --hook 0fa11ed0-0000-4000-8000-000000000000:fail:0.5
export CLOUDFLARE_BASE_URL=$EMULATOR_BASE
echo "Workers Builds API emulator at $CLOUDFLARE_BASE_URL"

run() { echo; echo "\$ $*"; "$@" || echo "(exit status $?)"; }
CLOUDFLARE_DEPLOY_HOOK=00000000-0000-4000-8000-000000000000 run "$cli" trigger --wait --logs
run "$cli" trigger --wait 0fa11ed0-0000-4000-8000-000000000000
run "$cli" trigger 0badc0de-0000-4000-8000-000000000000
