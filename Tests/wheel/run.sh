#!/usr/bin/env bash
# The wheel test: builds the wheel of bindings/python (which runs the Swift build and bundles libdeployhook),
# checks its contents, installs it into a fresh virtual environment, and from there triggers hooks against
# the fake API (Tests/fake_api) with the Swift toolchain out of reach: in a private mount namespace whose
# toolchain usr/ directory is covered by an empty tmpfs. So it needs root (unshare, mount): without them it
# fails, it does not skip.
#
# Usage: Tests/wheel/run.sh API_BASE_URL
#   API_BASE_URL: a running test fake's API base, e.g. http://127.0.0.1:PORT/client/v4 (scripts/test.sh
#   passes the one it started). From anywhere; DEPLOYHOOK_BUNDLE_LIBRARY=path bundles a prebuilt library.
# Prints "PASS: <check>" or "FAIL: <check>" per check, progress on stderr, and last "N passed, N failed";
# exits 1 if any check failed.
set -uo pipefail

base_url=${1:-}
if [[ ! $base_url =~ ^http://127\.0\.0\.1:[0-9]+/ ]]; then
  echo "usage: $0 http://127.0.0.1:PORT/client/v4   (the base of a running Tests/fake_api/fake_cloudflare.py)" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
passed=0
failed=0
export PIP_DISABLE_PIP_VERSION_CHECK=1

trap 'rm -rf "$work"' EXIT

result() { # result STATUS CHECK: prints and counts CHECK as passed when STATUS is 0, else as failed
  if [[ $1 == 0 ]]; then
    echo "PASS: $2"
    passed=$((passed + 1))
  else
    echo "FAIL: $2"
    failed=$((failed + 1))
  fi
}

counted() { # counted NAME COMMAND...: runs COMMAND, which prints PASS:/FAIL: lines, and counts them;
            # COMMAND exiting non-zero (a crash) is one more failure
  local name=$1 output status=0 line
  shift
  output=$("$@") || status=$?
  while IFS= read -r line; do
    echo "$line"
    case $line in
      PASS:*) passed=$((passed + 1)) ;;
      FAIL:*) failed=$((failed + 1)) ;;
    esac
  done <<<"$output"
  [[ $status == 0 ]] || result "$status" "$name (exited with status $status)"
}

finish() { # prints the summary and exits
  echo "$passed passed, $failed failed"
  exit $((failed > 0))
}

# The toolchain to hide: .../usr of the swift on PATH (/opt/swift/usr), and its root (/opt/swift).
swift=$(command -v swift) || { result 1 "swift is on PATH"; finish; }
toolchain_usr=$(dirname "$(dirname "$(realpath "$swift")")")
toolchain=$(dirname "$toolchain_usr")

unshare --mount --propagation private mount -t tmpfs tmpfs "$toolchain_usr"
status=$?
result "$status" "a private mount namespace can hide $toolchain_usr (unshare and mount need root)"
if [[ $status != 0 ]]; then
  echo "Tests/wheel/run.sh needs root, for unshare --mount and mount -t tmpfs" >&2
  finish
fi

echo "building the wheel (swift build -c release, unless DEPLOYHOOK_BUNDLE_LIBRARY is set)..." >&2
python3 -m pip wheel --no-deps -w "$work/dist" "$root/bindings/python" >"$work/wheel.log" 2>&1
status=$?
result "$status" "pip wheel bindings/python builds a wheel"
if [[ $status != 0 ]]; then
  tail -n 40 "$work/wheel.log" >&2
  finish
fi
wheel=$(echo "$work"/dist/deployhook-*.whl)

# The wheel's contents, and the bundled library extracted for ldd.
counted "the wheel's contents are checked" python3 - "$wheel" "$work/libdeployhook.so" <<'EOF'
import base64, csv, hashlib, io, os, sys, zipfile

wheel_path, library_copy = sys.argv[1:]
wheel = zipfile.ZipFile(wheel_path)
names = set(wheel.namelist())
dist_info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/WHEEL"))

def report(ok, check, why=""):
    print(f"PASS: {check}" if ok else f"FAIL: {check}: {why}")

expected = {"deployhook/__init__.py", "deployhook/_library.py", "deployhook/py.typed", "deployhook/libdeployhook.so"}
report(expected <= names, "the wheel holds the modules, py.typed and deployhook/libdeployhook.so",
       sorted(expected - names))

rows = list(csv.reader(io.TextIOWrapper(wheel.open(f"{dist_info}/RECORD"), encoding="utf-8")))
bad = [path for path, digest, size in rows if path != f"{dist_info}/RECORD" and (
    digest != "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(wheel.read(path)).digest()).rstrip(b"=").decode()
    or size != str(wheel.getinfo(path).file_size))]
unlisted = names - {row[0] for row in rows}
report(not bad and not unlisted, "RECORD lists every file with its sha256 and size", f"{bad} {sorted(unlisted)}")

fields = dict(line.split(": ", 1) for line in wheel.read(f"{dist_info}/WHEEL").decode().splitlines() if line)
tag = os.path.basename(wheel_path)[:-len(".whl")].split("-", 2)[2]
report(fields.get("Root-Is-Purelib") == "false" and fields.get("Tag") == tag and tag.startswith("py3-none-linux_"),
       f"WHEEL says Root-Is-Purelib: false, Tag: {tag}", fields)

with open(library_copy, "wb") as library:
    library.write(wheel.read("deployhook/libdeployhook.so"))
EOF

dependencies=$(ldd "$work/libdeployhook.so" 2>&1)
! grep -q -e "not found" -e "$toolchain/" <<<"$dependencies"
result $? "ldd: the bundled library finds every dependency, none under $toolchain"

echo "installing it into a fresh virtual environment..." >&2
python3 -m venv "$work/venv" && "$work/venv/bin/python" -m pip install -q --no-index "$wheel"
result $? "pip install --no-index of the wheel into a fresh venv"

# The installed package, run from outside the repository, with a clean environment (no PYTHONPATH,
# DEPLOYHOOK_LIBRARY or LD_LIBRARY_PATH) and the toolchain's usr/ covered by an empty tmpfs.
counted "check_installed.py runs without the Swift toolchain" \
  env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 unshare --mount --propagation private \
  sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" && cd "$2" && shift 2 && exec "$@"' sh "$toolchain_usr" "$work" \
  "$work/venv/bin/python" -I "$here/check_installed.py" "$base_url" "$toolchain"

finish
