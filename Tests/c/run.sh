#!/usr/bin/env bash
# Builds and runs the C ABI test against the fake Cloudflare API, then runs it
# again under valgrind; then does the same with the build-following test
# (test_wait.c) against the Workers Builds API emulator, freshly started for
# each run. Run from the repository root:
#   bash Tests/c/run.sh
# Environment: CC (default cc), LIBDIR (default packaging/build-tree/lib: the
# release build's libdeployhook.so under its link name and SONAME), DEPLOYHOOK_NO_VALGRIND=1 to skip the valgrind runs.
# The hostile-server-and-host test (test_hostile.c) runs against the fake after
# the interrupt test, plainly and under valgrind.
# The last line sums every run's "N passed, N failed" line; a run that ends
# without one, or fails with 0 failed checks (e.g. valgrind errors), counts
# as one failed check.
set -euo pipefail

LIBDIR="${LIBDIR:-packaging/build-tree/lib}"  # links to .build/release/libdeployhook.so, SONAME included
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
. scripts/servers.sh

stop_emulator() {
    stop_server "$EMU_PID"
    EMU_PID=""
}

cleanup() {
    stop_server "$FAKE_PID"
    stop_emulator
    rm -rf "$WORK"
}
trap cleanup EXIT

start_server FAKE "$WORK/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || exit 2
BASE=$FAKE_BASE

# shellcheck disable=SC2086  # CC may hold flags
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$BIN" Tests/c/test_deployhook.c \
    -L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread
# shellcheck disable=SC2086
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$WAIT_BIN" Tests/c/test_wait.c \
    -L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread
INTERRUPT_BIN="$WORK/test_interrupt"
# shellcheck disable=SC2086
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$INTERRUPT_BIN" Tests/c/test_interrupt.c \
    -L "$LIBDIR" -ldeployhook -Wl,-rpath,"$LIBDIR" -pthread
HOSTILE_BIN="$WORK/test_hostile"
# shellcheck disable=SC2086
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -I include \
    -o "$HOSTILE_BIN" Tests/c/test_hostile.c \
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

# Prints a server's output when a run failed.
server_log() {  # server_log LABEL FILE
    echo "--- $1 output ---"
    cat "$2"
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
[[ $plain -eq 0 && $vg -eq 0 ]] || server_log fake "$WORK/fake.log"
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    tail -n 1 "$WORK/fake.vg.out"
fi

# ---- 1,000 triggers under valgrind (stress_threads.c, 4 threads x 250, every result checked and freed) ----
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    echo "== 1,000 triggers under valgrind (4 threads x 250)"
    run_valgrind stress "$STRESS_BIN" "$BASE" 4 250
    [[ $VG -eq 0 ]] || server_log fake "$WORK/fake.log"
    tail -n 1 "$WORK/stress.vg.out"
fi

# ---- test_interrupt.c: stopping calls (its own loopback server) ----
echo "== C interrupt test"
iplain=0
"$INTERRUPT_BIN" | tee "$WORK/interrupt.out" || iplain=$?
tally "$WORK/interrupt.out" "$iplain"
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    echo "== C interrupt test under valgrind (300 ms of slack a stop)"
    run_valgrind interrupt "$INTERRUPT_BIN" 300
    tail -n 1 "$WORK/interrupt.vg.out"
fi

# ---- test_hostile.c: a hostile server and host (the fake and a loopback server of its own) ----
# Under valgrind each time limit gets 900 ms more (measured: up to 0.85 s of valgrind's own delay on the
# first wait of a process; "at once" stays under the first 2 s poll gap).
HOSTILE_SLACK_MS=900
echo "== C hostile test: $BASE"
hplain=0
"$HOSTILE_BIN" "$BASE" | tee "$WORK/hostile.out" || hplain=$?
tally "$WORK/hostile.out" "$hplain"
[[ $hplain -eq 0 ]] || server_log fake "$WORK/fake.log"
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    echo "== C hostile test under valgrind ($HOSTILE_SLACK_MS ms of slack on each time limit)"
    run_valgrind hostile "$HOSTILE_BIN" "$BASE" "$HOSTILE_SLACK_MS"
    [[ $VG -eq 0 ]] || server_log fake "$WORK/fake.log"
    tail -n 1 "$WORK/hostile.vg.out"
fi

# ---- test_wait.c against the emulator ----
"$WAIT_BIN" --emulator-config >"$WORK/emulator.json"  # its hooks, token and account

# Starts a fresh emulator on an ephemeral port; sets EMU_PID and EMU_BASE. $1 names its log.
start_emulator() {
    start_server EMU "$WORK/$1.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
        --config "$WORK/emulator.json" --builds-per-minute 1000 --log-page-size 2 || exit 2
}

start_emulator emulator
echo "== C ABI wait test: $EMU_BASE"
wplain=0
"$WAIT_BIN" "$EMU_BASE" | tee "$WORK/wait.out" || wplain=$?
tally "$WORK/wait.out" "$wplain"
stop_emulator
[[ $wplain -eq 0 ]] || server_log emulator "$WORK/emulator.log"
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" != 1 ]]; then
    start_emulator emulator-vg
    echo "== C ABI wait test under valgrind"
    run_valgrind wait "$WAIT_BIN" "$EMU_BASE"
    stop_emulator
    [[ $VG -eq 0 ]] || server_log emulator "$WORK/emulator-vg.log"
    tail -n 1 "$WORK/wait.vg.out"
fi

echo "== all runs"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED -eq 0 && $ANY_FAILED -eq 0 ]]
