#!/usr/bin/env python3
"""The deployhook benchmarks (issues 6 and 16): one command, one loopback server, one table.

Usage: python3 benchmarks/run.py [--quick] [--only 1,2,3,4,5] [--output PATH]
(`make bench` runs `bash benchmarks/setup.sh` first, which installs the prerequisites.)

1. CLI cold start: one `deployhook-cli trigger` process vs one `curl -sS -X POST` process.
   Goal: within 1.15x of curl.
2. Python cold start: a fresh interpreter that imports and triggers once: deployhook vs `requests` vs
   Cloudflare's `cloudflare` package (5.9.0, its generic `post`), each also as cost over a bare
   `python -c pass`, with peak RSS. Goal: deployhook's added cost at most 0.20x requests' and 0.08x
   cloudflare's, and no more peak RSS than requests.
3. Steady state: 1,000 sequential triggers in one process through one client (C, libdeployhook) vs a C
   program using libcurl directly with one reused handle. Goal: within 1.2x of raw libcurl.
4. Fan-out: 100 distinct hooks against a server answering after 50 ms: deployhook (C and CLI) at
   curl's default parallelism (50) vs a sequential shell loop of curl vs `curl --parallel`.
   Goal: at least 20x faster than the loop and no slower than `curl --parallel`.
6. Fan-out scaling: deployhook_trigger_many of 10,000 and of 100,000 hooks (50 at once, a server answering at
   once): the CPU time per hook. Goal: at 100,000 within 1.5x of that at 10,000 (the cost grows linearly).
5. Size: the stripped libdeployhook.so (goal at most 8 MB) and the manylinux wheel that bundles it with
   libcurl (goal at most 9 MB), each beside the size it had before (13.9 MB and 12 MB, issue 16).

Every contestant talks to the same nginx (started here from benchmarks/nginx.conf.in on a free
loopback port, stopped on exit), which answers with Cloudflare's success envelope. Each contestant is
checked once before timing and at every run: exit status 0, the answer a success, and exactly the
expected number of requests seen by nginx (its stub_status counter). Runs are interleaved (one run of
each contestant in turn, the order rotating) so that they share the machine's noise; the table shows
medians. Needs `swift build -c release` (libdeployhook.so, deployhook-cli) and benchmarks/setup.sh.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RELEASE = REPO / ".build" / "release"
LIBRARY = RELEASE / "libdeployhook.so"
CLI = RELEASE / "deployhook-cli"
VENV_PYTHON = HERE / ".venv" / "bin" / "python"
# The interpreter of the Python contestants: the venv's (benchmark 2 needs its packages), else this one.
PYTHON = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
NGINX_TEMPLATE = HERE / "nginx.conf.in"
ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
GNU_TIME = "/usr/bin/time"  # peak RSS (Debian package "time")

HOOK = "11111111-1111-4111-8111-111111111111"
TRIGGER_PATH = "/workers/builds/deploy_hooks/"
STEADY_COUNT = 1000
FANOUT_HOOKS = 100
FANOUT_DELAY_MS = 50
CURL_PARALLEL_MAX = 50  # curl's default --parallel-max, stated explicitly; deployhook runs at the same
BUILD_UUID = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
CREATED_ON = "2019-12-27T18:11:19.117Z"


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


# Cloudflare's answer to a trigger, as Tests/fake_api/fake_cloudflare.py's "ok" scenario gives it.
OK_BODY = compact({"success": True, "errors": [], "messages": [], "result": {
    "build_uuid": BUILD_UUID, "status": "queued", "already_exists": False, "created_on": CREATED_ON}})
NOT_ALLOWED_BODY = compact({"success": False, "errors": [{"code": 10405, "message": "Method not allowed"}],
                            "messages": [], "result": None})
NO_ROUTE_BODY = compact({"success": False, "errors": [{"code": 7003, "message": "Could not route"}],
                         "messages": [], "result": None})


def fanout_hooks() -> list[str]:
    """100 distinct, deterministic hook UUIDs (version 5)."""
    return [str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://deployhook.invalid/benchmark-hook/{i}"))
            for i in range(FANOUT_HOOKS)]


# ---------------------------------------------------------------------------------------------------
# The server


class Nginx:
    """nginx in the foreground (daemon off), in its own session, from a temporary prefix."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> None:
        template = NGINX_TEMPLATE.read_text()
        for _ in range(5):  # a free port can be taken between the probe and nginx's bind: try another
            self.port = free_port()
            config = (template.replace("@PREFIX@", str(self.prefix)).replace("@PORT@", str(self.port))
                      .replace("@BODY@", OK_BODY).replace("@NOT_ALLOWED@", NOT_ALLOWED_BODY)
                      .replace("@NO_ROUTE@", NO_ROUTE_BODY))
            (self.prefix / "nginx.conf").write_text(config)
            log = open(self.prefix / "nginx.out", "wb")
            self.process = subprocess.Popen(
                ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
                 "-e", str(self.prefix / "error.log")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
            log.close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    self.counters()
                    return
                except OSError:
                    time.sleep(0.05)
            self.stop()
        output = (self.prefix / "nginx.out").read_text(errors="replace")
        errors = (self.prefix / "error.log").read_text(errors="replace") if (self.prefix / "error.log").exists() else ""
        raise SystemExit(f"nginx did not start:\n{output}{errors}")

    def stop(self) -> None:
        """Stops the master (which stops its workers); kills the whole group if it lingers."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        try:  # the session leader's group holds the master and its workers, nothing else
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def base(self, delay: bool = False) -> str:
        return f"http://127.0.0.1:{self.port}{'/delay50' if delay else ''}/client/v4"

    def counters(self) -> tuple[int, int]:
        """stub_status' counters over all workers, this request and its connection included: connections
        accepted and requests served."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_status", timeout=5) as answer:
            text = answer.read().decode()
        accepted, _, served = text.splitlines()[2].split()
        return int(accepted), int(served)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the workers (user + system)."""
        if self.process is None:
            return 0.0
        total = 0
        for child in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------------------
# Contestants and runs


def check_nothing(_: str) -> str | None:
    return None


def check_lines(expected: str, count: int) -> Callable[[str], str | None]:
    """Checks that standard output is `count` lines, each `expected` (e.g. curl's -w '%{http_code}\\n')."""
    def check(stdout: str) -> str | None:
        lines = stdout.split()
        good = sum(line == expected for line in lines)
        return None if good == count == len(lines) else f"{good} of {count} answers were {expected}"
    return check


def check_first_number(expected: int) -> Callable[[str], str | None]:
    def check(stdout: str) -> str | None:
        words = stdout.split()
        return None if words and words[0] == str(expected) else f"{stdout.strip()!r}: not {expected} successes"
    return check


def check_json_lines_queued(count: int) -> Callable[[str], str | None]:
    def check(stdout: str) -> str | None:
        builds = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        good = sum(b.get("status") == "queued" and b.get("build_uuid") == BUILD_UUID and b.get("error") is None
                   for b in builds)
        return None if good == count == len(builds) else f"{good} of {count} triggers parsed as a queued build"
    return check


def wall_time(wall: float, _: str) -> float:
    return wall


def printed_seconds(_: float, stdout: str) -> float:
    """The last number the program printed: its own timing of the measured part."""
    return float(stdout.split()[-1])


@dataclass
class Contestant:
    name: str
    argv: list[str]
    env: dict[str, str]
    requests: int  # trigger requests one run must send, checked through nginx's counter
    check: Callable[[str], str | None] = check_nothing  # standard output of every run
    measure: Callable[[float, str], float] = wall_time
    rss: bool = False  # run it under GNU time for its peak RSS
    verify_argv: list[str] | None = None  # an extra command run once before timing...
    verify: Callable[[str], str | None] = check_nothing  # ...and what its output must satisfy
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)  # connections each run opened
    nginx_cpu: float = 0.0
    wall_total: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_rss_mib(self) -> float:
        return statistics.median(self.rss_kib) / 1024


