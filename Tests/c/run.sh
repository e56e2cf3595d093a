#!/usr/bin/env bash
# Builds and runs the C ABI test against the fake Cloudflare API, then runs it
# again under valgrind; then does the same with the build-following test
# (test_wait.c) against the Workers Builds API emulator, freshly started for
# each run. Run from the repository root:
#   bash Tests/c/run.sh
# Environment: CC (default cc), LIBDIR (default .build/release, holds
# libdeployhook.so), DEPLOYHOOK_NO_VALGRIND=1 to skip the valgrind runs.
# The last line sums every run's "N passed, N failed" line; a run that ends
# without one, or fails with 0 failed checks (e.g. valgrind errors), counts
# as one failed check.
set -euo pipefail

LIBDIR="${LIBDIR:-.build/release}"
if [[ ! -f "$LIBDIR/libdeployhook.so" ]]; then
    echo "run.sh: $LIBDIR/libdeployhook.so not found (build it, or set LIBDIR)" >&2
    exit 2
fi
LIBDIR="$(cd "$LIBDIR" && pwd)"  # absolute, for the rpath
BIN=Tests/c/test_deployhook
WORK="$(mktemp -d)"
WAIT_BIN="$WORK/test_wait"
FAKE_PID=""
EMU_PID=""

stop_emulator() {
    if [[ -n "$EMU_PID" ]]; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
        EMU_PID=""
    fi
}

cleanup() {
    if [[ -n "$FAKE_PID" ]]; then
        kill "$FAKE_PID" 2>/dev/null || true
        wait "$FAKE_PID" 2>/dev/null || true
    fi
    stop_emulator
    rm -rf "$WORK"
}
trap cleanup EXIT

# Start the fake on an ephemeral port; its first stdout line is "PORT <n>". The output file exists before
# the server does: under set -e, awk failing to open it would end the script.
: >"$WORK/fake.out"
python3 Tests/fake_api/fake_cloudflare.py --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
PORT=""
for _ in $(seq 100); do
    PORT="$(awk '/^PORT /{print $2; exit}' "$WORK/fake.out")"
    [[ -n "$PORT" ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || break
    sleep 0.05
done
if [[ -z "$PORT" ]]; then
    echo "run.sh: the fake did not start" >&2
    cat "$WORK/fake.err" >&2
    exit 2
fi
BASE="http://127.0.0.1:$PORT/client/v4"

# shellcheck disable=SC2086  # CC may hold flags
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$BIN" Tests/c/test_deployhook.c \
    -L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread
# shellcheck disable=SC2086
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$WAIT_BIN" Tests/c/test_wait.c \
    -L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread
STRESS_BIN="$WORK/stress_threads"
# shellcheck disable=SC2086
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$STRESS_BIN" Tests/c/stress_threads.c \
    -L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread

# Sums of every run's checks, from each run's final "N passed, N failed" line.
TOTAL_PASSED=0
TOTAL_FAILED=0
ANY_FAILED=0
tally() {  # tally OUTPUT_FILE EXIT_STATUS
    local last passed=0 failed=1
    last="$(tail -n 1 "$1" 2>/dev/null || true)"
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=${BASH_REMATCH[1]}
        failed=${BASH_REMATCH[2]}
        [[ $2 -ne 0 && $failed -eq 0 ]] && failed=1
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    [[ $2 -eq 0 ]] || ANY_FAILED=1
}

# Under valgrind: print the test's output with the leak summary (and the whole
# log on valgrind errors), but not its final line. Sets VG to the exit status.
VG=0
run_valgrind() {  # run_valgrind NAME BIN ARGS...
    VG=0
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        --log-file="$WORK/$1.vg.log" "$2" "${@:3}" >"$WORK/$1.vg.out" || VG=$?
    head -n -1 "$WORK/$1.vg.out"
    grep -E "definitely lost|no leaks are possible|ERROR SUMMARY" "$WORK/$1.vg.log" | sed 's/^==[0-9]*== //'
    if [[ $VG -eq 99 ]]; then
        echo "--- valgrind log ---"
        cat "$WORK/$1.vg.log"
    fi
    tally "$WORK/$1.vg.out" "$VG"
}

# Prints a server's stderr (it should have none) when a run failed.
server_stderr() {  # server_stderr LABEL FILE
    if [[ -s "$2" ]]; then
        echo "--- $1 stderr ---"
        cat "$2"
    fi
}

# ---- test_deployhook.c against the fake ----
echo "== C ABI test: $BASE"
plain=0
"$BIN" "$BASE" | tee "$WORK/plain.out" || plain=$?
tally "$WORK/plain.out" "$plain"
vg=0
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    echo "== C ABI test under valgrind"
    run_valgrind fake "$BIN" "$BASE"
    vg=$VG
fi
[[ $plain -eq 0 && $vg -eq 0 ]] || server_stderr fake "$WORK/fake.err"
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    tail -n 1 "$WORK/fake.vg.out"
fi

# ---- 1,000 triggers under valgrind (stress_threads.c, 4 threads x 250, every result checked and freed) ----
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    echo "== 1,000 triggers under valgrind (4 threads x 250)"
    run_valgrind stress "$STRESS_BIN" "$BASE" 4 250
    [[ $VG -eq 0 ]] || server_stderr fake "$WORK/fake.err"
    tail -n 1 "$WORK/stress.vg.out"
fi

# ---- test_wait.c against the emulator ----
"$WAIT_BIN" --emulator-config >"$WORK/emulator.json"  # its hooks, token and account

# Starts a fresh emulator on an ephemeral port (its first stdout line is
# "PORT <n>"); sets EMU_BASE. $1 names its output files.
start_emulator() {
    local port=""
    : >"$WORK/$1.out"  # before awk reads it (see the fake's start)
    PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 --config "$WORK/emulator.json" \
        --builds-per-minute 1000 --log-page-size 2 >"$WORK/$1.out" 2>"$WORK/$1.err" &
    EMU_PID=$!
    for _ in $(seq 100); do
        port="$(awk '/^PORT /{print $2; exit}' "$WORK/$1.out")"
        [[ -n "$port" ]] && break
        kill -0 "$EMU_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [[ -z "$port" ]]; then
        echo "run.sh: the emulator did not start" >&2
        cat "$WORK/$1.err" >&2
        exit 2
    fi
    EMU_BASE="http://127.0.0.1:$port/client/v4"
}

start_emulator emulator
echo "== C ABI wait test: $EMU_BASE"
wplain=0
"$WAIT_BIN" "$EMU_BASE" | tee "$WORK/wait.out" || wplain=$?
tally "$WORK/wait.out" "$wplain"
stop_emulator
[[ $wplain -eq 0 ]] || server_stderr emulator "$WORK/emulator.err"
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    start_emulator emulator-vg
    echo "== C ABI wait test under valgrind"
    run_valgrind wait "$WAIT_BIN" "$EMU_BASE"
    stop_emulator
    [[ $VG -eq 0 ]] || server_stderr emulator "$WORK/emulator-vg.err"
    tail -n 1 "$WORK/wait.vg.out"
fi

echo "== all runs"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED -eq 0 && $ANY_FAILED -eq 0 ]]
