#!/usr/bin/env bash
# The Go binding's suite, from the repository root (after `swift build -c release`):
#   bash bindings/go/test.sh
# Starts the test fake and the emulator on ephemeral ports, then: gofmt and go vet (binding and example),
# the tests under `go test -race` with GODEBUG=cgocheck=2, the memory tests again without -race (flat RSS,
# C heap and Go heap: every result, options object, C string and cgo.Handle freed), and the example against
# examples/python/trigger.py on the emulator.
# Nothing is downloaded (GOPROXY=off, GOTOOLCHAIN=local); Go's caches go to build/go/ unless GOCACHE and
# GOPATH are set. Each check counts once, each Go test and subtest once; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

export GOPROXY=off GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-}" GOSUMDB=off
export GOCACHE="${GOCACHE:-$ROOT/build/go/cache}" GOPATH="${GOPATH:-$ROOT/build/go/path}"
export PKG_CONFIG_PATH="$ROOT/packaging/build-tree${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PYTHONDONTWRITEBYTECODE=1

if [[ ! -e packaging/build-tree/lib/libdeployhook.so ]]; then
  echo "test.sh: packaging/build-tree/lib/libdeployhook.so not found: run swift build -c release" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if ! command -v go >/dev/null; then
  echo "test.sh: no go command (Debian: apt-get install golang-go)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

WORK=$(mktemp -d)
FAKE_PID="" EMU_PID=""
. scripts/servers.sh
trap 'stop_server "$FAKE_PID"; stop_server "$EMU_PID"; rm -rf "$WORK"' EXIT

passed=0 failed=0
# check NAME COMMAND...: one pass/fail check; the command's output is shown when it fails.
check() {
  local name=$1
  shift
  if "$@" >"$WORK/check.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    sed 's/^/  | /' "$WORK/check.log"
  fi
}

# gotest LABEL COMMAND...: runs `go test -v` (or a test binary with -test.v); counts every test and subtest
# that passed or failed; a failing run with no failed test counts one failure.
gotest() {
  local label=$1 status pass fail
  shift
  echo "== $label"
  "$@" >"$WORK/gotest.log" 2>&1
  status=$?
  grep -E -- '--- FAIL|^(ok|FAIL)\s|^panic|^WARNING: DATA RACE|^fatal error|memory_test.go:[0-9]+: [0-9,]+ |after the cancel|deadline 300ms' "$WORK/gotest.log"
  pass=$(grep -cE '^\s*--- PASS' "$WORK/gotest.log")
  fail=$(grep -cE '^\s*--- FAIL' "$WORK/gotest.log")
  if [[ $status -ne 0 ]]; then
    [[ $fail -gt 0 ]] || fail=1
    echo "--- output ---"
    tail -n 80 "$WORK/gotest.log"
  fi
  echo "$pass passed, $fail failed ($label)"
  passed=$((passed + pass))
  failed=$((failed + fail))
}

# The fake, and the emulator with the tests' hooks and a token given in its config file (not in argv).
EMU_TOKEN="go-binding-test-token-$$-$RANDOM"
cat >"$WORK/emulator.json" <<EOF
{"token": "$EMU_TOKEN", "account_id": "0123456789abcdef0123456789abcdef",
 "hooks": {"5ec0e700-0000-4000-8000-000000000001": {"outcome": "success", "phase_seconds": 0.2},
           "5ec0e700-0000-4000-8000-000000000002": {"outcome": "fail", "phase_seconds": 0.2},
           "5ec0e700-0000-4000-8000-000000000003": {"outcome": "success", "phase_seconds": 600},
           "00000000-0000-4000-8000-000000000000": {"outcome": "success", "phase_seconds": 0.2},
           "0fa11ed0-0000-4000-8000-000000000000": {"outcome": "fail", "phase_seconds": 0.2}}}
EOF
start_server FAKE "$WORK/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || { echo "0 passed, 1 failed"; exit 1; }
start_server EMU "$WORK/emulator.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --config "$WORK/emulator.json" --builds-per-minute 100000 --log-page-size 2 || { echo "0 passed, 1 failed"; exit 1; }
export DEPLOYHOOK_TEST_FAKE_URL=$FAKE_BASE DEPLOYHOOK_TEST_EMULATOR_URL=$EMU_BASE DEPLOYHOOK_TEST_EMULATOR_TOKEN=$EMU_TOKEN

echo "== go $(go env GOVERSION), library $(pkg-config --modversion deployhook)"
check "gofmt: nothing to reformat" bash -c 'out=$(gofmt -l bindings/go examples/go); [[ -z $out ]] || { echo "$out"; false; }'
check "go vet: the binding (cgo checks included)" bash -c 'cd bindings/go && go vet ./...'
check "go vet: the example" bash -c 'cd examples/go && go vet ./...'
check "the binding's module has no requirements" bash -c \
  'cd bindings/go && [[ $(go list -m all) == deployhook ]] && ! grep -q "^require" go.mod'
