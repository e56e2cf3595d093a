#!/usr/bin/env bash
# examples/luajit/trigger.lua against the Workers Builds API emulator (started here on a loopback port):
# a trigger, --wait, --logs through the wait callback, the exit codes. Needs luajit and
# `swift build -c release`. Run from anywhere: bash examples/luajit/test.sh
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/servers.sh
export PYTHONDONTWRITEBYTECODE=1
passed=0 failed=0
work="$(mktemp -d)"
trap 'stop_server "${EMU_PID:-}"; rm -rf "$work"' EXIT

OK=5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e
FAIL=6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f
TOKEN=emulator-token-for-luajit
cat >"$work/emulator.json" <<JSON
{"token": "$TOKEN", "hooks": {
  "$OK": {"outcome": "success", "phase_seconds": 0.2, "logs": ["Cloning repository...", "Déployé ✓"]},
  "$FAIL": {"outcome": "fail", "phase_seconds": 0.2}}}
JSON
start_server EMU "$work/emulator.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --config "$work/emulator.json" --builds-per-minute 1000 || { echo "0 passed, 1 failed"; exit 1; }

# run EXPECTED_STATUS ARGS...: runs the example against the emulator; its output in $work/out.
run() {
  local expected=$1 status=0
  shift
  env CLOUDFLARE_BASE_URL="$EMU_BASE" CLOUDFLARE_API_TOKEN="$TOKEN" CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef \
    luajit examples/luajit/trigger.lua "$@" >"$work/out" 2>&1 || status=$?
  [[ $status -eq $expected ]] || { echo "  exit status $status, expected $expected; output:"; sed 's/^/  | /' "$work/out"; return 1; }
}

# check NAME COMMAND...: one pass/fail line.
check() {
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

has() { grep -qE "$1" "$work/out" || { echo "  no line matching $1 in:"; sed 's/^/  | /' "$work/out"; return 1; }; }
hasnt() { ! grep -qiE "$1" "$work/out" || { echo "  a line matches $1"; return 1; }; }

echo "== LuaJIT example (emulator $EMU_BASE)"
t_trigger() { run 0 $OK && has '^build [0-9a-f-]{36}: queued$' && has '^created 20' && has '^cf-ray [0-9a-f]{16}-EMU$'; }
t_logs() {
  run 0 --logs $OK && has '^status queued$' && has '^\| Cloning repository\.\.\.$' && has '^\| Déployé ✓$' \
    && has '^status stopped$' && has ': stopped, success' && has '^preview https://' && hasnt $OK
}
t_wait_fail() { run 20 --wait $FAIL && has '^status stopped$' && has ': stopped, fail' && hasnt '^\|'; }
t_environment() { CLOUDFLARE_DEPLOY_HOOK=$OK run 0 && has ': queued$'; }
t_unknown() {
  local hook=00000000-0000-4000-8000-00000000dead
  run 2 $hook && has '^trigger.lua: .*not found.*\[cf-ray [0-9a-f]{16}-EMU\]$' && hasnt $hook
}
t_bad_hook() { run 1 not-a-hook && has '^trigger.lua: '; }
t_wrong_token() { TOKEN=${TOKEN}x run 4 --wait $OK && has 'HTTP 403'; }
t_usage() { run 1 --bogus && run 1 a b && run 1 && run 0 --help && has '^Usage: trigger.lua'; }
t_library() { DEPLOYHOOK_LIBRARY=/nonexistent/libdeployhook.so run 0 $OK; }
check "a trigger prints the queued build" t_trigger
check "--logs follows the build through the callback" t_logs
check "--wait prints statuses only; exit 20 for a failed build" t_wait_fail
check "the hook from CLOUDFLARE_DEPLOY_HOOK" t_environment
check "an unknown hook exits 2 with the library's message, not the hook" t_unknown
check "a bad hook exits 1" t_bad_hook
check "a wrong token exits 4 (API error)" t_wrong_token
check "usage errors exit 1, --help 0" t_usage
check "a DEPLOYHOOK_LIBRARY that does not load: the next candidate" t_library

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
