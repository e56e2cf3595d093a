#!/usr/bin/env bash
# Sanitizer runs of the C library (project issue 5):
#   AddressSanitizer + LeakSanitizer: Tests/c/test_deployhook.c (against the fake API),
#     Tests/c/test_wait.c (against the emulator), Tests/c/stress_threads.c (fake) and
#     Tests/c/test_hostile.c (fake; a hostile server and host, each group in a process of its own);
#   ThreadSanitizer: Tests/c/stress_threads.c (16 threads x 200 triggers), test_deployhook.c,
#     test_wait.c and test_hostile.c (all start threads of their own; test_hostile's setters group
#     runs 32 triggering threads while another calls every setter on their options) and
#     Tests/c/test_interrupt.c (its own loopback server; calls stopped from other threads and callbacks);
#   two canaries that must make the sanitizers report (a leaked result, a race on a result's
#     fields), proving each sanitizer sees into the library instead of passing vacuously.
# It builds its own instrumented libraries (debug, in .build-asan and .build-tsan; the release
# build is not touched). Run from anywhere:
#   scripts/sanitize.sh            # everything
#   scripts/sanitize.sh asan       # only the ASan runs (or: tsan)
# Environment: STRESS_THREADS (16), STRESS_TRIGGERS (200).
# Each run prints one summary line (sanitizer reports, checks, time); the last line is
# "N passed, N failed" over the runs. Exit status non-zero on any sanitizer report, failed
# check, crash or build failure. No suppressions are used: none are needed.
#
# How the libraries are built, and why:
# - ASan: `swift build --sanitize=address` works with Package.swift's flags as they are
#   (-static-stdlib, lld, the version script): the Swift code is instrumented and calls
#   __asan_* symbols left undefined in libdeployhook.so, which the ASan runtime linked into the
#   (clang -fsanitize=address) test program provides. So ASan checks the library linked as
#   shipped. The statically linked Swift runtime is not instrumented, but its malloc/free go
#   through ASan's allocator, so LeakSanitizer sees every allocation. Its one-time allocations
#   (metadata caches, ...) stay reachable from its globals: no leak suppressions were needed.
# - TSan: with -static-stdlib the Swift runtime's ThreadSanitizer hook (__tsan_on_initialize,
#   which turns on its annotations of swift_once and friends) is hidden: static-stdlib-args.lnk
#   links the runtime with --exclude-libs ALL (and the version script keeps only deployhook_*;
#   neither --export-dynamic-symbol nor a second version script can re-export it). TSan then
#   cannot see swift_once's synchronisation and reports a false race on every lazily
#   initialised global (first seen on curlGlobalInitResult, CurlTransport.swift:5, written in
#   its initialiser under swift_once and read by another thread). So the TSan build drops the
#   static stdlib from the command line (-Xswiftc -no-static-stdlib: the last of the two flags
#   wins), links the toolchain's shared runtime (whose __tsan_on_initialize is exported) with an
#   rpath to it, and satisfies Package.swift's -l_FoundationCollections -l_FoundationCShims
#   (static-only archives, inside libFoundationEssentials.so when linked dynamically) with empty
#   stub archives. Package.swift is unchanged; only the runtime's linkage differs.
# - What TSan can see (measured, Swift 6.3.1): Swift code's own loads and stores of trivial
#   values (globals, Int/Bool fields of class instances) are instrumented, but copies of structs
#   that hold references go through outlined value operations ($s...VWOc/VWOd) that IRGen emits
#   without the sanitize_thread attribute, and the Swift runtime is not instrumented. So a race
#   on an options object (OptionsBox.configuration, a struct copied in and out) goes unseen: the
#   stress can show the absence of races TSan sees, not of all races. The toolchain's TSan also
#   defaults to ignore_interceptors_accesses=1 and ignore_noninstrumented_modules=1 (memcpy,
#   strlen, ... are not checked); both are set explicitly below. Turned off, the stress gets 7
#   false reports, all on the Swift runtime's own lock-free metadata caches (swift::
#   MetadataCacheKey::operator==, swift_getWitnessTable, memory of its InitialAllocationPool)
#   whose publication by atomics TSan cannot see.
# - The canaries: --canary-leak drops a result (LSan must report it, with a frame in
#   Sources/DeployHookC); --canary-race makes the test write into a result while the library's
#   accessors read it (TSan must report the race, with a frame in Sources/DeployHookC).
# - The test programs are built with the toolchain's clang and lld. The toolchain's static TSan
#   runtime carries libdispatch interceptors, so TSan programs also link the toolchain's
#   libdispatch and libBlocksRuntime (as swiftc does). test_wait.c concatenates string literals
#   in an array initialiser on purpose ("\xaf" "code": a hex escape must not swallow the next
#   letters), which clang's -Wstring-concatenation flags: that warning alone is turned off.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export PYTHONDONTWRITEBYTECODE=1

