#!/usr/bin/env bash
# Trigger a deploy hook with no Cloudflare account: start the local fake API, point CLOUDFLARE_BASE_URL
# at it, and run the C example twice (a hook the fake knows, then one it does not).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
python3 Tests/fake_api/fake_cloudflare.py --port 0 >"$out" 2>&1 &
fake=$!
trap 'kill $fake 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q '^PORT ' "$out" && break; sleep 0.1; done
export CLOUDFLARE_BASE_URL="http://127.0.0.1:$(awk '/^PORT /{print $2; exit}' "$out")/client/v4"
echo "fake Cloudflare API at $CLOUDFLARE_BASE_URL"

echo "\$ CLOUDFLARE_DEPLOY_HOOK=<known hook> examples/c/trigger"
CLOUDFLARE_DEPLOY_HOOK=11111111-1111-4111-8111-111111111111 examples/c/trigger
echo "\$ CLOUDFLARE_DEPLOY_HOOK=<unknown hook> examples/c/trigger"
CLOUDFLARE_DEPLOY_HOOK=0badc0de-0000-4000-8000-000000000000 examples/c/trigger || echo "(exit status $?)"