class Runner:
    def __init__(self, nginx: Nginx, scratch: Path) -> None:
        self.nginx = nginx
        self.scratch = scratch

    def spawn(self, argv: list[str], env: dict[str, str], rss: bool) -> tuple[float, int, str, str, int]:
        """Runs argv; returns wall seconds, exit code, stdout, stderr and peak RSS (KiB, or 0)."""
        out, err, rss_file = (str(self.scratch / name) for name in ("stdout", "stderr", "rss"))
        if rss:
            argv = [GNU_TIME, "-f", "%M", "-o", rss_file, *argv]
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, out, flags, 0o600),
                   (os.POSIX_SPAWN_OPEN, 2, err, flags, 0o600)]
        executable = shutil.which(argv[0], path=env.get("PATH")) or argv[0]
        started = time.perf_counter()
        pid = os.posix_spawn(executable, argv, env, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        wall = time.perf_counter() - started
        peak = int(Path(rss_file).read_text().split()[-1]) if rss else 0
        return (wall, os.waitstatus_to_exitcode(status), Path(out).read_text(errors="replace"),
                Path(err).read_text(errors="replace"), peak)

    def run(self, contestant: Contestant, record: bool) -> None:
        """One run, checked: exit status 0, its output, and the requests nginx saw."""
        (accepted, before), cpu_before = self.nginx.counters(), self.nginx.cpu_seconds()
        wall, code, stdout, stderr, peak = self.spawn(contestant.argv, contestant.env, contestant.rss)
        cpu_after, (accepted_after, after) = self.nginx.cpu_seconds(), self.nginx.counters()
        sent = after - before - 1  # the second status request counts itself, as its connection does
        problem = (f"exit status {code}" if code != 0 else contestant.check(stdout)
                   or (f"nginx saw {sent} requests, not {contestant.requests}" if sent != contestant.requests else None))
        if problem:
            raise SystemExit(f"{contestant.name}: {problem}\n  command: {shown(contestant.argv)}\n"
                             f"  stdout: {stdout[-2000:]}\n  stderr: {stderr[-2000:]}")
        if record:
            contestant.seconds.append(contestant.measure(wall, stdout))
            if contestant.rss:
                contestant.rss_kib.append(peak)
            contestant.connections.append(accepted_after - accepted - 1)
            contestant.nginx_cpu += cpu_after - cpu_before
            contestant.wall_total += wall

    def compare(self, title: str, contestants: list[Contestant], runs: int) -> None:
        """Checks each contestant once (also a warm-up), then interleaves `runs` runs of each."""
        print(f"== {title}: checking {len(contestants)} contestants", file=sys.stderr, flush=True)
        for contestant in contestants:
            if contestant.verify_argv is not None:
                _, code, stdout, stderr, _ = self.spawn(contestant.verify_argv, contestant.env, False)
                problem = f"exit status {code}" if code != 0 else contestant.verify(stdout)
                if problem:
                    raise SystemExit(f"{contestant.name} (check): {problem}\n  command: {shown(contestant.verify_argv)}\n"
                                     f"  stdout: {stdout[-2000:]}\n  stderr: {stderr[-2000:]}")
            self.run(contestant, record=False)
        started = time.monotonic()
        for index in range(runs):
            shift = index % len(contestants)
            for contestant in contestants[shift:] + contestants[:shift]:
                self.run(contestant, record=True)
        print(f"   {runs} interleaved runs each in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        for contestant in contestants:
            values = contestant.seconds
            print(f"   {contestant.name:<55} median {ms(contestant.median):>10}   min {ms(min(values)):>10}"
                  f"   max {ms(max(values)):>10}   connections {statistics.median(contestant.connections):g}",
                  file=sys.stderr, flush=True)


def shown(argv: list[str]) -> str:
    text = " ".join(argv)
    return text if len(text) < 300 else text[:300] + " ..."


# ---------------------------------------------------------------------------------------------------
# The table


@dataclass
class Goal:
    text: str  # e.g. "<= 1.3x"
    met: bool | None  # None: informational


@dataclass
class Row:
    benchmark: str
    contestant: str
    median: str
    versus: str = ""
    goals: list[Goal] = field(default_factory=list)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def at_most(ratio: float, limit: float) -> Goal:
    return Goal(f"≤ {limit:g}x", ratio <= limit)


def markdown(rows: list[Row]) -> list[str]:
    header = ["Benchmark", "Contestant", "Median", "Ratio vs baseline", "Goal", "Met?"]
    body = []
    previous = ""
    for row in rows:
        goal = "; ".join(g.text for g in row.goals) or "—"
        met = "; ".join("informational" if g.met is None else ("yes" if g.met else "**NO**") for g in row.goals) or ""
        body.append(["" if row.benchmark == previous else row.benchmark, row.contestant, row.median,
                     row.versus or "—", goal, met])
        previous = row.benchmark
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |"
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(cells) for cells in body)]


