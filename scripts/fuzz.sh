#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (see Tests/fuzz/README.md).
#
#   scripts/fuzz.sh [TARGET...]        # default: hook_parser response_decoder trigger_c
#
# Builds each target with `swiftc -sanitize=fuzzer,address` into build/fuzz/, then runs it for
# ${FUZZ_SECONDS:-60} seconds on a temporary copy of its seed corpus (Tests/fuzz/corpus/<target>/ is never
# modified). trigger_c runs against the test fake (Tests/fake_api/fake_cloudflare.py), started and stopped
# here. Per target it prints executions, exec/s, coverage (cov/ft), corpus size and crashes; crash inputs
# are saved under build/fuzz/crashes/ and the full logs under build/fuzz/logs/.
# The last line is "N passed, N failed" (N = targets); the exit status is non-zero when any target failed.
#
# Environment:
#   FUZZ_SECONDS        seconds per target (default 60)
#   FUZZ_REBUILD=1      rebuild even when the binaries are newer than the sources
#   FUZZ_KEEP_CORPUS=1  keep the working corpora (their paths are printed) instead of deleting them
#   FUZZ_ARGS           extra libFuzzer flags for every target, e.g. "-use_value_profile=1"
#   SWIFTC              the compiler (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc)
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
OUT=build/fuzz
FUZZ_DIR=Tests/fuzz
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
TOOLCHAIN_BIN=$(dirname "$SWIFTC")
if [ -x "$TOOLCHAIN_BIN/llvm-symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$TOOLCHAIN_BIN/llvm-symbolizer"; fi
# LeakSanitizer stays on: libFuzzer then also reports an input whose run leaks memory (e.g. a result or a
# C string that is never freed).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# libFuzzer reports traps itself (with a symbolized stack); Swift's own backtracer would get in its way.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

ALL_TARGETS=(hook_parser response_decoder trigger_c)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

# -max_len per target: hooks and URLs are short; answers are JSON envelopes; trigger_c inputs carry
# setter strings that must be able to pass the 1024-byte limits of the user agent and token.
max_len() {
  case $1 in
    hook_parser) echo 1024 ;;
    response_decoder) echo 8192 ;;
    trigger_c) echo 2048 ;;
  esac
}

COMMON_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g -use-ld=lld -package-name deployhook)
# The sources are compiled from a snapshot (build/fuzz/src/) so that edits made while swiftc runs cannot
# break the build ("input file was modified during the build"); stack traces name the snapshot's paths.
SRC=$OUT/src

mkdir -p "$OUT/crashes" "$OUT/logs" "$OUT/obj/modules"

# stale OUTPUT INPUT...: true when OUTPUT is missing, FUZZ_REBUILD is set, or an input is newer.
stale() {
  local output=$1; shift
  [ "${FUZZ_REBUILD:-0}" = 1 ] && return 0
  [ -e "$output" ] || return 0
  local input
  for input in "$@"; do [ "$input" -nt "$output" ] && return 0; done
  return 1
}

# built OUTPUT: date OUTPUT as of the snapshot, so a source edited during the build still counts as newer.
built() { touch -r "$SRC/.stamp" "$1"; }

