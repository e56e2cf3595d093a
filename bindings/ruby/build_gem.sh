#!/usr/bin/env bash
# Builds the gem into OUT_DIR (default: dist/ at the repository root), carrying include/deployhook.cdef
# (the declarations the binding loads) and, with DEPLOYHOOK_BUNDLE_LIBRARY=/path/to/libdeployhook.so, that
# library too (else the gem finds one through DEPLOYHOOK_LIBRARY or the system's libdeployhook.so.0).
# The source tree is left untouched: the gem is built from a staged copy.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bindings"
cp "$root/VERSION" "$stage/"
cp -r "$root/bindings/ruby" "$stage/bindings/ruby"
cp "$root/include/deployhook.cdef" "$stage/bindings/ruby/lib/deployhook/"
if [[ -n "${DEPLOYHOOK_BUNDLE_LIBRARY:-}" ]]; then
  cp "$DEPLOYHOOK_BUNDLE_LIBRARY" "$stage/bindings/ruby/lib/deployhook/libdeployhook.so"
fi
(cd "$stage/bindings/ruby" && gem build --quiet deployhook.gemspec --output "$out/deployhook-$(cat "$root/VERSION").gem")
echo "$out/deployhook-$(cat "$root/VERSION").gem"