# ---------------------------------------------------------------------------------------------------
# The four benchmarks


def base_environment() -> dict[str, str]:
    """This environment without anything that would change where or how the contestants connect."""
    dropped = re.compile(r"^(CLOUDFLARE_|DEPLOYHOOK_|PYTHON|.*_proxy$|.*_PROXY$|CURL_|SSL_CERT|REQUESTS_CA)")
    environment = {key: value for key, value in os.environ.items() if not dropped.match(key)}
    environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1,localhost"
    return environment


def cli_cold_start(runner: Runner, environment: dict[str, str], runs: int) -> tuple[list[Row], list[Contestant]]:
    base = runner.nginx.base()
    curl = Contestant("curl -sS -X POST", ["curl", "-sS", "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}\\n",
                                           base + TRIGGER_PATH + HOOK], environment, 1, check_lines("200", 1))
    cli = Contestant("deployhook-cli trigger", [str(CLI), "trigger", "-q", "--base-url", base, HOOK], environment, 1,
                     verify_argv=[str(CLI), "trigger", "--json", "--base-url", base, HOOK],
                     verify=check_json_lines_queued(1))
    contestants = [curl, cli]
    runner.compare("1. CLI cold start", contestants, runs)
    title = "1. CLI cold start"
    ratio = cli.median / curl.median
    return [Row(title, "curl -sS -X POST", ms(curl.median), "baseline"),
            Row(title, "deployhook-cli trigger", ms(cli.median), f"{ratio:.2f}x curl", [at_most(ratio, 1.15)])], contestants