# snapshot: copy the sources the targets are built from into $SRC (once per run).
SNAPSHOT_DONE=0
snapshot() {
  [ "$SNAPSHOT_DONE" = 1 ] && return 0
  rm -rf "$SRC" && mkdir -p "$SRC/Sources" "$SRC/Tests/fuzz/cabi" && touch "$SRC/.stamp" || return 1
  cp -r Sources/DeployHook Sources/DeployHookC Sources/CCurl Sources/CDeployHook "$SRC/Sources/" &&
    cp -r include "$SRC/" && cp "$FUZZ_DIR"/*.swift "$SRC/Tests/fuzz/" &&
    cp "$FUZZ_DIR"/cabi/module.modulemap "$FUZZ_DIR"/cabi/cabi.h "$SRC/Tests/fuzz/cabi/" || return 1
  SNAPSHOT_DONE=1
}

# build TARGET: compile one fuzz target into $OUT/TARGET (when its sources changed).
build() {
  local target=$1 bin=$OUT/$1 log=$OUT/logs/$1.build.log
  # Staleness is judged on the live sources (their folders too: a file added or removed), compiling on the snapshot.
  local core=(Sources/DeployHook Sources/DeployHook/*.swift) cabi=(Sources/DeployHookC Sources/DeployHookC/*.swift)
  case $target in
    hook_parser|response_decoder)
      # One module: the target sees the core's internal API (DeployHookID.uuid, Envelope, ResponseClassifier).
      stale "$bin" "${core[@]}" "$FUZZ_DIR/FuzzSupport.swift" "$FUZZ_DIR/$target.swift" || return 0
      snapshot || return 1
      echo "   building $bin"
      "$SWIFTC" "${COMMON_FLAGS[@]}" -module-name DeployHookFuzz -I "$SRC/Sources/CCurl" "$SRC"/Sources/DeployHook/*.swift \
        "$SRC/$FUZZ_DIR/FuzzSupport.swift" "$SRC/$FUZZ_DIR/$target.swift" -lcurl -o "$bin" >"$log" 2>&1 \
        || { cat "$log"; return 1; }
      built "$bin"
      ;;
    trigger_c)
      # Three modules, as the shipped library is made: the core and the C layer as static libraries, and the
      # target, which sees only include/deployhook.h (Tests/fuzz/cabi/module.modulemap) and calls the C ABI.
      local obj=$OUT/obj
      if stale "$obj/libDeployHook.a" "${core[@]}"; then
        snapshot || return 1
        echo "   building $obj/libDeployHook.a"
        "$SWIFTC" "${COMMON_FLAGS[@]}" -emit-library -static -emit-module \
          -emit-module-path "$obj/modules/DeployHook.swiftmodule" -module-name DeployHook -I "$SRC/Sources/CCurl" \
          "$SRC"/Sources/DeployHook/*.swift -o "$obj/libDeployHook.a" >"$log" 2>&1 || { cat "$log"; return 1; }
        built "$obj/libDeployHook.a"
      fi
      if stale "$obj/libDeployHookC.a" "${cabi[@]}" "$obj/libDeployHook.a" Sources/CDeployHook/deployhook_types.h; then
        snapshot || return 1
        echo "   building $obj/libDeployHookC.a"
        "$SWIFTC" "${COMMON_FLAGS[@]}" -emit-library -static -module-name DeployHookC -I "$obj/modules" \
          -I "$SRC/Sources/CCurl" -I "$SRC/Sources/CDeployHook" "$SRC"/Sources/DeployHookC/*.swift -o "$obj/libDeployHookC.a" \
          >"$log" 2>&1 || { cat "$log"; return 1; }
        built "$obj/libDeployHookC.a"
      fi
      if stale "$bin" "$FUZZ_DIR/FuzzSupport.swift" "$FUZZ_DIR/trigger_c.swift" "$obj/libDeployHookC.a" \
           "$obj/libDeployHook.a" include/deployhook.h "$FUZZ_DIR"/cabi/*; then
        snapshot || return 1
        echo "   building $bin"
        "$SWIFTC" "${COMMON_FLAGS[@]}" -module-name DeployHookCFuzz -I "$SRC/$FUZZ_DIR/cabi" \
          "$SRC/$FUZZ_DIR/FuzzSupport.swift" "$SRC/$FUZZ_DIR/trigger_c.swift" \
          "$obj/libDeployHookC.a" "$obj/libDeployHook.a" -lcurl -o "$bin" >"$log" 2>&1 || { cat "$log"; return 1; }
        built "$bin"
      fi
      ;;
    *) echo "unknown target $target (known: ${ALL_TARGETS[*]})"; return 1 ;;
  esac
}

. scripts/servers.sh
FAKE_PID=""
FAKE_OUT=""
WORK_DIRS=()
cleanup() {
  stop_server "$FAKE_PID"; FAKE_PID=""
  [ -n "$FAKE_OUT" ] && rm -f "$FAKE_OUT"
  if [ "${FUZZ_KEEP_CORPUS:-0}" != 1 ] && [ ${#WORK_DIRS[@]} -gt 0 ]; then rm -rf "${WORK_DIRS[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_fake: start the test fake on an ephemeral port and export its base URL.
start_fake() {
  FAKE_OUT=$(mktemp)
  start_server FAKE "$FAKE_OUT" python3 Tests/fake_api/fake_cloudflare.py --port 0 || return 1
  export DEPLOYHOOK_FUZZ_BASE_URL=$FAKE_BASE
  echo "   fake API at $DEPLOYHOOK_FUZZ_BASE_URL (pid $FAKE_PID)"
}

stop_fake() {
  [ -n "$FAKE_PID" ] || return 0
  local requests
  requests=$(curl -s --max-time 5 "${DEPLOYHOOK_FUZZ_BASE_URL%/client/v4}/_fake/requests" 2>/dev/null \
    | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo "?")
  echo "   fake API answered $requests trigger requests"
  stop_server "$FAKE_PID"
  FAKE_PID=""
  rm -f "$FAKE_OUT"; FAKE_OUT=""
}

# field NAME LINE: the number after "NAME:" in a libFuzzer status line.
field() { sed -n "s/.* $1: \([0-9][0-9]*\).*/\1/p" <<<"$2"; }

# run TARGET: fuzz one target; 0 when it ran cleanly.
run() {
  local target=$1 bin=$OUT/$1 log=$OUT/logs/$1.log seeds=$FUZZ_DIR/corpus/$1
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/deployhook-fuzz-$target.XXXXXX")
  WORK_DIRS+=("$work")
  cp "$seeds"/* "$work"/ 2>/dev/null
  local seed_count
  seed_count=$(find "$seeds" -type f | wc -l)
  if [ "$target" = trigger_c ]; then start_fake || return 1; fi
  local flags=(-max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048
               -print_final_stats=1 -error_exitcode=77 -timeout_exitcode=70
               -artifact_prefix="$OUT/crashes/$target-")
  [ -f "$FUZZ_DIR/$target.dict" ] && flags+=(-dict="$FUZZ_DIR/$target.dict")
  # shellcheck disable=SC2206
  [ -n "${FUZZ_ARGS:-}" ] && flags+=($FUZZ_ARGS)
  echo "   $bin ${flags[*]} $work"
  local started=$SECONDS
  "$bin" "${flags[@]}" "$work" >"$log" 2>&1
  local rc=$?
  local elapsed=$((SECONDS - started))
  [ "$target" = trigger_c ] && stop_fake

  local execs rate status_line cov ft corp crashes
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  status_line=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' <<<"$status_line")
  cov=$(field cov "$status_line"); ft=$(field ft "$status_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$status_line")
  local -a artifacts
  mapfile -t artifacts < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
  crashes=${#artifacts[@]}
  local files
  files=$(find "$work" -type f | wc -l)
  printf '   %s: %s executions in %ss (%s exec/s), cov: %s ft: %s, corpus %s files (%s seeds; libFuzzer corp %s), crashes %s, exit %s\n' \
    "$target" "${execs:-?}" "$elapsed" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$files" "$seed_count" "${corp:-?}" "$crashes" "$rc"
  [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] && echo "   working corpus kept in $work"
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    echo "   --- $target FAILED; report (full log: $log) ---"
    grep -n -E 'INVARIANT VIOLATED|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|Fatal error|SUMMARY' "$log" | head -20
    awk '/INVARIANT VIOLATED|==ERROR|deadly signal|Fatal error/{p=1} p' "$log" | grep -v '^"' | head -80
    local artifact
    for artifact in "${artifacts[@]}"; do
      echo "   input $artifact ($(stat -c %s "$artifact" 2>/dev/null) bytes), hex:"
      od -An -tx1 -v "$artifact" | tr -d ' \n' | fold -w 128; echo
    done
    return 1
  fi
  return 0
}

passed=0 failed=0
for target in "${TARGETS[@]}"; do
  echo "== $target"
  if build "$target" && run "$target"; then
    passed=$((passed + 1)); echo "== $target: PASS"
  else
    failed=$((failed + 1)); echo "== $target: FAIL"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
