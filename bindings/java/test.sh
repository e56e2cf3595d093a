#!/usr/bin/env bash
# The Java binding's tests: builds build/java/deployhook.jar (bindings/java/build.sh), compiles the JUnit 5
# tests and examples/java/Trigger.java with javac, starts the test fake and the Workers Builds API
# emulator on loopback, and runs the suite with the JUnit console launcher of Debian's junit5 package
# under LC_ALL=C and -Dfile.encoding=ANSI_X3.4-1968 (every string must still be UTF-8). Nothing comes
# from Maven's registry. Needs `swift build -c release` first. Run from anywhere:
#   bash bindings/java/test.sh [CONSOLE LAUNCHER ARGS...]     e.g. --select-method deployhook.WaitTest#cancel
# The last line is "N passed, N failed" (the test cases of the JUnit XML report, by scripts/junit_counts.py); the exit
# status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/servers.sh
export PYTHONDONTWRITEBYTECODE=1
JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"
JUNIT_JAR="${JUNIT_JAR:-/usr/share/java/junit-platform-console-standalone.jar}"

fail() { echo "bindings/java/test.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
[[ -f .build/release/libdeployhook.so ]] || fail ".build/release/libdeployhook.so not found: run swift build -c release"
[[ -f $JNA_JAR ]] || fail "$JNA_JAR not found: apt-get install libjna-java"
[[ -f $JUNIT_JAR ]] || fail "$JUNIT_JAR not found: apt-get install junit5"

echo "== Java binding: build (javac, jar)"
bash bindings/java/build.sh >/dev/null || fail "the binding does not compile"
out=build/java
rm -rf "$out/test-classes" "$out/example" "$out/reports"
javac -Xlint:all -Werror --release 17 -encoding UTF-8 -cp "$out/deployhook.jar:$JNA_JAR" -d "$out/example" \
  examples/java/Trigger.java || fail "the example does not compile"
# The tests live in the binding's package (they reach its package-private parts): compiled against its classes.
javac -Xlint:all,-processing -Werror --release 17 -encoding UTF-8 -cp "$out/classes:$JNA_JAR:$JUNIT_JAR" \
  -d "$out/test-classes" $(find bindings/java/src/test/java -name '*.java' | sort) || fail "the tests do not compile"

work="$(mktemp -d)"
trap 'stop_server "${FAKE_PID:-}"; stop_server "${EMU_PID:-}"; rm -rf "$work"' EXIT
cat >"$work/emulator.json" <<'JSON'
{"token": "emulator-token-0f1e2d3c4b5a6978", "account_id": "0123456789abcdef0123456789abcdef",
 "hooks": {
  "5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e": {"outcome": "success", "phase_seconds": 0.2,
     "commit_message": "Fix the café menu ✓\n\nAnd its prices", "deploy_hook_name": "Java test hook",
     "logs": ["Cloning repository...", "Déployé ✓ 部署"]},
  "6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f": {"outcome": "fail", "phase_seconds": 0.2},
  "7c9a5e3f-4d6b-4e8c-9a0f-2b3c4d5e6f70": {"outcome": "success", "phase_seconds": 60}}}
JSON
start_server FAKE "$work/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0 || fail "the fake did not start"
start_server EMU "$work/emulator.log" env PYTHONPATH=bindings/python python3 -m deployhook.emulator --port 0 \
  --config "$work/emulator.json" --builds-per-minute 1000 --log-page-size 2 || fail "the emulator did not start"

echo "== Java binding: JUnit 5 (fake $FAKE_BASE, emulator $EMU_BASE; LC_ALL=C, file.encoding ASCII)"
env -u CLOUDFLARE_API_TOKEN -u CLOUDFLARE_ACCOUNT_ID -u CLOUDFLARE_DEPLOY_HOOK -u DEPLOYHOOK_LIBRARY \
  LC_ALL=C LANG=C CLOUDFLARE_BASE_URL="$FAKE_BASE" DEPLOYHOOK_TEST_FAKE="$FAKE_BASE" DEPLOYHOOK_TEST_EMULATOR="$EMU_BASE" \
  java -Dfile.encoding=ANSI_X3.4-1968 -Ddeployhook.repo="$PWD" -Ddeployhook.jna="$JNA_JAR" \
  -jar "$JUNIT_JAR" --class-path "$out/test-classes:$out/classes:$JNA_JAR" --disable-banner \
  --details=tree --details-theme=ascii --disable-ansi-colors --reports-dir="$out/reports" --fail-if-no-tests \
  ${@:---select-package deployhook} 2>&1 | tee "$work/out"
status=${PIPESTATUS[0]}

counts=$(python3 scripts/junit_counts.py "$out/reports/TEST-junit-jupiter.xml" 2>/dev/null) || counts=""
read -r passed failed <<<"${counts:-0 1}"
[[ $status -eq 0 || $failed -gt 0 ]] || failed=1
if [[ $failed -gt 0 ]]; then
  echo "--- emulator output ---"; tail -n 20 "$work/emulator.log"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