def python_cold_start(runner: Runner, environment: dict[str, str], runs: int,
                      bytecode: Path) -> tuple[list[Row], list[Contestant]]:
    base = runner.nginx.base()
    env = dict(environment, PYTHONPATH=str(REPO / "bindings" / "python"), PYTHONPYCACHEPREFIX=str(bytecode),
               CLOUDFLARE_BASE_URL=base, HOOK=HOOK)
    python = str(VENV_PYTHON)
    programs = {
        "bare python -c pass": ("pass", 0),
        "deployhook: import + trigger": (
            "import os, deployhook\n"
            "build = deployhook.trigger(os.environ['HOOK'])\n"
            "assert build.status.value == 'queued', build", 1),
        "requests: import + post": (
            "import os, requests\n"
            "answer = requests.post(os.environ['CLOUDFLARE_BASE_URL'] + '/workers/builds/deploy_hooks/'"
            " + os.environ['HOOK'], timeout=60)\n"
            "answer.raise_for_status()\n"
            "assert answer.json()['success'], answer.text", 1),
        # The SDK has no method for this endpoint, so its generic post. The endpoint takes no credentials:
        # the client refuses to send a request without one unless the Authorization header is omitted.
        "cloudflare 5.9.0: import + post": (
            "import os\n"
            "from cloudflare import Cloudflare, omit\n"
            "client = Cloudflare(base_url=os.environ['CLOUDFLARE_BASE_URL'], max_retries=0)\n"
            "answer = client.post('/workers/builds/deploy_hooks/' + os.environ['HOOK'], cast_to=object,"
            " options={'headers': {'Authorization': omit}})\n"
            "assert answer['success'], answer", 1),
    }
    contestants = [Contestant(name, [python, "-c", code], env, requests, rss=True)
                   for name, (code, requests) in programs.items()]
    runner.compare("2. Python cold start", contestants, runs)
    bare, ours, plain, sdk = contestants
    cost = {c.name: c.median - bare.median for c in contestants}
    title = "2. Python cold start"

    def median_text(c: Contestant) -> str:
        over = "" if c is bare else f" (+{cost[c.name] * 1000:.1f} ms)"
        return f"{ms(c.median)}{over}, {c.median_rss_mib:.1f} MiB"

    to_requests = cost[ours.name] / cost[plain.name]
    to_sdk = cost[ours.name] / cost[sdk.name]
    rss_ratio = ours.median_rss_mib / plain.median_rss_mib
    return [
        Row(title, "python -c pass", median_text(bare), "bare interpreter"),
        Row(title, "deployhook", median_text(ours),
            f"cost {to_requests:.3f}x requests', {to_sdk:.3f}x cloudflare's; RSS {rss_ratio:.2f}x requests'",
            [Goal("cost ≤ 0.20x requests'", to_requests <= 0.20), Goal("cost ≤ 0.08x cloudflare's", to_sdk <= 0.08),
             Goal("RSS ≤ 1x requests'", ours.median_rss_mib <= plain.median_rss_mib)]),
        Row(title, "requests", median_text(plain), "baseline"),
        Row(title, "cloudflare 5.9.0 (generic post)", median_text(sdk), "baseline"),
    ], contestants


