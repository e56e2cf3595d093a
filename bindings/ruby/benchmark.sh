#!/usr/bin/env bash
# One trigger on a warm client through the Ruby binding against the same through C
# (benchmarks/steady_deployhook.c), in the same run, against one test fake's ok hook: ROUNDS (default 3)
# rounds of C, Ruby, C, COUNT (default 1000) triggers each; prints microseconds per trigger.
# Needs `swift build -c release`. Usage: bash bindings/ruby/benchmark.sh [COUNT] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/servers.sh
count=${1:-1000} rounds=${2:-3}
hook=11111111-1111-4111-8111-111111111111
work="$(mktemp -d)"
trap 'stop_server "${FAKE_PID:-}"; rm -rf "$work"' EXIT
cc -O2 -I include -o "$work/steady" benchmarks/steady_deployhook.c \
  -L packaging/build-tree/lib -ldeployhook -Wl,-rpath,"$PWD/packaging/build-tree/lib"
start_server FAKE "$work/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0
per() { awk -v s="$1" -v n="$count" 'BEGIN { printf "%6.1f us", s / n * 1e6 }'; }
for round in $(seq "$rounds"); do
  c1=$("$work/steady" "$FAKE_BASE" $hook "$count")
  rb=$(ruby -Ibindings/ruby/lib bindings/ruby/benchmark.rb "$FAKE_BASE" $hook "$count")
  c2=$("$work/steady" "$FAKE_BASE" $hook "$count")
  echo "round $round: C $(per "$c1")  Ruby $(per "$rb")  C again $(per "$c2")"
done
