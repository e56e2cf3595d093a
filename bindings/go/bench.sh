#!/usr/bin/env bash
# The cost of one trigger on a warm client, Go binding against the C library, in the same run: starts the
# test fake, builds benchmarks/steady_deployhook.c and bindings/go/internal/steady (the same loop in Go),
# runs them interleaved RUNS times (default 7) with COUNT triggers each (default 1000) against the fake's
# ok hook, and prints the median time per trigger of each. From the repository root:
#   bash bindings/go/bench.sh [COUNT] [RUNS]


set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COUNT=${1:-1000}
RUNS=${2:-7}
export GOPROXY=off GOTOOLCHAIN=local GOSUMDB=off
export GOCACHE="${GOCACHE:-$ROOT/build/go/cache}" GOPATH="${GOPATH:-$ROOT/build/go/path}"
export PKG_CONFIG_PATH="$ROOT/packaging/build-tree${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
WORK=$(mktemp -d)
FAKE_PID=""
. scripts/servers.sh
trap 'stop_server "$FAKE_PID"; rm -rf "$WORK"' EXIT
start_server FAKE "$WORK/fake.log" python3 Tests/fake_api/fake_cloudflare.py --port 0
HOOK=11111111-1111-4111-8111-111111111111

# shellcheck disable=SC2046
cc -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -o "$WORK/steady_c" benchmarks/steady_deployhook.c $(pkg-config --cflags --libs deployhook)
(cd bindings/go && go build -o "$WORK/steady_go" ./internal/steady)

# Interleaved runs; each program prints the wall time of its loop; the CPU time (user + system) of each
# process comes from getrusage, less that of a run with no triggers (start-up, warm-up trigger).
python3 - "$WORK/steady_c" "$WORK/steady_go" "$FAKE_BASE" "$HOOK" "$COUNT" "$RUNS" <<'PY'
import resource, statistics, subprocess, sys
c_bin, go_bin, base, hook, count, runs = sys.argv[1:3] + sys.argv[3:5] + [int(sys.argv[5]), int(sys.argv[6])]

def run(binary, n):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([binary, base, hook, str(n)], check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(out), cpu

results = {"C": ([], []), "Go": ([], [])}
for _ in range(runs):
    for name, binary in (("C", c_bin), ("Go", go_bin)):
        _, idle_cpu = run(binary, 0)
        wall, cpu = run(binary, count)
        results[name][0].append(wall)
        results[name][1].append(cpu - idle_cpu)
print(f"{count} triggers against the fake's ok hook, medians of {runs} interleaved runs (per trigger: wall, CPU)")
us = {name: (statistics.median(w) * 1e6 / count, statistics.median(c) * 1e6 / count) for name, (w, c) in results.items()}
print(f"C  deployhook_trigger_with, one options object: {us['C'][0]:7.1f} us wall, {us['C'][1]:6.1f} us CPU")
print(f"Go Client.Trigger, context.Background():        {us['Go'][0]:7.1f} us wall, {us['Go'][1]:6.1f} us CPU "
      f"({us['Go'][0] / us['C'][0]:.2f}x, {us['Go'][0] - us['C'][0]:+.1f} us wall; {us['Go'][1] - us['C'][1]:+.1f} us CPU)")
PY
