#!/usr/bin/env bash
# Check the distribution: `make dist`, unpack the tarball somewhere else, and there build the C example
# with `cc app.c $(pkg-config --cflags --libs deployhook)`, run it and the CLI, and check that nothing
# points into the Swift toolchain. With an API base URL as $1 (the test fake), the example triggers for real.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory dist >/dev/null
tarball=$(ls dist/deployhook-*.tar.gz)
elsewhere=$(mktemp -d)
trap 'rm -rf "$elsewhere"' EXIT
tar -C "$elsewhere" -xzf "$tarball"
root=$(echo "$elsewhere"/deployhook-*)

if ldd "$root/lib/libdeployhook.so" "$root/bin/deployhook" | grep -i swift; then
  echo "the distribution still needs the Swift toolchain"; exit 1
fi
readelf -d "$root/lib/libdeployhook.so" | grep -q 'RUNPATH.*\[\$ORIGIN\]' || { echo "RUNPATH is not \$ORIGIN"; exit 1; }
scripts/check_abi.sh "$root/lib/libdeployhook.so" | tail -1

export PKG_CONFIG_PATH="$root/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config's words are meant to split
cc -std=c99 -Wall -Wextra -Werror -pedantic examples/c/trigger.c $(pkg-config --cflags --libs deployhook) -o "$elsewhere/trigger"
echo "built examples/c/trigger with pkg-config deployhook $(pkg-config --modversion deployhook)"
"$root/bin/deployhook" --version

set +e
"$elsewhere/trigger" not-a-hook 2>"$elsewhere/err"; status=$?
set -e
[ "$status" -eq 1 ] && grep -q DEPLOYHOOK_ERR_INVALID_ARGUMENT "$elsewhere/err" || { echo "the example did not run: $status"; exit 1; }
if [ -n "${1:-}" ]; then
  CLOUDFLARE_BASE_URL=$1 "$elsewhere/trigger" 11111111-1111-4111-8111-111111111111
  CLOUDFLARE_BASE_URL=$1 "$root/bin/deployhook" trigger 11111111-1111-4111-8111-111111111111
fi
echo "distribution OK: $tarball"
