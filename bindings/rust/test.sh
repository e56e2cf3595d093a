#!/usr/bin/env bash
# The Rust crate's suite, from the repository root (after `swift build -c release`):
#   bash bindings/rust/test.sh
# Starts the test fake and the Workers Builds API emulator (scripts/servers.sh), then:
#   1. `cargo test` with the machine's toolchain (unit tests, src/ffi.rs against include/deployhook.json,
#      the fake and emulator suites, doc tests);
#   2. the same with Debian's rustc 1.63 (/usr/bin/cargo, RUSTC=/usr/bin/rustc), the crate's rust-version;
#   3. the test binaries again under valgrind (no definite leak, no memory error);
#   4. the example (examples/trigger.rs) against both servers: output and exit statuses;
#   5. build.rs's ways to the library besides pkg-config: DEPLOYHOOK_LIB_DIR, the checkout's build tree.
# Environment: CARGO (default: cargo on PATH, or ~/.cargo/bin/cargo rather than Debian's), MSRV_CARGO, MSRV_RUSTC and MSRV_RUSTDOC
# (default /usr/bin/cargo, rustc and rustdoc), DEPLOYHOOK_NO_VALGRIND=1 to skip step 3.
# The last line is "N passed, N failed" (every test and check of every step); exit status 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CRATE=$ROOT/bindings/rust
export PYTHONDONTWRITEBYTECODE=1
export CARGO_TERM_COLOR=never
unset CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_BASE_URL CLOUDFLARE_DEPLOY_HOOK

MSRV_CARGO=${MSRV_CARGO:-/usr/bin/cargo}
MSRV_RUSTC=${MSRV_RUSTC:-/usr/bin/rustc}
MSRV_RUSTDOC=${MSRV_RUSTDOC:-/usr/bin/rustdoc}
if [ -z "${CARGO:-}" ]; then  # the machine's (rustup's) cargo, even when ~/.cargo/bin is not on PATH
  CARGO=$(command -v cargo || true)
  if { [ -z "$CARGO" ] || [ "$CARGO" = "$MSRV_CARGO" ]; } && [ -x "$HOME/.cargo/bin/cargo" ]; then
    CARGO=$HOME/.cargo/bin/cargo
  fi
fi
if [ -z "$CARGO" ]; then
  echo "test.sh: no cargo (install rustup's, or Debian's: apt-get install cargo)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