def steady_state(runner: Runner, environment: dict[str, str], runs: int, binaries: dict[str, Path],
                 bytecode: Path) -> tuple[list[Row], list[Contestant]]:
    base = runner.nginx.base()
    count = str(STEADY_COUNT)
    raw = Contestant("libcurl, one reused handle", [str(binaries["steady_libcurl"]), base + TRIGGER_PATH + HOOK, count],
                     environment, STEADY_COUNT + 1, measure=printed_seconds)
    ours = Contestant("libdeployhook, one options", [str(binaries["steady_deployhook"]), base, HOOK, count],
                      environment, STEADY_COUNT + 1, measure=printed_seconds)
    python_loop = (
        "import sys, time, deployhook\n"
        "client = deployhook.Client(base_url=sys.argv[1])\n"
        "hook, count = sys.argv[2], int(sys.argv[3])\n"
        "assert client.trigger(hook).status.value == 'queued'\n"
        "started = time.perf_counter()\n"
        "for _ in range(count):\n"
        "    assert client.trigger(hook).status.value == 'queued'\n"
        "print(time.perf_counter() - started)\n")
    py_env = dict(environment, PYTHONPATH=str(REPO / "bindings" / "python"), PYTHONPYCACHEPREFIX=str(bytecode))
    python = Contestant("Python deployhook.Client", [str(PYTHON), "-c", python_loop, base, HOOK, count],
                        py_env, STEADY_COUNT + 1, measure=printed_seconds)
    contestants = [raw, ours, python]
    runner.compare("3. Steady state", contestants, runs)
    title = f"3. Steady state, {STEADY_COUNT:,} triggers"

    def median_text(c: Contestant) -> str:
        return f"{ms(c.median)} ({c.median / STEADY_COUNT * 1e6:.0f} µs each)"

    ratio = ours.median / raw.median
    return [Row(title, "C, libcurl, one reused handle", median_text(raw), "baseline"),
            Row(title, "C, deployhook_trigger_with", median_text(ours), f"{ratio:.2f}x libcurl",
                [at_most(ratio, 1.2)]),
            Row(title, "Python, deployhook.Client", median_text(python), f"{python.median / raw.median:.2f}x libcurl",
                [Goal("—", None)])], contestants


def fan_out(runner: Runner, environment: dict[str, str], runs: int,
            binaries: dict[str, Path]) -> tuple[list[Row], list[Contestant]]:
    base = runner.nginx.base(delay=True)
    hooks = fanout_hooks()
    n = len(hooks)
    loop_script = ('for hook in "$@"; do curl -sS -X POST -o /dev/null -w "%{http_code}\\n" '
                   '"$BASE/workers/builds/deploy_hooks/$hook"; done')
    loop = Contestant("sequential curl loop", ["bash", "-c", loop_script, "bash", *hooks], dict(environment, BASE=base),
                      n, check_lines("200", n))
    parallel_argv = ["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(CURL_PARALLEL_MAX),
                     "-sS", "-X", "POST", "-w", "%{http_code}\\n"]
    for hook in hooks:
        parallel_argv += ["-o", "/dev/null", base + TRIGGER_PATH + hook]
    parallel = Contestant("curl --parallel", parallel_argv, environment, n, check_lines("200", n))
    fanout = str(binaries["fanout_deployhook"])

    def cli(concurrency: str | None) -> list[str]:
        return [str(CLI), "trigger", "--base-url", base, *(["--concurrency", concurrency] if concurrency else [])]

    c_same = Contestant(f"C, deployhook_trigger_many, {CURL_PARALLEL_MAX} at once",
                        [fanout, base, str(CURL_PARALLEL_MAX), *hooks], environment, n, check_first_number(n))
    cli_same = Contestant(f"deployhook-cli trigger --concurrency {CURL_PARALLEL_MAX}",
                          [*cli(str(CURL_PARALLEL_MAX)), "-q", *hooks], environment, n,
                          verify_argv=[*cli(str(CURL_PARALLEL_MAX)), "--json", *hooks], verify=check_json_lines_queued(n))
    c_default = Contestant("C, deployhook_trigger_many, default 8 at once",
                           [fanout, base, "default", *hooks], environment, n, check_first_number(n))
    cli_default = Contestant("deployhook-cli trigger (default --concurrency 8)", [*cli(None), "-q", *hooks],
                             environment, n)
    contestants = [loop, parallel, c_same, cli_same, c_default, cli_default]
    runner.compare("4. Fan-out", contestants, runs)
    title = f"4. Fan-out, {n} hooks, {FANOUT_DELAY_MS} ms server"

    def row(c: Contestant, goals: bool) -> Row:
        speedup, ratio = loop.median / c.median, c.median / parallel.median
        return Row(title, c.name, ms(c.median), f"{speedup:.1f}x faster than loop, {ratio:.2f}x curl --parallel",
                   [Goal("≥ 20x faster than loop", speedup >= 20), Goal("≤ 1x --parallel", ratio <= 1.0)]
                   if goals else [Goal("—", None)])

    return [Row(title, "sequential curl loop (bash for)", ms(loop.median), "baseline"),
            Row(title, f"curl --parallel --parallel-max {CURL_PARALLEL_MAX}", ms(parallel.median),
                f"baseline ({loop.median / parallel.median:.1f}x faster than loop)"),
            row(c_same, True), row(cli_same, True), row(c_default, False), row(cli_default, False)], contestants



