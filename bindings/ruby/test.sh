#!/usr/bin/env bash
# The Ruby binding's tests (minitest, Ruby's bundled test library) against the test fake and the Workers
# Builds API emulator, both started here on ephemeral loopback ports, under LC_ALL=C (every string must
# still come back UTF-8). Needs `swift build -c release` first. Run from anywhere:
#   bash bindings/ruby/test.sh [MINITEST ARGS...]      e.g. -n /cancel/
# The last line is "N passed, N failed" (minitest's runs less failures, errors and skips; the failed
# count includes skips); the exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/servers.sh
export PYTHONDONTWRITEBYTECODE=1

if [[ ! -f .build/release/libdeployhook.so ]]; then
  echo "bindings/ruby/test.sh: .build/release/libdeployhook.so not found: run swift build -c release" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

work="$(mktemp -d)"
trap 'stop_server "${FAKE_PID:-}"; stop_server "${EMU_PID:-}"; rm -rf "$work"' EXIT

# The emulator's hooks, as bindings/ruby/test/helper.rb names them.
cat >"$work/emulator.json" <<'JSON'
{"token": "emulator-token-0f1e2d3c4b5a6978", "account_id": "0123456789abcdef0123456789abcdef",
 "hooks": {
  "5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e": {"outcome": "success", "phase_seconds": 0.2,
     "commit_message": "Fix the café menu ✓\n\nAnd its prices", "deploy_hook_name": "Ruby test hook",
     "logs": ["Cloning repository...", "Déployé ✓ 部署"]},
  "6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f": {"outcome": "fail", "phase_seconds": 0.2},
  "7c9a5e3f-4d6b-4e8c-9a0f-2b3c4d5e6f70": {"outcome": "success", "phase_seconds": 60}}}
JSON

start_server FAKE "$work/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || { echo "0 passed, 1 failed"; exit 1; }
start_server EMU "$work/emulator.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --config "$work/emulator.json" --builds-per-minute 1000 --log-page-size 2 || { echo "0 passed, 1 failed"; exit 1; }

echo "== Ruby binding (minitest; fake $FAKE_BASE, emulator $EMU_BASE)"
DEPLOYHOOK_TEST_FAKE=$FAKE_BASE DEPLOYHOOK_TEST_EMULATOR=$EMU_BASE LC_ALL=C LANG=C \
  ruby -W0 -Ibindings/ruby/lib -Ibindings/ruby/test \
  -e 'Dir[File.join("bindings/ruby/test", "test_*.rb")].sort.each { |file| require File.expand_path(file) }' \
  -- "$@" 2>&1 | tee "$work/out"
status=${PIPESTATUS[0]}

summary=$(grep -E '^[0-9]+ runs, [0-9]+ assertions, [0-9]+ failures, [0-9]+ errors, [0-9]+ skips' "$work/out" | tail -1)
if [[ -z "$summary" ]]; then
  echo "--- emulator output ---"; cat "$work/emulator.log"
  echo "0 passed, 1 failed"
  exit 1
fi
read -r runs _ _ _ failures _ errors _ skips _ <<<"$summary"
failed=$((failures + errors + skips))
passed=$((runs - failed))
[[ $status -eq 0 || $failed -gt 0 ]] || failed=1
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