WORK=$(mktemp -d)
FAKE_PID="" EMU_PID=""
. scripts/servers.sh
cleanup() {
  stop_server "$FAKE_PID"
  stop_server "$EMU_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server FAKE "$WORK/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || exit 2
# The hooks of tests/common/mod.rs: UUID:OUTCOME:PHASE_SECONDS.
start_server EMU "$WORK/emulator.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --builds-per-minute 1000 --log-page-size 2 \
  --hook 5a7e0001-2b4f-4c6a-9e8d-0f1a2b3c4d5e:success:0.2 \
  --hook 5a7e0002-2b4f-4c6a-9e8d-0f1a2b3c4d5e:fail:0.2 \
  --hook 5a7e0003-2b4f-4c6a-9e8d-0f1a2b3c4d5e:success:30 \
  --hook 5a7e0004-2b4f-4c6a-9e8d-0f1a2b3c4d5e:success:0.2 \
  --hook 00000000-0000-4000-8000-000000000000:success:0.2 \
  --hook 00000000-0000-4000-8000-0000000000fa:fail:0.2 || exit 2
export DEPLOYHOOK_TEST_API_URL=$FAKE_BASE DEPLOYHOOK_TEST_EMULATOR_URL=$EMU_BASE

passed=0 failed=0
# cargo_tests LABEL LOG COMMAND...: runs a cargo test command; adds up its "test result:" lines. A run that
# fails without a failed test (a build error, valgrind's exit status) counts as one failure.
cargo_tests() {
  local label=$1 log=$2 status p=0 f=0
  shift 2
  echo "== $label"
  "$@" >"$log" 2>&1
  status=$?
  while read -r a b; do p=$((p + a)); f=$((f + b)); done < <(
    sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$log")
  grep -E '^(test .* FAILED|error(\[|:)|warning: unused)' "$log" | head -40
  grep -A4 -E "panicked at" "$log" | head -80
  [ "$status" -eq 0 ] || [ "$f" -gt 0 ] || { f=1; tail -n 30 "$log"; }
  echo "   $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
}

# check LABEL COMMAND...: one check.
check() {
  local label=$1
  shift
  if "$@"; then echo "ok   $label"; passed=$((passed + 1)); else echo "FAIL $label"; failed=$((failed + 1)); fi
}

# 1. The machine's toolchain.
cargo_tests "cargo test ($("$CARGO" --version))" "$WORK/test.log" \
  "$CARGO" test --no-fail-fast --manifest-path "$CRATE/Cargo.toml"

# 2. Debian's rustc 1.63, in a target directory of its own.
if [ -x "$MSRV_CARGO" ] && [ -x "$MSRV_RUSTC" ]; then
  cargo_tests "cargo test with $("$MSRV_RUSTC" --version) (rust-version)" "$WORK/msrv.log" \
    env RUSTC="$MSRV_RUSTC" RUSTDOC="$MSRV_RUSTDOC" CARGO_TARGET_DIR="$CRATE/target/msrv" "$MSRV_CARGO" test --no-fail-fast --manifest-path "$CRATE/Cargo.toml"
else
  check "Debian's rustc 1.63 at $MSRV_RUSTC (apt-get install rustc cargo)" false
fi

# 3. Valgrind: cargo runs every test binary through it (one test at a time: deadlines get 300 ms of slack).
if [ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]; then
  host=$("${RUSTC:-rustc}" -vV 2>/dev/null | sed -n 's/^host: //p')
  [ -n "$host" ] || host=x86_64-unknown-linux-gnu
  runner_var="CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUNNER"
  mkdir -p "$WORK/vg"
  cargo_tests "cargo test --tests under valgrind" "$WORK/valgrind.log" \
    env "$runner_var=valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --log-file=$WORK/vg/%p.log" \
    DEPLOYHOOK_TEST_SLACK_MS=300 "$CARGO" test --no-fail-fast --manifest-path "$CRATE/Cargo.toml" --tests -- --test-threads=1
  grep -h -E "definitely lost|ERROR SUMMARY" "$WORK"/vg/*.log | sed 's/^==[0-9]*== /   /' | sort | uniq -c
  vg_clean() { ! grep -l -E "ERROR SUMMARY: [1-9]|definitely lost: [1-9]" "$WORK"/vg/*.log; }
  check "valgrind: no memory error, no definite leak in any test binary" vg_clean
  # The canary: a result leaked on purpose must be reported, or the step above proves nothing.
  rm -f "$WORK"/vg/*.log
  env "$runner_var=valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --log-file=$WORK/vg/%p.log" \
    DEPLOYHOOK_TEST_CANARY_LEAK=1 "$CARGO" test --manifest-path "$CRATE/Cargo.toml" --test fake canary_leak \
    >"$WORK/canary.log" 2>&1
  check "valgrind: the canary's leaked result is reported" grep -q -E "definitely lost: [1-9]" "$WORK"/vg/*.log
fi

# 4. The example, as examples/python/trigger.py behaves.
EXAMPLE="$CRATE/target/debug/examples/trigger"
example() {  # example EXPECTED_STATUS OUTPUT_PATTERN ENV... -- ARGS...
  local expected=$1 pattern=$2 status
  shift 2
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  env "${env[@]}" "$EXAMPLE" "$@" >"$WORK/example.out" 2>&1
  status=$?
  if [ "$status" -ne "$expected" ] || ! grep -qE "$pattern" "$WORK/example.out"; then
    echo "   exit $status (want $expected), output:"; sed 's/^/   | /' "$WORK/example.out"
    return 1
  fi
}
echo "== examples/trigger.rs"
if "$CARGO" build --quiet --manifest-path "$CRATE/Cargo.toml" --example trigger; then
  OK=11111111-1111-4111-8111-111111111111
  check "trigger: a queued build, exit 0" example 0 "^build 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e: queued$" \
    CLOUDFLARE_BASE_URL="$FAKE_BASE" CLOUDFLARE_DEPLOY_HOOK=$OK --
  check "trigger: the hook as the argument, cf-ray printed" example 0 "^cf-ray [0-9a-f]{16}-SJC$" \
    CLOUDFLARE_BASE_URL="$FAKE_BASE" -- $OK
  check "trigger: already pending" example 0 "already pending" \
    CLOUDFLARE_BASE_URL="$FAKE_BASE" -- 33333333-3333-4333-8333-333333333333
  check "trigger: no such hook, exit 2, no hook in the message" example 2 "^trigger: .*\[cf-ray " \
    CLOUDFLARE_BASE_URL="$FAKE_BASE" -- 12345678-1234-4234-8234-123456789abc
  check "trigger: rate limited, exit 3" example 3 "Rate limit" \
    CLOUDFLARE_BASE_URL="$FAKE_BASE" -- 55555555-5555-4555-8555-555555555555
  check "trigger: bad hook, exit 1" example 1 "^trigger: .*not a UUID" CLOUDFLARE_BASE_URL="$FAKE_BASE" -- nope
  check "trigger: no hook at all, exit 1" example 1 "no hook" --
  check "trigger: usage, exit 1" example 1 "^usage: " -- --bogus
  check "trigger: --help, exit 0" example 0 "^Usage: trigger" -- --help
  check "trigger --wait without a token, exit 1, nothing sent" example 1 "API token" \
    CLOUDFLARE_BASE_URL="$EMU_BASE" -- --wait 00000000-0000-4000-8000-000000000000
  check "trigger --wait --logs: statuses, log lines, success, exit 0" example 0 "^\| Success: deployed$" \
    CLOUDFLARE_BASE_URL="$EMU_BASE" CLOUDFLARE_API_TOKEN=emulator-token \
    CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef -- --logs 00000000-0000-4000-8000-000000000000
  grep -q "^status queued$" "$WORK/example.out" && grep -q "^status stopped$" "$WORK/example.out" && grep -q "^build .*: stopped, success$" "$WORK/example.out" &&
    grep -q "^preview https://" "$WORK/example.out"
  check "trigger --logs: status lines, final build and preview printed" test $? -eq 0
  check "trigger --wait: a failed build, exit 20" example 20 "^build .*: stopped, fail$" \
    CLOUDFLARE_BASE_URL="$EMU_BASE" CLOUDFLARE_API_TOKEN=emulator-token \
    CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef -- --wait 00000000-0000-4000-8000-0000000000fa
else
  check "the example builds" false
fi

# 5. build.rs's other ways to the library (each in a target directory of its own, then run).
echo "== build.rs"
linked_by() {  # linked_by DIR ENV...: builds the example with ENV, runs it
  local dir=$1
  shift
  env "$@" CARGO_TARGET_DIR="$WORK/$dir" "$CARGO" build --quiet --manifest-path "$CRATE/Cargo.toml" --example trigger &&
    "$WORK/$dir/debug/examples/trigger" --help >/dev/null
}
mkdir -p "$WORK/lib"  # a library elsewhere, under its link name and SONAME
cp "$ROOT/.build/release/libdeployhook.so" "$WORK/lib/" && ln -sf libdeployhook.so "$WORK/lib/libdeployhook.so.0"
libdir_used() {
  linked_by libdir DEPLOYHOOK_LIB_DIR="$WORK/lib" &&
    ldd "$WORK/libdir/debug/examples/trigger" | grep -q "libdeployhook.so.0 => $WORK/lib/"
}
check "build.rs: DEPLOYHOOK_LIB_DIR wins, with its rpath" libdir_used
check "build.rs: no pkg-config: the checkout's packaging/build-tree/lib" linked_by nopc PKG_CONFIG=/nonexistent/pkg-config

[ "$failed" -eq 0 ] || { echo "--- fake output ---"; tail -n 20 "$WORK/fake.log"; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
