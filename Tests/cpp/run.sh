#!/usr/bin/env bash
# The C++ wrapper's suite (include/deployhook.hpp), from the repository root, after `swift build -c release`:
#   bash Tests/cpp/run.sh
# Starts the test fake and the Workers Builds API emulator (scripts/servers.sh), builds
# Tests/cpp/test_deployhook.cpp with -std=c++17 -Wall -Wextra -Werror -pedantic by g++ and by clang++, and runs:
#   1. the g++ build and the clang++ build against both servers;
#   2. the g++ build under valgrind (no definite leak, no error), and its leak canary (which valgrind must report);
#   3. a clang++ -fsanitize=address,undefined build (ASan + LeakSanitizer + UBSan), and its leak canary
#      (which LeakSanitizer must report).
# Environment: CXX_GNU (default g++), CXX_CLANG (default clang++ on PATH, else /opt/swift/usr/bin/clang++),
# LIBDIR (default packaging/build-tree/lib), DEPLOYHOOK_NO_VALGRIND=1 to skip step 2.
# The last line sums every run's "N passed, N failed"; a run that fails without a failed check (a build
# error, a sanitizer or valgrind report, a crash) counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
export PYTHONDONTWRITEBYTECODE=1
unset CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_BASE_URL

LIBDIR=${LIBDIR:-packaging/build-tree/lib}
if [[ ! -f "$LIBDIR/libdeployhook.so" ]]; then
  echo "run.sh: $LIBDIR/libdeployhook.so not found (swift build -c release, or set LIBDIR)" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
LIBDIR=$(cd "$LIBDIR" && pwd)
CXX_GNU=${CXX_GNU:-g++}
CXX_CLANG=${CXX_CLANG:-$(command -v clang++ || echo /opt/swift/usr/bin/clang++)}
FLAGS=(-std=c++17 -Wall -Wextra -Werror -pedantic -g -O1 -I include)
LINK=(-L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread)
SRC=Tests/cpp/test_deployhook.cpp

WORK=$(mktemp -d)
FAKE_PID="" EMU_PID=""
. scripts/servers.sh
cleanup() {
  stop_server "$FAKE_PID"
  stop_server "$EMU_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

# Fresh servers for each run, so that every run meets the same state (cancel_running, ...).
start_servers() {
  stop_server "$FAKE_PID"
  stop_server "$EMU_PID"
  FAKE_PID="" EMU_PID=""
  start_server FAKE "$WORK/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || exit 2
  start_server EMU "$WORK/emulator.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
    --builds-per-minute 1000 --log-page-size 2 \
    --hook 5a7e0001-2b4f-4c6a-9e8d-0f1a2b3c4d5e:success:0.2 \
    --hook 5a7e0002-2b4f-4c6a-9e8d-0f1a2b3c4d5e:fail:0.2 \
    --hook 5a7e0003-2b4f-4c6a-9e8d-0f1a2b3c4d5e:success:30 || exit 2
}

passed=0 failed=0
# tally LABEL OUTPUT STATUS: adds a run's "N passed, N failed".
tally() {
  local label=$1 out=$2 status=$3 last p=0 f=1
  last=$(tail -n 1 "$out" 2>/dev/null)
  if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
    [[ $status -ne 0 && $f -eq 0 ]] && f=1
  fi
  echo "   $label: $p passed, $f failed (exit $status)"
  passed=$((passed + p)) failed=$((failed + f))
}
# check LABEL COMMAND...: one check.
check() {
  local label=$1
  shift
  if "$@"; then echo "ok   $label"; passed=$((passed + 1)); else echo "FAIL $label"; failed=$((failed + 1)); fi
}

build() {  # build COMPILER OUTPUT EXTRA_FLAGS...
  local compiler=$1 out=$2
  shift 2
  "$compiler" "${FLAGS[@]}" "$@" -o "$out" "$SRC" "${LINK[@]}"
}

echo "== compiling with $("$CXX_GNU" --version | head -n 1) and $("$CXX_CLANG" --version | head -n 1)"
check "g++ builds it (-std=c++17 -Wall -Wextra -Werror -pedantic)" build "$CXX_GNU" "$WORK/test_gnu"
check "clang++ builds it (-std=c++17 -Wall -Wextra -Werror -pedantic)" build "$CXX_CLANG" "$WORK/test_clang"
LLD=()  # lld when clang has it: gold warns about every ASan symbol it cannot export
echo 'int main() { return 0; }' | "$CXX_CLANG" -x c++ -fuse-ld=lld -o "$WORK/lld-probe" - 2>/dev/null && LLD=(-fuse-ld=lld)
check "clang++ builds it with ASan and UBSan" build "$CXX_CLANG" "$WORK/test_asan" "${LLD[@]}" \
  -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# The header alone, included twice, in a translation unit of its own.
printf '#include "deployhook.hpp"\n#include "deployhook.hpp"\nint main() { return deployhook::version().empty(); }\n' \
  >"$WORK/alone.cpp"
check "the header stands alone (g++ and clang++)" bash -c "
  '$CXX_GNU' ${FLAGS[*]} -o '$WORK/alone' '$WORK/alone.cpp' ${LINK[*]} &&
  '$CXX_CLANG' ${FLAGS[*]} -o '$WORK/alone' '$WORK/alone.cpp' ${LINK[*]}"

run() {  # run LABEL COMMAND...
  local label=$1 status
  shift
  echo "== $label"
  start_servers
  "$@" "$FAKE_BASE" "$EMU_BASE" >"$WORK/run.out" 2>"$WORK/run.err"
  status=$?
  grep -v '^ok  ' "$WORK/run.out" | head -n -1
  cat "$WORK/run.err" | head -n 60
  tally "$label" "$WORK/run.out" "$status"
}

[[ -x "$WORK/test_gnu" ]] && run "g++ build against the fake and the emulator" "$WORK/test_gnu"
[[ -x "$WORK/test_clang" ]] && run "clang++ build against the fake and the emulator" "$WORK/test_clang"

VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99)
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 && -x "$WORK/test_gnu" ]]; then
  DEPLOYHOOK_TEST_SLACK_MS=300 run "g++ build under valgrind" "${VALGRIND[@]}" --log-file="$WORK/vg.log" "$WORK/test_gnu"
  grep -E "definitely lost|ERROR SUMMARY" "$WORK/vg.log" | sed 's/^==[0-9]*== /   /'
  "${VALGRIND[@]}" --log-file="$WORK/vg-canary.log" "$WORK/test_gnu" --canary-leak >/dev/null 2>&1
  check "valgrind reports the canary's leaked result" grep -q -E "definitely lost: [1-9]" "$WORK/vg-canary.log"
fi

if [[ -x "$WORK/test_asan" ]]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
  DEPLOYHOOK_TEST_SLACK_MS=100 run "clang++ ASan + UBSan build" "$WORK/test_asan"
  "$WORK/test_asan" --canary-leak >/dev/null 2>"$WORK/lsan-canary.log"
  check "LeakSanitizer reports the canary's leaked result" grep -q "ERROR: LeakSanitizer: detected memory leaks" \
    "$WORK/lsan-canary.log"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