WANT_ASAN=1 WANT_TSAN=1
if [[ $# -gt 0 ]]; then
    WANT_ASAN=0 WANT_TSAN=0
    for arg in "$@"; do
        case "$arg" in
            asan) WANT_ASAN=1 ;;
            tsan) WANT_TSAN=1 ;;
            *) echo "usage: $0 [asan] [tsan]" >&2; exit 2 ;;
        esac
    done
fi
STRESS_THREADS="${STRESS_THREADS:-16}"
STRESS_TRIGGERS="${STRESS_TRIGGERS:-200}"
HOSTILE_SLACK_MS=600  # test_hostile: extra milliseconds on each of its time limits (debug, instrumented)

# ---- the toolchain: swift's own clang, lld, symbolizer and runtime libraries ----
SWIFT_BIN="$(command -v swift)" || { echo "sanitize.sh: swift not found" >&2; exit 2; }
TOOLCHAIN_BIN="$(dirname "$(readlink -f "$SWIFT_BIN")")"
CLANG="$TOOLCHAIN_BIN/clang"
SYMBOLIZER="$TOOLCHAIN_BIN/llvm-symbolizer"
SWIFT_LIBDIR="$(cd "$TOOLCHAIN_BIN/../lib/swift/linux" && pwd)"
for tool in "$CLANG" "$TOOLCHAIN_BIN/ld.lld" "$SYMBOLIZER"; do
    [[ -x "$tool" ]] || { echo "sanitize.sh: $tool not found (a Swift toolchain for Linux has it)" >&2; exit 2; }
done
DEMANGLE=(cat)
"$SWIFT_BIN" demangle --simplified </dev/null >/dev/null 2>&1 && DEMANGLE=("$SWIFT_BIN" demangle --simplified)

ASAN_LIBDIR="$ROOT/.build-asan/debug"
TSAN_LIBDIR="$ROOT/.build-tsan/debug"
CFLAGS=(-std=c99 -Wall -Wextra -Werror -Wno-string-concatenation -pedantic -g -O1
        -fno-omit-frame-pointer -I include -fuse-ld=lld -pthread)
