#!/usr/bin/env bash
# Trigger a deploy hook and follow its build to the outcome with no Cloudflare account: start the local
# emulator of the Workers Builds API, point the CLI at it, trigger with --wait --logs, then show a
# failing build and an unknown hook. Everything stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=.build/release/deployhook-cli
out=$(mktemp)
export CLOUDFLARE_API_TOKEN=demo-token CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef
PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --hook 00000000-0000-4000-8000-000000000000:success:1 \
  --hook 0fa11ed0-0000-4000-8000-000000000000:fail:0.5 >"$out" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q '^PORT ' "$out" && break; sleep 0.1; done
export CLOUDFLARE_BASE_URL="http://127.0.0.1:$(awk '/^PORT /{print $2; exit}' "$out")/client/v4"
echo "Workers Builds API emulator at $CLOUDFLARE_BASE_URL"

run() { echo; echo "\$ $*"; "$@" || echo "(exit status $?)"; }
CLOUDFLARE_DEPLOY_HOOK=00000000-0000-4000-8000-000000000000 run "$cli" trigger --wait --logs
run "$cli" trigger --wait 0fa11ed0-0000-4000-8000-000000000000
run "$cli" trigger 0badc0de-0000-4000-8000-000000000000