def scaling(runner: Runner, binaries: dict[str, Path], runs: int) -> list[Row]:
    """6. CPU per hook of one trigger_many of 10,000 and of 100,000 hooks."""
    base = runner.nginx.base()
    per_hook: dict[int, float] = {}
    for count in (10_000, 100_000):
        samples = []
        for _ in range(runs):
            out = subprocess.run([str(binaries["fanout_deployhook"]), base, "50", "--count", str(count)],
                                 capture_output=True, text=True, check=True).stdout.split()
            if int(out[0]) != count:
                raise SystemExit(f"benchmarks: scaling: {out[0]} of {count} hooks succeeded")
            samples.append(float(out[2]) / count)
        per_hook[count] = statistics.median(samples)
    ratio = per_hook[100_000] / per_hook[10_000]
    title = "6. Fan-out scaling, CPU per hook"
    return [Row(title, "trigger_many of 10,000 hooks", f"{per_hook[10_000] * 1e6:.1f} µs", "baseline"),
            Row(title, "trigger_many of 100,000 hooks", f"{per_hook[100_000] * 1e6:.1f} µs",
                f"{ratio:.2f}x the 10,000 run's", [at_most(ratio, 1.5)])]


def sizes() -> list[Row]:
    """5. The stripped library and the manylinux wheel (built by scripts/build_wheel.sh from this build)."""
    title = "5. Size"
    with tempfile.TemporaryDirectory() as work:
        stripped = Path(work) / "libdeployhook.so"
        shutil.copyfile(LIBRARY.resolve(), stripped)
        subprocess.run(["strip", "--strip-unneeded", str(stripped)], check=True)
        library = stripped.stat().st_size
        wheel_out = Path(work) / "wheel"
        built = subprocess.run(["bash", str(REPO / "scripts" / "build_wheel.sh"), "--out", str(wheel_out)],
                               capture_output=True, text=True, env=dict(os.environ, DEPLOYHOOK_BUNDLE_LIBRARY=str(LIBRARY)))
        if built.returncode != 0:
            raise SystemExit(f"benchmarks: make wheel failed:\n{built.stderr[-2000:]}")
        wheel = Path(built.stdout.strip().splitlines()[-1])
        wheel_size = wheel.stat().st_size
    mb = 1_000_000
    return [Row(title, "stripped libdeployhook.so", f"{library / mb:.1f} MB", "13.9 MB before (issue 16)",
                [Goal("≤ 8 MB", library <= 8 * mb)]),
            Row(title, f"manylinux wheel ({wheel.name.split('-py3-none-')[-1].removesuffix('.whl')})",
                f"{wheel_size / mb:.1f} MB", "≈ 12 MB before (issue 16)", [Goal("≤ 9 MB", wheel_size <= 9 * mb)])]


# ---------------------------------------------------------------------------------------------------


