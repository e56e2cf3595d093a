#!/usr/bin/env bash
# Install what deployhook needs beyond the Swift toolchain, before anything is built.
#
#   scripts/bootstrap.sh demo   what `make demo` needs: libcurl's headers, pkg-config, make
#   scripts/bootstrap.sh test   what `make test` needs: the above plus valgrind, compilers, openssl, nginx,
#                               the other languages' toolchains, pytest, ...
#
# This file is the one list of system packages: .ci/run, `make demo` and `make test` all call it.
# It installs only what is missing, and says what it installs. As root it uses apt-get; otherwise
# `sudo -n apt-get` when sudo works without a password; otherwise it stops with the one command to run.
# DEPLOYHOOK_NO_INSTALL=1 never installs: it stops with that command when something is missing.
# On a system without apt-get it names the packages it needs and stops.
set -euo pipefail

profile=${1:-test}
case "$profile" in demo|test) ;; *) echo "usage: $0 demo|test" >&2; exit 2 ;; esac

missing=()
# need PACKAGE TEST...: PACKAGE is missing when the command TEST... fails.
need() { local package=$1; shift; "$@" >/dev/null 2>&1 || missing+=("$package"); }
has() { command -v "$1"; }

# --- make demo: build the library and the CLI, run the emulator (Python's standard library) ---
need pkg-config has pkg-config
need libcurl4-openssl-dev pkg-config --exists libcurl
need make has make
need python3 has python3

if [ "$profile" = test ]; then
  need gcc has gcc
  need g++ has g++
  need valgrind has valgrind
  need openssl has openssl                            # the TLS tests make a CA at test time
  need util-linux has unshare                         # network- and mount-namespace tests
  need iproute2 has ip
  need python3-venv python3 -c 'import venv, ensurepip'  # the wheel tests' fresh venvs
  need nginx has nginx                                # the benchmark harness's loopback server
  need libnginx-mod-http-echo test -f /usr/lib/nginx/modules/ngx_http_echo_module.so
  need curl has curl
  need time test -x /usr/bin/time
  need luajit has luajit                              # Tests/ffi: include/deployhook.cdef in LuaJIT's ffi
  need ruby ruby -e 'require "fiddle/import"'         # ... and in Ruby's Fiddle (its standard library)
  need ruby-minitest ruby -e 'require "minitest"'   # bindings/ruby: minitest
  need openjdk-17-jdk-headless has javac              # bindings/java: javac and jar, Java 17
  need libjna-java test -f /usr/share/java/jna.jar    # ... JNA
  need junit5 test -f /usr/share/java/junit-platform-console-standalone.jar   # ... JUnit 5's console launcher
  need golang-go has go                               # bindings/go: cgo (Debian's Go 1.19; no module downloads)
  need nodejs has node                                # bindings/node (a Node-API addon)
  need libnode-dev test -f /usr/include/node/node_api.h   # ... its headers (NodeSource's nodejs ships them)
  need node-typescript has tsc                        # ... its index.d.ts, checked with tsc --strict
  need rustc test -x /usr/bin/rustc                   # bindings/rust: Debian's rustc 1.63, the crate's rust-version
  need cargo test -x /usr/bin/cargo                   # ... its cargo (the only toolchain where rustup is absent)
  need clang sh -c 'command -v clang++ || test -x /opt/swift/usr/bin/clang++'   # Tests/cpp: clang++ and ASan
fi

pip_missing=()
if [ "$profile" = test ]; then
  python3 -m pytest --version >/dev/null 2>&1 || pip_missing+=(pytest)
  python3 -c 'import cffi' >/dev/null 2>&1 || pip_missing+=(cffi)    # Tests/ffi: the declarations in cffi
  python3 -c 'import mypy' >/dev/null 2>&1 || pip_missing+=(mypy)    # bindings/python: mypy --strict
fi

install_command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]:-}"
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: this system has no apt-get; install these (Debian names) with its package manager, then retry:" >&2
    echo "  ${missing[*]}" >&2
    exit 1
  fi
  if [ "${DEPLOYHOOK_NO_INSTALL:-0}" = 1 ]; then
    echo "bootstrap: missing (DEPLOYHOOK_NO_INSTALL=1, so not installing); run as root: ${install_command}" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "bootstrap: missing ${missing[*]}, not root and no password-less sudo; run as root: ${install_command}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ${#pip_missing[@]} -gt 0 ]; then
  if [ "${DEPLOYHOOK_NO_INSTALL:-0}" = 1 ]; then
    echo "bootstrap: missing (DEPLOYHOOK_NO_INSTALL=1, so not installing); run: python3 -m pip install ${pip_missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing (pip) ${pip_missing[*]}"
  user=(); [ "$(id -u)" -eq 0 ] || user=(--user)
  python3 -m pip install --quiet "${user[@]}" "${pip_missing[@]}"
fi
