#!/usr/bin/env python3
"""Cold start of the Python binding: a fresh interpreter that imports deployhook and triggers once,
against the same with `requests`, and a bare `python3 -c pass`. All on loopback, in one run.

Usage: python3 benchmarks/python_cold_start.py [--runs N]

It starts the shared fake API (Tests/fake_api/fake_cloudflare.py) on 127.0.0.1, checks that each
program really triggers (exit status 0, one request recorded), then runs the three programs N times in
turn and prints, per program, the median wall time, its cost over the bare interpreter, and the median
peak RSS (GNU time's %M, a wait4 rusage). The goal: deployhook's cost at most a quarter of requests'
cost, and no more peak RSS than requests. Needs `swift build -c release` first, `requests`, and
/usr/bin/time (Debian package "time").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FAKE = REPO / "Tests" / "fake_api" / "fake_cloudflare.py"
HOOK = "11111111-1111-4111-8111-111111111111"  # the fake's "ok" scenario
TIME = "/usr/bin/time"  # GNU time, for the peak RSS (Debian package "time")

PROGRAMS = {
    "bare python (-c pass)": "pass",
    "deployhook: import + trigger": "import os, deployhook; deployhook.trigger(os.environ['HOOK'])",
    "requests: import + post": (
        "import os, requests\n"
        "answer = requests.post(os.environ['CLOUDFLARE_BASE_URL'] + '/workers/builds/deploy_hooks/'"
        " + os.environ['HOOK'], timeout=60)\n"
        "answer.raise_for_status(); answer.json()"
    ),
}


def run_once(code: str, environment: dict[str, str], rss_file: str) -> tuple[float, int]:
    """Runs ``python -c code``; returns its wall time in ms and its peak RSS in KiB.

    The peak comes from GNU time (a wait4 rusage), which runs the program as its own small child: the
    rusage of a process spawned straight from this one would also count this interpreter's memory, as
    the kernel keeps the high-water mark of the memory a process had before its exec.
    """
    argv = [TIME, "-f", "%M", "-o", rss_file, sys.executable, "-c", code]
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    started = time.perf_counter()
    _, status = os.waitpid(os.posix_spawn(TIME, argv, environment, file_actions=actions), 0)
    elapsed = (time.perf_counter() - started) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"a benchmark run failed: {code!r}")
    with open(rss_file) as report:
        return elapsed, int(report.read().split()[-1])


def recorded_requests(port: int) -> int:
    """How many trigger requests the fake has seen since its last reset; then resets it."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/requests", timeout=10) as answer:
        count = len(json.loads(answer.read()))
    reset = urllib.request.Request(f"http://127.0.0.1:{port}/_fake/reset", data=b"", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each program (default 21)")
    runs = parser.parse_args().runs

    fake = subprocess.Popen([sys.executable, str(FAKE), "--port", "0"], stdout=subprocess.PIPE, text=True)
    bytecode = tempfile.TemporaryDirectory(prefix="deployhook-bench-pyc-")
    try:
        assert fake.stdout is not None
        port = int(fake.stdout.readline().split()[1])
        # No DEPLOYHOOK_LIBRARY: the binding finds .build/release itself. Bytecode is cached (in a temporary
        # folder, for all three alike) as it is after any install, even where PYTHONDONTWRITEBYTECODE is set.
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("DEPLOYHOOK_LIBRARY", "PYTHONDONTWRITEBYTECODE")}
        environment.update(PYTHONPATH=str(REPO / "bindings" / "python"), PYTHONPYCACHEPREFIX=bytecode.name,
                           HOOK=HOOK, CLOUDFLARE_BASE_URL=f"http://127.0.0.1:{port}/client/v4")
        rss_file = os.path.join(bytecode.name, "rss")
        for name, code in PROGRAMS.items():  # a check that each one works, and a warm-up of the disk cache
            run_once(code, environment, rss_file)
            if name != "bare python (-c pass)" and recorded_requests(port) != 1:
                raise SystemExit(f"{name}: expected exactly one trigger request")
        samples: dict[str, list[tuple[float, int]]] = {name: [] for name in PROGRAMS}
        for _ in range(runs):
            for name, code in PROGRAMS.items():
                samples[name].append(run_once(code, environment, rss_file))
    finally:
        fake.terminate()
        fake.wait(timeout=10)
        bytecode.cleanup()

    wall = {name: statistics.median(ms for ms, _ in values) for name, values in samples.items()}
    rss = {name: statistics.median(kib for _, kib in values) / 1024 for name, values in samples.items()}
    bare, ours, theirs = wall.values()
    print(f"Python {sys.version.split()[0]}, {runs} runs each, loopback fake API, median values\n")
    print(f"{'program':<32}{'wall ms':>10}{'over bare ms':>15}{'peak RSS MiB':>15}")
    for name in PROGRAMS:
        over = "" if wall[name] == bare else f"{wall[name] - bare:+.1f}"
        print(f"{name:<32}{wall[name]:>10.1f}{over:>15}{rss[name]:>15.1f}")
    ratio = (ours - bare) / (theirs - bare)
    rss_ours, rss_theirs = list(rss.values())[1:]
    print(f"\ndeployhook's cost over bare = {ratio:.3f} x requests' cost (goal <= 0.25): "
          f"{'met' if ratio <= 0.25 else 'MISSED'}")
    print(f"peak RSS: deployhook {rss_ours:.1f} MiB vs requests {rss_theirs:.1f} MiB (goal: not more): "
          f"{'met' if rss_ours <= rss_theirs else 'MISSED'}")


if __name__ == "__main__":
    main()
