#!/usr/bin/env bash
# Compiles the Java binding with javac and packs build/java/deployhook.jar (javac and jar only; JNA from
# Debian's libjna-java, /usr/share/java/jna.jar). With DEPLOYHOOK_BUNDLE_LIBRARY=/path/to/libdeployhook.so
# the jar carries that library (as linux-x86-64/libdeployhook.so, found before the checkout's and the
# system's). DEPLOYHOOK_JAVA_OUT=DIR builds into DIR instead of build/java. Run from anywhere; prints the jar's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"
out="${DEPLOYHOOK_JAVA_OUT:-$root/build/java}"
rm -rf "$out/classes"
mkdir -p "$out/classes"
javac -Xlint:all -Werror --release 17 -encoding UTF-8 -cp "$JNA_JAR" -d "$out/classes" \
  $(find "$root/bindings/java/src/main/java" -name '*.java' | sort)
if [[ -n "${DEPLOYHOOK_BUNDLE_LIBRARY:-}" ]]; then
  mkdir -p "$out/classes/linux-x86-64"
  cp "$DEPLOYHOOK_BUNDLE_LIBRARY" "$out/classes/linux-x86-64/libdeployhook.so"
fi
printf 'Automatic-Module-Name: deployhook\nImplementation-Version: %s\n' "$(cat "$root/VERSION")" >"$out/manifest.txt"
jar --create --file "$out/deployhook.jar" --manifest "$out/manifest.txt" -C "$out/classes" .
echo "$out/deployhook.jar"
