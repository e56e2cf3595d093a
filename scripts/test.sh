#!/usr/bin/env bash
# Build everything and run every suite: the C ABI checks, Swift, C (with valgrind), Python, the wheel,
# the CLI, the sanitizer runs, the fuzzers, the secrets sweep and a smoke run of the benchmark harness.
# Each suite runs even when an earlier one failed; the last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
mkdir -p build
passed=0 failed=0 broken=()

# count SUITE PASSED FAILED: add a suite's figures to the totals.
count() {
  passed=$((passed + $2)); failed=$((failed + $3))
  [ "$3" -eq 0 ] || broken+=("$1")
  printf '== %s: %d passed, %d failed\n' "$1" "$2" "$3"
}

# junit_suite NAME REPORT COMMAND...: runs a suite that writes a JUnit report; counts its test cases
# (a failing exit with no failed case counts as one failure).
junit_suite() {
  local name=$1 report=$2 status pass fail
  shift 2
  "$@"
  status=$?
  read -r pass fail < <(python3 scripts/junit_counts.py "$report")
  [ "$status" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
  count "$name" "$pass" "$fail"
}

# summary_suite NAME LOG FILTER COMMAND...: runs a suite whose last "N passed, N failed" line counts;
# shows the lines of its output that FILTER (an extended regex; '' for all) picks.
summary_suite() {
  local name=$1 log=$2 filter=$3 status pass fail
  shift 3
  "$@" 2>&1 | tee "$log" | grep -E "$filter"
  status=${PIPESTATUS[0]}
  read -r pass fail < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | awk '{print $1, $3}')
  [ "$status" -eq 0 ] || [ "${fail:-0}" -gt 0 ] || fail=1
  count "$name" "${pass:-0}" "${fail:-1}"
}

# check NAME COMMAND...: one pass/fail check.
check() {
  local name=$1; shift
  if "$@"; then count "$name" 1 0; else count "$name" 0 1; fi
}

echo "== building (swift build -c release)"
swift build -c release || { echo "0 passed, 1 failed"; exit 1; }

check "header is generated from the sources" make --no-print-directory check-header
check "header and exports agree" scripts/check_abi.sh .build/release/libdeployhook.so
check "every place agrees with VERSION" make --no-print-directory check-version
check "the JSON description matches the exports and both declaration files" \
  python3 scripts/check_abi_description.py .build/release/libdeployhook.so
check "LuaJIT loads include/deployhook.cdef unmodified" luajit Tests/ffi/load.lua .build/release/libdeployhook.so
check "cffi (ABI mode) loads include/deployhook.cdef unmodified" python3 Tests/ffi/load_cffi.py .build/release/libdeployhook.so
check "Ruby Fiddle loads include/deployhook.cdef unmodified" ruby Tests/ffi/load_fiddle.rb .build/release/libdeployhook.so
check "C example builds" make --no-print-directory example
check "make install/uninstall and pkg-config for the build tree" scripts/check_install.sh

# One fake API for the Swift and Python suites (the C runner starts its own).
. scripts/servers.sh
fake_out=$(mktemp)
trap 'stop_server "${FAKE_PID:-}"; rm -f "$fake_out"' EXIT
start_server FAKE "$fake_out" python3 Tests/fake_api/fake_cloudflare.py --port 0 || { echo "0 passed, 1 failed"; exit 1; }
export DEPLOYHOOK_TEST_API_URL=$FAKE_BASE

check "dist tarball is relocatable and pkg-config builds the C example" scripts/check_dist.sh "$DEPLOYHOOK_TEST_API_URL"

echo "== Swift tests (swift test)"
rm -f build/swift-tests*.xml
junit_suite "Swift tests" build/swift-tests-swift-testing.xml swift test --parallel --xunit-output build/swift-tests.xml

echo "== C tests (Tests/c/run.sh, valgrind)"
summary_suite "C tests" build/c-tests.log '' bash Tests/c/run.sh

echo "== Python tests (pytest)"
junit_suite "Python tests" build/python-tests.xml env PYTHONPATH=bindings/python \
  python3 -m pytest -q -p no:cacheprovider --junitxml=build/python-tests.xml bindings/python/tests

echo "== Schema and fake (every emulator answer against Cloudflare's schema; the fake's build endpoints)"
junit_suite "Schema and fake tests" build/schema-tests.xml \
  python3 -m pytest -q -p no:cacheprovider --junitxml=build/schema-tests.xml Tests/schema Tests/fake_api

echo "== Python wheel (built, installed into a fresh venv, run with the Swift toolchain hidden)"
summary_suite "Python wheel" build/wheel.log '' bash Tests/wheel/run.sh "$DEPLOYHOOK_TEST_API_URL"

echo "== CLI tests (pytest, real processes)"
junit_suite "CLI tests" build/cli-tests.xml python3 -m pytest -q -p no:cacheprovider --junitxml=build/cli-tests.xml Tests/cli

echo "== Go binding (go vet, go test -race with cgocheck=2, memory, the example)"
summary_suite "Go binding" build/go-tests.log '' bash bindings/go/test.sh

echo "== Ruby binding (minitest, Fiddle)"
summary_suite "Ruby binding" build/ruby-tests.log '' bash bindings/ruby/test.sh

echo "== Java binding (JUnit 5, JNA)"
summary_suite "Java binding" build/java-tests.log '\[X\]|^==|^[0-9]+ passed' bash bindings/java/test.sh

echo "== LuaJIT example (include/deployhook.cdef in ffi.cdef, against the emulator)"
summary_suite "LuaJIT example" build/luajit-example.log '' bash examples/luajit/test.sh

echo "== Node.js binding (node --test against the fake and the emulator)"
summary_suite "Node.js binding" build/node-tests.log '^(✔|✖|﹣|  [A-Za-z]*Error|node tests:|[0-9]+ passed)' bash bindings/node/test.sh

echo "== Rust binding (cargo test with the machine's toolchain and Debian's rustc 1.63, valgrind, the example)"
summary_suite "Rust binding" build/rust-tests.log '' bash bindings/rust/test.sh

echo "== C++ wrapper (g++ and clang++ -Werror, valgrind, ASan + UBSan)"
summary_suite "C++ wrapper" build/cpp-tests.log '' bash Tests/cpp/run.sh

echo "== Sanitizers (ASan + LeakSanitizer, ThreadSanitizer stress of 16 threads x 200 triggers)"
summary_suite "Sanitizer runs" build/sanitize.log '^(ok|FAIL|==)' bash scripts/sanitize.sh

echo "== Fuzzing (libFuzzer, ${FUZZ_SECONDS:-60} s a target)"
summary_suite "Fuzz targets" build/fuzz.log '^(PASS|FAIL|==|  )' bash scripts/fuzz.sh

echo "== Secrets sweep (every entry point, every error path)"
junit_suite "Secrets sweep" build/secrets-tests.xml \
  python3 -m pytest -q -p no:cacheprovider --junitxml=build/secrets-tests.xml Tests/secrets

echo "== Benchmark harness (a quick run of benchmarks 1, 3 and 4: it must work; its numbers are not judged)"
check "benchmark harness runs" bash -c "python3 benchmarks/run.py --quick --only 1,3,4 --output build/benchmark-smoke.md \
  >build/benchmark-smoke.log 2>&1 || { tail -n 30 build/benchmark-smoke.log; false; }"

[ ${#broken[@]} -eq 0 ] || echo "FAILED: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
