#!/usr/bin/env bash
# Build everything and run every suite: the C ABI checks, Swift, C (with valgrind), Python, the CLI,
# the sanitizer runs, the fuzzers and the secrets sweep.
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

# check NAME COMMAND...: one pass/fail check.
check() {
  local name=$1; shift
  if "$@"; then count "$name" 1 0; else count "$name" 0 1; fi
}

echo "== building (swift build -c release)"
swift build -c release || { echo "0 passed, 1 failed"; exit 1; }

check "header is generated from the sources" make --no-print-directory check-header
check "header and exports agree" scripts/check_abi.sh .build/release/libdeployhook.so
check "C example builds" make --no-print-directory example
install_root=$(mktemp -d)
check "make install lays out bin, lib, include" bash -c "make --no-print-directory install PREFIX='$install_root' >/dev/null &&
  '$install_root/bin/deployhook' --version && test -f '$install_root/lib/libdeployhook.so' -a -f '$install_root/include/deployhook.h'"
rm -rf "$install_root"

# One fake API for the Swift and Python suites (the C runner starts its own).
fake_out=$(mktemp)
python3 Tests/fake_api/fake_cloudflare.py --port 0 >"$fake_out" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; rm -f "$fake_out"' EXIT
for _ in $(seq 50); do grep -q '^PORT ' "$fake_out" && break; sleep 0.1; done
export DEPLOYHOOK_TEST_API_URL="http://127.0.0.1:$(awk '/^PORT /{print $2; exit}' "$fake_out")/client/v4"

check "dist tarball is relocatable and pkg-config builds the C example" scripts/check_dist.sh "$DEPLOYHOOK_TEST_API_URL"

echo "== Swift tests (swift test)"
rm -f build/swift-tests*.xml
swift test --parallel --xunit-output build/swift-tests.xml
swift_status=$?
read -r s_pass s_fail < <(python3 scripts/junit_counts.py build/swift-tests-swift-testing.xml)
[ "$swift_status" -eq 0 ] || [ "$s_fail" -gt 0 ] || s_fail=1
count "Swift tests" "$s_pass" "$s_fail"

echo "== C tests (Tests/c/run.sh, valgrind)"
c_log=build/c-tests.log
bash Tests/c/run.sh 2>&1 | tee "$c_log"
c_status=${PIPESTATUS[0]}
read -r c_pass c_fail < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$c_log" | tail -1 | awk '{print $1, $3}')
[ "$c_status" -eq 0 ] || [ "${c_fail:-0}" -gt 0 ] || c_fail=1
count "C tests" "${c_pass:-0}" "${c_fail:-1}"

if [ -d bindings/python/tests ]; then
  echo "== Python tests (pytest)"
  PYTHONPATH=bindings/python python3 -m pytest -q -p no:cacheprovider --junitxml=build/python-tests.xml bindings/python/tests
  py_status=$?
  read -r p_pass p_fail < <(python3 scripts/junit_counts.py build/python-tests.xml)
  [ "$py_status" -eq 0 ] || [ "$p_fail" -gt 0 ] || p_fail=1
  count "Python tests" "$p_pass" "$p_fail"
fi

echo "== CLI tests (pytest, real processes)"
python3 -m pytest -q -p no:cacheprovider --junitxml=build/cli-tests.xml Tests/cli
cli_status=$?
read -r l_pass l_fail < <(python3 scripts/junit_counts.py build/cli-tests.xml)
[ "$cli_status" -eq 0 ] || [ "$l_fail" -gt 0 ] || l_fail=1
count "CLI tests" "$l_pass" "$l_fail"

echo "== Sanitizers (ASan + LeakSanitizer, ThreadSanitizer stress of 16 threads x 200 triggers)"
san_log=build/sanitize.log
bash scripts/sanitize.sh 2>&1 | tee "$san_log" | grep -E '^(ok|FAIL|==)'
san_status=${PIPESTATUS[0]}
read -r z_pass z_fail < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$san_log" | tail -1 | awk '{print $1, $3}')
[ "$san_status" -eq 0 ] || [ "${z_fail:-0}" -gt 0 ] || z_fail=1
count "Sanitizer runs" "${z_pass:-0}" "${z_fail:-1}"

echo "== Fuzzing (libFuzzer, ${FUZZ_SECONDS:-60} s a target)"
fuzz_log=build/fuzz.log
bash scripts/fuzz.sh 2>&1 | tee "$fuzz_log" | grep -E '^(PASS|FAIL|==|  )'
fuzz_status=${PIPESTATUS[0]}
read -r f_pass f_fail < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$fuzz_log" | tail -1 | awk '{print $1, $3}')
[ "$fuzz_status" -eq 0 ] || [ "${f_fail:-0}" -gt 0 ] || f_fail=1
count "Fuzz targets" "${f_pass:-0}" "${f_fail:-1}"

echo "== Secrets sweep (every entry point, every error path)"
python3 -m pytest -q -p no:cacheprovider --junitxml=build/secrets-tests.xml Tests/secrets
secrets_status=$?
read -r x_pass x_fail < <(python3 scripts/junit_counts.py build/secrets-tests.xml)
[ "$secrets_status" -eq 0 ] || [ "$x_fail" -gt 0 ] || x_fail=1
count "Secrets sweep" "$x_pass" "$x_fail"

[ ${#broken[@]} -eq 0 ] || echo "FAILED: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
