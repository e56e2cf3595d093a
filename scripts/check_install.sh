#!/usr/bin/env bash
# Check the versioned library and both ways to build against it without guesswork:
# - `make install DESTDIR=… PREFIX=/usr/local` lays out libdeployhook.so.X.Y.Z with its SONAME and the two
#   links, the CLI, the header and deployhook.pc, and `make uninstall` then leaves nothing behind;
# - pkg-config for the build tree (PKG_CONFIG_PATH=packaging/build-tree) builds the C example, which runs.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(cat VERSION)
soname="libdeployhook.so.${version%%.*}"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "check_install: $*" >&2; exit 1; }

make --no-print-directory install DESTDIR="$stage" PREFIX=/usr/local >/dev/null
lib="$stage/usr/local/lib"
[ -f "$lib/libdeployhook.so.$version" ] && [ ! -L "$lib/libdeployhook.so.$version" ] || fail "no real file libdeployhook.so.$version"
[ "$(readlink "$lib/$soname")" = "libdeployhook.so.$version" ] || fail "$soname does not link to libdeployhook.so.$version"
[ "$(readlink "$lib/libdeployhook.so")" = "$soname" ] || fail "libdeployhook.so does not link to $soname"
readelf -d "$lib/libdeployhook.so.$version" | grep -q "Library soname: \[$soname\]" || fail "SONAME is not $soname"
for file in bin/deployhook include/deployhook.h lib/pkgconfig/deployhook.pc; do
  [ -f "$stage/usr/local/$file" ] || fail "$file not installed"
done
[ "$(PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config --modversion deployhook)" = "$version" ] || fail "installed .pc version"
echo "make install: libdeployhook.so.$version (SONAME $soname) with both links, bin, include, pkgconfig"

make --no-print-directory uninstall DESTDIR="$stage" PREFIX=/usr/local >/dev/null
left=$(find "$stage" -mindepth 1)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "make uninstall: nothing left"

export PKG_CONFIG_PATH="$PWD/packaging/build-tree"
[ "$(pkg-config --modversion deployhook)" = "$version" ] || fail "build tree .pc version"
# shellcheck disable=SC2046  # pkg-config's words are meant to split
cc -std=c99 -Wall -Wextra -Werror -pedantic examples/c/trigger.c $(pkg-config --cflags --libs deployhook) \
  -o "$stage/trigger"
needed=$(readelf -d "$stage/trigger" | sed -n 's/.*Shared library: \[\(libdeployhook[^]]*\)\]/\1/p')
[ "$needed" = "$soname" ] || fail "the example needs '$needed', not $soname"
set +e
"$stage/trigger" not-a-hook 2>"$stage/err"; status=$?
set -e
[ "$status" -eq 1 ] && grep -q DEPLOYHOOK_ERR_INVALID_ARGUMENT "$stage/err" || fail "the example did not run ($status)"
echo "pkg-config for the build tree: the C example builds against $soname and runs"
