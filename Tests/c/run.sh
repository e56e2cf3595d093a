#!/usr/bin/env bash
# Builds and runs the C ABI test against the fake Cloudflare API, then runs it
# again under valgrind. Run from the repository root:
#   bash Tests/c/run.sh
# Environment: CC (default cc), LIBDIR (default .build/release, holds
# libdeployhook.so), DEPLOYHOOK_NO_VALGRIND=1 to skip the valgrind run.
set -euo pipefail

LIBDIR="${LIBDIR:-.build/release}"
if [[ ! -f "$LIBDIR/libdeployhook.so" ]]; then
    echo "run.sh: $LIBDIR/libdeployhook.so not found (build it, or set LIBDIR)" >&2
    exit 2
fi
LIBDIR="$(cd "$LIBDIR" && pwd)"  # absolute, for the rpath
BIN=Tests/c/test_deployhook
WORK="$(mktemp -d)"
FAKE_PID=""

cleanup() {
    if [[ -n "$FAKE_PID" ]]; then
        kill "$FAKE_PID" 2>/dev/null || true
        wait "$FAKE_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Start the fake on an ephemeral port; its first stdout line is "PORT <n>".
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

# Prints the fake's stderr (it should have none) when the run failed.
fake_stderr() {
    if [[ -s "$WORK/fake.err" ]]; then
        echo "--- fake stderr ---"
        cat "$WORK/fake.err"
    fi
}

echo "== C ABI test: $BASE"
plain=0
"$BIN" "$BASE" || plain=$?
if [[ "${DEPLOYHOOK_NO_VALGRIND:-0}" == 1 ]]; then
    [[ $plain -eq 0 ]] || fake_stderr
    exit "$plain"
fi

# Under valgrind: print the test's output with the leak summary (and the whole
# log on valgrind errors) just before its final "N passed, N failed" line.
echo "== C ABI test under valgrind"
vg=0
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
    --log-file="$WORK/valgrind.log" "$BIN" "$BASE" >"$WORK/vg.out" || vg=$?
head -n -1 "$WORK/vg.out"
grep -E "definitely lost|no leaks are possible|ERROR SUMMARY" "$WORK/valgrind.log" | sed 's/^==[0-9]*== //'
if [[ $vg -eq 99 ]]; then
    echo "--- valgrind log ---"
    cat "$WORK/valgrind.log"
fi
[[ $plain -eq 0 && $vg -eq 0 ]] || fake_stderr
tail -n 1 "$WORK/vg.out"
[[ $plain -eq 0 && $vg -eq 0 ]]
