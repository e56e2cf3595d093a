#!/usr/bin/env bash
# Check the C ABI: include/deployhook.h compiles warning-free as C99 (gcc, clang) and C++ (g++, clang++),
# and the library's dynamic symbols are exactly the functions the header declares.
# Usage: scripts/check_abi.sh path/to/libdeployhook.so
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:?usage: check_abi.sh LIBRARY}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include "deployhook.h"\nint main(void) { return deployhook_version_number() == DEPLOYHOOK_VERSION_NUMBER ? 0 : 1; }\n' >"$probe/probe.c"
cp "$probe/probe.c" "$probe/probe.cpp"
status=0
for compiler in "gcc -std=c99 -pedantic" "clang -std=c99 -pedantic" "g++ -std=c++11 -pedantic" "clang++ -std=c++11 -pedantic"; do
  source=$probe/probe.c; case $compiler in *++*) source=$probe/probe.cpp ;; esac
  if $compiler -Wall -Wextra -Werror -I include -c "$source" -o "$probe/probe.o"; then
    echo "header compiles: $compiler"
  else
    echo "header does not compile cleanly: $compiler"; status=1
  fi
done
grep -oE '\bdeployhook_[a-z_]+\(' include/deployhook.h | tr -d '(' | sort -u >"$probe/declared"
nm -D --defined-only "$lib" | awk '{print $NF}' | sort -u >"$probe/exported"
if diff -u "$probe/declared" "$probe/exported"; then
  echo "exports match the header: $(wc -l <"$probe/exported") functions, nothing else"
else
  echo "the library's exports differ from the header's declarations (- header, + library)"; status=1
fi
exit $status