ASAN_OPTIONS_SET="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:exitcode=23:external_symbolizer_path=$SYMBOLIZER"
LSAN_OPTIONS_SET="report_objects=1"
TSAN_OPTIONS_SET="halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4:ignore_interceptors_accesses=1:ignore_noninstrumented_modules=1:external_symbolizer_path=$SYMBOLIZER"
WORK="$(mktemp -d)"
SERVER_PID=""
BASE=""
. scripts/servers.sh
cleanup() {
    stop_server "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

SCRIPT_START=$SECONDS
RUNS_PASSED=0
RUNS_FAILED=0
SUMMARY=()
fail_setup() {  # fail_setup WHAT LOG: a build or start that failed counts as a failed run
    echo "!! $1 failed"
    [[ -f "$2" ]] && tail -n 40 "$2"
    RUNS_FAILED=$((RUNS_FAILED + 1))
    SUMMARY+=("FAIL  $1")
}

# ---- the servers, started as Tests/c/run.sh starts them ----

# start_fake NAME: a fresh fake Cloudflare API on an ephemeral port; sets SERVER_PID and BASE.
start_fake() {
    start_server SERVER "$WORK/$1.server.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || return 1
    BASE=$SERVER_BASE
}

# start_emulator NAME: a fresh Workers Builds emulator with test_wait's hooks; sets SERVER_PID and BASE.
start_emulator() {
    start_server SERVER "$WORK/$1.server.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator \
        --port 0 --config "$WORK/emulator.json" --builds-per-minute 1000 --log-page-size 2 || return 1
    BASE=$SERVER_BASE
}

# ---- one run ----

# run_test SAN NAME SERVER BIN [ARGS...]: runs BIN against a fresh SERVER (fake, emulator or
# none; its URL is the first argument) under sanitizer SAN (asan or tsan); passes when it exits
# 0, its last line is "N passed, 0 failed" and the sanitizer reported nothing.
run_test() {
    local san=$1 name=$2 server=$3 bin=$4
    shift 4
    local out="$WORK/$san-$name.out" err="$WORK/$san-$name.err" rc=0 start=$SECONDS
    local args=("$@")
    BASE=""
    if [[ $server != none ]]; then
        if ! "start_$server" "$san-$name"; then
            fail_setup "$san $name: the $server did not start" /dev/null
            return
        fi
        args=("$BASE" "$@")
    fi
    echo "== $san: $name${BASE:+ ($BASE)}"
    ASAN_OPTIONS="$ASAN_OPTIONS_SET" LSAN_OPTIONS="$LSAN_OPTIONS_SET" TSAN_OPTIONS="$TSAN_OPTIONS_SET" \
        "$bin" "${args[@]}" >"$out" 2>"$err" || rc=$?
    stop_server "$SERVER_PID"
    SERVER_PID=""
    judge "$san" "$name" "$out" "$err" "$rc" $((SECONDS - start)) 0
}

# run_canary SAN NAME BIN ARG: a run that must make the sanitizer report, in the library.
run_canary() {
    local san=$1 name=$2 bin=$3 arg=$4 rc=0 start=$SECONDS
    local out="$WORK/$san-$name.out" err="$WORK/$san-$name.err"
    BASE=""
    echo "== $san: $name (must report)"
    ASAN_OPTIONS="$ASAN_OPTIONS_SET" LSAN_OPTIONS="$LSAN_OPTIONS_SET" TSAN_OPTIONS="$TSAN_OPTIONS_SET" \
        "$bin" "$arg" >"$out" 2>"$err" || rc=$?
    judge "$san" "$name" "$out" "$err" "$rc" $((SECONDS - start)) 1
}

# judge SAN NAME OUT ERR RC SECONDS CANARY: counts the reports, prints the run's summary line.
judge() {
    local san=$1 name=$2 out=$3 err=$4 rc=$5 secs=$6 canary=$7
    local asan lsan tsan suppressed reports checks="no summary line" last ok=1 line
    asan=$(grep -c "ERROR: AddressSanitizer" "$err" || true)
    lsan=$(grep -cE "^(Direct|Indirect) leak of" "$err" || true)
    tsan=$(grep -c "WARNING: ThreadSanitizer" "$err" || true)
    if [[ $san == asan ]]; then
        reports=$((asan + lsan))
        line="ASan reports $asan, LSan leaks $lsan"
    else
        reports=$tsan
        suppressed=$(sed -n 's/.*Matched \([0-9]*\) suppressions.*/\1/p' "$err" | head -n 1)
        line="TSan warnings $tsan (suppressed ${suppressed:-0})"
    fi
    last="$(tail -n 1 "$out" 2>/dev/null || true)"
    if [[ $canary -eq 1 ]]; then
        # Must report, with a frame in the library's sources, and fail the process.
        checks="report in the library: no"
        if [[ $reports -gt 0 && $rc -ne 0 ]] && grep -q "Sources/DeployHook" "$err"; then
            checks="report in the library: yes"
        else
            ok=0
        fi
    else
        if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
            checks="$last"
            [[ ${BASH_REMATCH[2]} -eq 0 ]] || ok=0
        else
            ok=0
        fi
        [[ $rc -eq 0 && $reports -eq 0 ]] || ok=0
    fi
    if [[ $canary -eq 0 && -s "$err" ]] || [[ $ok -eq 0 ]]; then
        # Anything on stderr (failed checks, sanitizer reports) is shown, demangled.
        echo "--- stderr of $san $name (exit $rc) ---"
        "${DEMANGLE[@]}" <"$err" | head -n 400 || true  # head may close the pipe early
        if [[ $ok -eq 0 && -s "$WORK/$san-$name.server.log" ]]; then
            echo "--- server output ---"
            cat "$WORK/$san-$name.server.log"
        fi
    fi
    local verdict=ok
    [[ $ok -eq 1 ]] || verdict=FAIL
    line=$(printf '%-4s  %-4s %-16s %-40s %-32s exit %-3s %4ss' "$verdict" "$san" "$name" "$line" "$checks" "$rc" "$secs")
    echo "$line"
    SUMMARY+=("$line")
    if [[ $ok -eq 1 ]]; then RUNS_PASSED=$((RUNS_PASSED + 1)); else RUNS_FAILED=$((RUNS_FAILED + 1)); fi
}

# build_tests SAN LIBDIR EXTRA...: the four C programs against one instrumented library.
build_tests() {
    local san=$1 libdir=$2 t soname
    shift 2
    # The programs need the library under its SONAME at run time, as an installed one has it.
    soname=$(readelf -d "$libdir/libdeployhook.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
    ln -sf libdeployhook.so "$libdir/$soname"
    for t in test_deployhook test_wait stress_threads test_hostile test_interrupt; do
        "$CLANG" "${CFLAGS[@]}" "-fsanitize=$san" -o "$WORK/$t.$san" "Tests/c/$t.c" \
            -L "$libdir" -ldeployhook -Wl,-rpath,"$libdir" "$@" || return 1
    done
}

# ---- AddressSanitizer + LeakSanitizer ----
if [[ $WANT_ASAN -eq 1 ]]; then
    echo "== building the ASan library (.build-asan)"
    t0=$SECONDS
    if swift build -c debug --scratch-path .build-asan --sanitize=address --product deployhook \
            >"$WORK/asan-build.log" 2>&1 &&
       build_tests address "$ASAN_LIBDIR" >>"$WORK/asan-build.log" 2>&1; then
        echo "   built in $((SECONDS - t0))s"
        "$WORK/test_wait.address" --emulator-config >"$WORK/emulator.json" || true  # else test_wait fails
        run_test asan test_deployhook fake "$WORK/test_deployhook.address"
        run_test asan test_wait emulator "$WORK/test_wait.address"
        run_test asan stress_threads fake "$WORK/stress_threads.address" "$STRESS_THREADS" "$STRESS_TRIGGERS"
        # The ASan build (debug, instrumented) has larger frames: on a 64 KiB thread it overflows in an
        # ordinary wait (measured: fine at 96 KiB). Its stack group runs at 128 KiB; the 64 KiB promise is
        # about the shipped build, checked by Tests/c/run.sh (plainly, under valgrind) and by TSan below.
        export HOSTILE_STACK_KIB=128
        run_test asan test_hostile fake "$WORK/test_hostile.address" "$HOSTILE_SLACK_MS"
        unset HOSTILE_STACK_KIB
        run_test asan test_interrupt none "$WORK/test_interrupt.address" 300
        run_canary asan leak-canary "$WORK/stress_threads.address" --canary-leak
    else
        fail_setup "asan build" "$WORK/asan-build.log"
    fi
fi

# ---- ThreadSanitizer ----
if [[ $WANT_TSAN -eq 1 ]]; then
    echo "== building the TSan library (.build-tsan, shared Swift runtime)"
    t0=$SECONDS
    STUBS="$ROOT/.build-tsan/stub-libs"
    mkdir -p "$STUBS"
    for lib in _FoundationCollections _FoundationCShims; do
        printf '!<arch>\n' >"$STUBS/lib$lib.a"  # an empty archive
    done
    if swift build -c debug --scratch-path .build-tsan --sanitize=thread --product deployhook \
            -Xswiftc -no-static-stdlib -Xlinker -L"$STUBS" -Xlinker -rpath -Xlinker "$SWIFT_LIBDIR" \
            >"$WORK/tsan-build.log" 2>&1 &&
       build_tests thread "$TSAN_LIBDIR" -L "$SWIFT_LIBDIR" -ldispatch -lBlocksRuntime \
            -Wl,-rpath,"$SWIFT_LIBDIR" >>"$WORK/tsan-build.log" 2>&1; then
        echo "   built in $((SECONDS - t0))s"
        [[ -s "$WORK/emulator.json" ]] || "$WORK/test_wait.thread" --emulator-config >"$WORK/emulator.json" || true
        run_test tsan stress_threads fake "$WORK/stress_threads.thread" "$STRESS_THREADS" "$STRESS_TRIGGERS"
        run_test tsan test_deployhook fake "$WORK/test_deployhook.thread"
        run_test tsan test_wait emulator "$WORK/test_wait.thread"
        run_test tsan test_hostile fake "$WORK/test_hostile.thread" "$HOSTILE_SLACK_MS"
        run_test tsan test_interrupt none "$WORK/test_interrupt.thread" 300
        run_canary tsan race-canary "$WORK/stress_threads.thread" --canary-race
    else
        fail_setup "tsan build" "$WORK/tsan-build.log"
    fi
fi

echo "== summary ($((SECONDS - SCRIPT_START))s in all)"
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "$RUNS_PASSED passed, $RUNS_FAILED failed"
[[ $RUNS_FAILED -eq 0 ]]