def require_prerequisites(selected: set[str]) -> None:
    problems = []
    if not LIBRARY.exists() or not CLI.exists():
        problems.append(f"{LIBRARY.relative_to(REPO)} or {CLI.relative_to(REPO)} is missing: run `swift build -c release`")
    if "2" in selected and not VENV_PYTHON.exists():
        problems.append("benchmarks/.venv is missing: run `bash benchmarks/setup.sh`")
    for tool in ("nginx", "curl", "gcc", "pkg-config", GNU_TIME):
        if shutil.which(tool) is None:
            problems.append(f"{tool} is missing: run `bash benchmarks/setup.sh`")
    if not ECHO_MODULE.exists():
        problems.append(f"{ECHO_MODULE} is missing (libnginx-mod-http-echo): run `bash benchmarks/setup.sh`")
    if problems:
        raise SystemExit("benchmarks: " + "\n  ".join(["cannot run:", *problems]))


def compile_programs(scratch: Path) -> dict[str, Path]:
    curl_flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libcurl"], check=True, capture_output=True,
                                text=True).stdout.split()
    build_tree = REPO / "packaging" / "build-tree" / "lib"  # the library under its SONAME, as pkg-config gives it
    ours = ["-I", str(REPO / "include"), "-L", str(build_tree), "-ldeployhook", f"-Wl,-rpath,{build_tree}"]
    binaries = {}
    for name, flags in (("steady_deployhook", ours), ("steady_libcurl", curl_flags), ("fanout_deployhook", ours)):
        binaries[name] = scratch / name
        subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", str(HERE / f"{name}.c"), "-o", str(binaries[name]),
                        *flags], check=True)
    return binaries


