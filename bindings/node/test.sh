#!/usr/bin/env bash
# The Node.js binding's suite: builds the addon (warnings are errors), starts the test fake and the Workers
# Builds API emulator on ephemeral loopback ports, and runs bindings/node/test/*.test.js with `node --test`,
# one file at a time (several read the fake's statistics). Run from anywhere:
#   bash bindings/node/test.sh
# Needs `swift build -c release` done (it runs it when the library is missing), node 20 with its headers,
# python3; tsc (Debian: node-typescript) for the declarations test, which is skipped without it.
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/servers.sh

work=$(mktemp -d)
FAKE_PID="" EMU_PID=""
trap 'stop_server "$FAKE_PID"; stop_server "$EMU_PID"; rm -rf "$work"' EXIT
fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ ! -f .build/release/libdeployhook.so ]; then
  swift build -c release || fail "node tests: swift build failed"
fi
CFLAGS="-Werror ${CFLAGS:-}" node bindings/node/build.js || fail "node tests: the addon does not build"

unset CLOUDFLARE_BASE_URL CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_DEPLOY_HOOK DEPLOYHOOK_LIBRARY
start_server FAKE "$work/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || fail "node tests: no fake"
# The hooks of test/support.js (EMU): success and fail with phases of 0.2 s, and a long build to cancel.
start_server EMU "$work/emulator.log" env PYTHONPATH=bindings/python CLOUDFLARE_API_TOKEN=emulator-token \
  CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef python3 -m deployhook.emulator --port 0 \
  --builds-per-minute 1000 --hook 5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e:success:0.2 \
  --hook 6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f:fail:0.2 --hook 7c9a5e3f-4d6b-4e8c-9a0f-2b3c4d5e6f7a:success:30 \
  || fail "node tests: no emulator"
export DEPLOYHOOK_TEST_API_URL=$FAKE_BASE DEPLOYHOOK_TEST_EMULATOR_URL=$EMU_BASE

# One file at a time, each in its own `node --test` (several read the fake's statistics).
passed=0 failed=0 skipped=0
for file in bindings/node/test/*.test.js; do
  tap="$work/$(basename "$file").tap"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$file"
  status=$?
  pass=$(awk '/^# pass /{print $3}' "$tap" | tail -1)
  fail=$(awk '/^# fail /{print $3}' "$tap" | tail -1)
  pass=${pass:-0} fail=${fail:-0}
  [ "$status" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1  # died without reporting a failed test
  passed=$((passed + pass)) failed=$((failed + fail))
  skipped=$((skipped + $(awk '/^# skipped /{print $3}' "$tap" | tail -1 | grep . || echo 0)))
done
[ "$skipped" -eq 0 ] || echo "node tests: $skipped skipped (see above), counted neither passed nor failed"
if [ "$failed" -gt 0 ]; then
  echo "--- fake output ---"; cat "$work/fake.log"
  echo "--- emulator output ---"; cat "$work/emulator.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