check "the example builds" bash -c "cd examples/go && go build -o '$WORK/trigger' ./trigger"

gotest "go test -race, GODEBUG=cgocheck=2" \
  env GODEBUG=cgocheck=2 bash -c 'cd bindings/go && go test -race -count=1 -v -timeout 300s ./...'

# Without the race detector (whose own bookkeeping grows the RSS): 10,000 triggers with a flat RSS, and the
# C and Go heaps flat down every path.
gotest "go test (no -race), GODEBUG=cgocheck=2: the memory tests" \
  env GODEBUG=cgocheck=2 bash -c 'cd bindings/go && go test -count=1 -v -run "^(TestManyTriggersFlat|TestEveryPathFreed)$" ./...'

# The example against the Python one, on the emulator: the same lines (UUIDs, times and cf-rays aside) and
# the same exit status, but for missing credentials, which the library reports as NO_CREDENTIALS (13)
# where the Python binding checks them itself first (1).
compare_examples() {
  local args=$1 want_go_status=${2:-} go_status py_status
  # shellcheck disable=SC2086
  "$WORK/trigger" $args >"$WORK/go.out" 2>&1
  go_status=$?
  # shellcheck disable=SC2086
  PYTHONPATH=bindings/python python3 examples/python/trigger.py $args >"$WORK/py.out" 2>&1
  py_status=$?
  normalize() {
    sed -E -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' \
      -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00/TIME/g' -e 's/[0-9a-f]{16}-EMU/RAY/g' \
      -e 's/https:\/\/[0-9a-f]{8}-/https:\/\/PREVIEW-/' -e 's/^trigger(\.py)?:/trigger:/' \
      -e 's/^usage: trigger(\.py)? /usage: trigger /' "$1"
  }
  echo "go: status $go_status"; normalize "$WORK/go.out"
  echo "python: status $py_status"; normalize "$WORK/py.out"
  [[ "$(normalize "$WORK/go.out")" == "$(normalize "$WORK/py.out")" ]] || return 1
  [[ $go_status -eq ${want_go_status:-$py_status} ]]
}
export CLOUDFLARE_BASE_URL=$EMU_BASE CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef
export CLOUDFLARE_API_TOKEN=$EMU_TOKEN
unset CLOUDFLARE_DEPLOY_HOOK
check "example = Python example: no hook" compare_examples ""
check "example = Python example: usage" compare_examples "a b"
check "example = Python example: --help" bash -c "'$WORK/trigger' --help | grep -q 'Usage: trigger \[--wait\] \[--logs\] \[HOOK\]'"
check "example = Python example: unknown hook" compare_examples "0badc0de-0000-4000-8000-000000000000"
check "example = Python example: invalid hook" compare_examples "not-a-hook"
check "example = Python example: trigger" compare_examples "5ec0e700-0000-4000-8000-000000000003"
export CLOUDFLARE_DEPLOY_HOOK=00000000-0000-4000-8000-000000000000
check "example = Python example: --wait --logs, success (hook from the environment)" compare_examples "--wait --logs"
check "example = Python example: --wait, fail" compare_examples "--wait 0fa11ed0-0000-4000-8000-000000000000"
without_token() { CLOUDFLARE_API_TOKEN= compare_examples "$@"; }
check "example = Python example: no token (exit 13 here, 1 there)" without_token "--wait" 13
check "example: Ctrl-C interrupts a wait at once (exit 12)" bash -c "
  '$WORK/trigger' --wait 5ec0e700-0000-4000-8000-000000000003 >'$WORK/int.out' 2>&1 & pid=\$!
  sleep 1; start=\$(date +%s%N); kill -INT \$pid; wait \$pid; status=\$?; end=\$(date +%s%N)
  cat '$WORK/int.out'; echo \"exit \$status after \$(( (end - start) / 1000000 )) ms\"
  [[ \$status -eq 12 && \$(( (end - start) / 1000000 )) -lt 500 ]] && grep -q 'context canceled' '$WORK/int.out'"
check "example: neither the hook nor the token in any output" bash -c "
  for args in '' '--wait --logs' '--wait 0fa11ed0-0000-4000-8000-000000000000' '0badc0de-0000-4000-8000-000000000000'; do
    '$WORK/trigger' \$args; CLOUDFLARE_API_TOKEN=wrong-token-0a1b2c3d '$WORK/trigger' --wait \$args
  done >'$WORK/all.out' 2>&1
  ! grep -iE '00000000-0000-4000-8000-000000000000|0fa11ed0-0000-4000|0badc0de-0000-4000|$EMU_TOKEN|0a1b2c3d' '$WORK/all.out'"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