def describe_environment() -> list[str]:
    def output(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"

    commit = output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    if output(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"]):
        commit += " + uncommitted changes"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    packages = output([str(PYTHON), "-c", "import importlib.metadata as m; print(' '.join(p + ' ' + m.version(p) "
                       "for p in ('requests', 'cloudflare', 'httpx')))"])
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    return [
        f"deployhook {output([str(CLI), '--version']).split()[-1]} at {commit}; "
        f"{output(['curl', '--version']).splitlines()[0].split(' (')[0]}, nginx {nginx}, "
        f"Python {output([str(PYTHON), '-c', 'import platform; print(platform.python_version())'])} "
        f"({packages})",
        f"{cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, load average {os.getloadavg()[0]:.2f} at start",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few runs: a smoke test of about a minute")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="benchmarks to run, e.g. 1,3 (default all)")
    parser.add_argument("--runs-cold", type=int, help="runs of each cold start contestant (default 31, quick 7)")
    parser.add_argument("--runs-steady", type=int, help="runs of each steady state contestant (default 7, quick 3)")
    parser.add_argument("--runs-fanout", type=int, help="runs of each fan-out contestant (default 7, quick 3)")
    parser.add_argument("--output", default=str(REPO / "build" / "benchmark-results.md"),
                        help="also write the Markdown table here (default build/benchmark-results.md; '' for none)")
    options = parser.parse_args()
    cold = options.runs_cold or (7 if options.quick else 31)
    steady = options.runs_steady or (3 if options.quick else 7)
    fanout = options.runs_fanout or (3 if options.quick else 7)
    selected = {part.strip() for part in options.only.split(",")}

    require_prerequisites(selected)
    scratch = Path(tempfile.mkdtemp(prefix="deployhook-bench-"))
    nginx = Nginx(scratch)

    def clean_up() -> None:
        nginx.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    atexit.register(clean_up)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, _: sys.exit(128 + number))

    started = datetime.datetime.now(datetime.timezone.utc)
    about = describe_environment()
    binaries = compile_programs(scratch)
    bytecode = scratch / "pycache"
    nginx.start()
    runner = Runner(nginx, scratch)
    environment = base_environment()
    print(f"nginx on 127.0.0.1:{nginx.port}; runs: cold start {cold}, steady state {steady}, fan-out {fanout}",
          file=sys.stderr, flush=True)

    rows: list[Row] = []
    notes: list[str] = []
    everyone: list[Contestant] = []
    if "1" in selected:
        more, contestants = cli_cold_start(runner, environment, cold)
        rows += more
        everyone += contestants
        notes.append("1: wall time of one process, spawn to exit (curl with `-o /dev/null -w %{http_code}`, checked: 200; "
                     "the CLI with `-q`, checked: exit status 0, and once with `--json`: a queued build).")
    if "2" in selected:
        more, contestants = python_cold_start(runner, environment, cold, bytecode)
        rows += more
        everyone += contestants
        notes.append("2: wall time of `python -c CODE` (in brackets: its cost over the bare interpreter) and its peak RSS "
                     "(GNU time's %M); one interpreter (benchmarks/.venv) for all, bytecode cached alike, deployhook "
                     "from the source tree (bindings/python, .build/release/libdeployhook.so); "
                     "cost ratio = (deployhook - bare) / (other - bare). cloudflare: `Cloudflare(base_url=..., "
                     "max_retries=0).post(path, cast_to=object)` with the Authorization header omitted (the endpoint "
                     "takes no credentials; the client refuses to send a request without one otherwise).")
    if "3" in selected:
        more, contestants = steady_state(runner, environment, steady, binaries, bytecode)
        rows += more
        everyone += contestants
        raw, ours = contestants[0], contestants[1]
        notes.append(f"3: the time of the {STEADY_COUNT:,}-trigger loop inside the process, after one untimed warm-up "
                     "trigger; every answer checked (libcurl: HTTP 200 and a success envelope; deployhook: a queued build). "
                     "Connections opened per run (nginx's count): "
                     + "; ".join(f"{c.name}: {statistics.median(c.connections):g}" for c in contestants) + ".")
        notes.append(f"Server headroom: nginx answered the raw libcurl loop at {STEADY_COUNT / raw.median:,.0f} requests/s "
                     f"on one connection, {ours.median / raw.median:.1f}x the rate libdeployhook asked of it.")
    if "4" in selected:
        more, contestants = fan_out(runner, environment, fanout, binaries)
        rows += more
        everyone += contestants
        floor = -(-FANOUT_HOOKS // CURL_PARALLEL_MAX) * FANOUT_DELAY_MS
        notes.append(f"4: wall time of the whole process (for the loop: of bash running {FANOUT_HOOKS} curl processes); "
                     f"every run checked: {FANOUT_HOOKS} HTTP 200s or successes, and {FANOUT_HOOKS} requests seen by nginx.")
        notes.append(f"Fan-out floor at {CURL_PARALLEL_MAX} at once: {FANOUT_HOOKS // CURL_PARALLEL_MAX} waves of "
                     f"{FANOUT_DELAY_MS} ms = {floor} ms.")
    if "6" in selected:
        rows += scaling(runner, binaries, 1 if options.quick else 3)
        notes.append("6: CPU time (user + system, getrusage) of the process during one deployhook_trigger_many call of "
                     "N made-up distinct hooks, 50 at once, against nginx answering at once; every hook checked.")
    if "5" in selected:
        rows += sizes()
        notes.append("5: `strip --strip-unneeded` of a copy of .build/release/libdeployhook.so; the wheel as "
                     "`make wheel` builds it (scripts/build_wheel.sh: the linux wheel, then auditwheel repair).")
    if everyone:
        busiest = max(everyone, key=lambda c: c.nginx_cpu / c.wall_total if c.wall_total else 0.0)
        share = busiest.nginx_cpu / busiest.wall_total if busiest.wall_total else 0.0
        notes.append(f"nginx's workers used at most {share * 100:.0f}% of one CPU during any contestant's runs"
                     + (f" ({busiest.name})" if share >= 0.01 else "") + ": the server is not the bottleneck.")
    nginx.stop()

    goals = [(row, goal) for row in rows for goal in row.goals if goal.met is not None]
    missed = [f"{row.benchmark.split('.')[0]}. {row.contestant}: {goal.text}" for row, goal in goals if not goal.met]
    summary = (f"Goals met: {len(goals) - len(missed)} of {len(goals)}"
               + (f"; missed: {'; '.join(missed)}." if missed else "."))
    command = "python3 benchmarks/run.py" + (" --quick" if options.quick else "")
    if selected != {"1", "2", "3", "4", "5", "6"}:
        command += f" --only {options.only}"
    lines = [
        f"Benchmarks of {started:%Y-%m-%d %H:%M} UTC (`{command}`; `make bench` installs the prerequisites first). "
        f"Medians of {cold} (cold start), {steady} (steady state) and {fanout} (fan-out) interleaved runs, "
        "all against one nginx on loopback answering with Cloudflare's success envelope.",
        "",
        *(f"{line}  " for line in about),
        "",
        *markdown(rows),
        "",
        *(f"- {note}" for note in notes),
        "",
        summary,
    ]
    text = "\n".join(lines) + "\n"
    print()
    print(text, end="")
    if options.output:
        Path(options.output).parent.mkdir(parents=True, exist_ok=True)
        Path(options.output).write_text(text)
        print(f"(also written to {options.output})", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # nginx and the temporary files go at exit
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
