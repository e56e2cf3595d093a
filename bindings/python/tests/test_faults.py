"""The fault matrix: what a trigger does when the network or the server misbehaves, over real loopback HTTP.

Each case triggers one fault scenario of the shared fake (Tests/fake_api/SCENARIOS.md, "Fault scenarios")
through the Python binding and checks three things: the error kind (``ErrorCode``; ``OK`` for a success),
that the call ended within its configured timeout plus ``MARGIN`` (the timeout is a deadline for the whole
call), and that nothing crashed. Every case runs in a child interpreter, so a crash (a stack overflow on
deep JSON, say) fails that case alone, and so each child can measure its own peak RSS (VmHWM) around the
trigger: for the large answers the growth must stay well under what the server sent.

Choices made here:
- **Unresolvable host**: the name is ``deployhook-fault.invalid`` (``.invalid`` is reserved by RFC 6761 and
  never resolves), and the child runs under ``unshare --net``: a fresh network namespace whose only
  interface is a loopback that is down, so whatever the resolver tries cannot leave the machine (the
  configured nameserver is unreachable and the lookup fails at once). Skipped when ``unshare`` is missing
  or not permitted.
- **Close-delimited HTTP/1.0 bodies**: without Content-Length or chunking, the server closing the connection
  *is* the end of the body (RFC 9112, 6.3, last rule), so the client cannot tell a truncated body from a
  complete one and no transport error exists to report. A complete JSON body is a success; a truncated one
  is a complete answer that is not JSON: ``RESPONSE`` (not ``NETWORK``: nothing failed on the wire, and
  ``RESPONSE`` is not retried, which is right: the same server would send the same bytes).
- **Non-UTF-8 JSON**: JSON exchanged between systems must be UTF-8 (RFC 8259, 8.1); a body with invalid
  UTF-8 is not JSON, so ``RESPONSE``, like gzip bytes or garbage. Whatever the library decides, the
  binding must raise a ``DeployHookError``, never a bare ``UnicodeDecodeError``.
- **100,000 levels of nesting**: RFC 8259 (9) lets a parser limit nesting depth; a body past the limit is
  unreadable: ``RESPONSE``, and above all no stack overflow.
- **A 1 MiB header line**: an oversized answer, like a body over 1 MiB: ``RESPONSE`` (the library did not
  fail inside: ``INTERNAL`` would be wrong).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
from typing import Any

import pytest
from support import HOOKS, REPO, FakeAPI, closed_port, fake_cloudflare

from deployhook import ErrorCode

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")

REFUSED = "<connection refused>"        # pseudo-scenario: a loopback port nothing listens on
UNRESOLVABLE = "<unresolvable host>"    # pseudo-scenario: deployhook-fault.invalid, under unshare --net

# (case name, scenario, timeout in seconds, expected ErrorCode); every case with max_retries=0.
FAULTS = [
    ("connection refused", REFUSED, 2.0, ErrorCode.NETWORK),
    ("host does not resolve", UNRESOLVABLE, 2.0, ErrorCode.NETWORK),
    ("reset before the status line", "reset_before_status", 2.0, ErrorCode.NETWORK),
    ("reset mid-headers", "reset_mid_headers", 2.0, ErrorCode.NETWORK),
    ("reset mid-body", "reset_mid_body", 2.0, ErrorCode.NETWORK),
    ("headers trickled at 1 byte/s", "trickle_headers", 1.0, ErrorCode.TIMEOUT),
    ("body trickled past the timeout", "trickle_body", 1.0, ErrorCode.TIMEOUT),
    ("64 MiB body with Content-Length", "huge", 2.0, ErrorCode.RESPONSE),
    ("64 MiB chunked body", "huge_chunked", 2.0, ErrorCode.RESPONSE),
    ("1 MiB header line", "huge_header", 2.0, ErrorCode.RESPONSE),
    ("garbage that is not HTTP", "garbage", 2.0, ErrorCode.RESPONSE),
    ("HTTP/1.0 close-delimited, valid JSON", "http10_close", 2.0, ErrorCode.OK),
    ("HTTP/1.0 close-delimited, truncated", "http10_close_truncated", 2.0, ErrorCode.RESPONSE),
    ("302 redirect (not followed)", "redirect", 2.0, ErrorCode.HTTP),
    ("307 redirect to the fake (not followed)", "redirect_self", 2.0, ErrorCode.HTTP),
    ("non-UTF-8 bytes in a JSON body", "non_utf8", 2.0, ErrorCode.RESPONSE),
    ("JSON nested 100,000 levels deep", "deep_nesting", 2.0, ErrorCode.RESPONSE),
    ("gzip body the client did not ask for", "gzip_unasked", 2.0, ErrorCode.RESPONSE),
]

# How far past its timeout a call may end (scheduling, thread hand-offs, a loaded 2-core machine).
MARGIN = 0.5
# Peak RSS growth allowed during the trigger, for the cases that send a lot (KiB). The library keeps at
# most 1 MiB of body and libcurl at most 100 KiB of header line; the rest is slack for allocator rounding.
RSS_LIMITS_KIB = {
    "huge": 8 * 1024,            # 64 MiB announced
    "huge_chunked": 8 * 1024,    # 64 MiB streamed, no length announced: the 1 MiB cap must stop it
    "huge_header": 768,          # 1 MiB header line: must not be buffered whole
    "deep_nesting": 16 * 1024,   # 200 KB of brackets: a parser must not build 100,000 levels
}
UNRESOLVABLE_BASE = "http://deployhook-fault.invalid/client/v4"

# Runs one trigger in a child interpreter and prints one JSON line: the ErrorCode (0 for a build; null when
# something other than a DeployHookError escaped), the time the trigger took, and VmHWM's growth over it.
CHILD = r"""
import json, sys, time
import deployhook

def vm_hwm_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM")

args = json.loads(sys.argv[1])
# Warm up first (library, Swift runtime, libcurl), so the measured growth is the fault's own.
try:
    deployhook.Client(base_url=args["warm_base"], timeout=2, max_retries=0).trigger(args["warm_hook"])
except deployhook.DeployHookError:
    pass
client = deployhook.Client(base_url=args["base"], timeout=args["timeout"], max_retries=args["retries"])
before = vm_hwm_kib()
start = time.monotonic()
try:
    build = client.trigger(args["hook"])
    out = {"code": 0, "build_uuid": build.build_uuid, "status": build.status.value}
except deployhook.DeployHookError as error:
    out = {"code": int(error.code), "message": str(error), "http_status": error.http_status}
except BaseException as error:
    out = {"code": None, "message": "%s escaped: %s" % (type(error).__name__, str(error)[:300])}
out["elapsed"] = time.monotonic() - start
out["rss_growth_kib"] = vm_hwm_kib() - before
print(json.dumps(out), flush=True)
"""


def _unshare_prefix() -> list[str]:
    """``unshare --net`` if it works here (needs root or user namespaces), else skips the test."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed: cannot resolve a name with no way off the machine")
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:
        pytest.skip(f"unshare --net is not permitted here: {probe.stderr.decode(errors='replace').strip()}")
    return [unshare, "--net"]


def run_trigger(base: str, hook: str, timeout: float, retries: int = 0, *, warm_base: str | None = None,
                isolate_network: bool = False) -> dict[str, Any]:
    """Triggers `hook` under `base` in a child interpreter; what it printed, checked for a clean exit."""
    args = {"base": base, "hook": hook, "timeout": timeout, "retries": retries,
            "warm_base": warm_base or base, "warm_hook": HOOKS["ok"]}
    command = [sys.executable, "-c", CHILD, json.dumps(args)]
    if isolate_network:
        command = _unshare_prefix() + command
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "bindings" / "python"),
                                                                     os.environ.get("PYTHONPATH")])))
    env.pop("CLOUDFLARE_BASE_URL", None)
    try:
        child = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the trigger hung: no answer {timeout + 30:.0f} s after a {timeout} s timeout")
    if child.returncode < 0:
        crash = signal.Signals(-child.returncode).name
        pytest.fail(f"the trigger crashed the process: {crash}\n{child.stderr[-2000:]}")
    assert child.returncode == 0, f"the child failed (exit {child.returncode}):\n{child.stderr[-2000:]}"
    return json.loads(child.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def describe(outcome: dict[str, Any]) -> str:
    code = outcome["code"]
    kind = "no DeployHookError" if code is None else ErrorCode(code).name
    return f"{kind} after {outcome['elapsed']:.3f} s: {outcome.get('message') or outcome.get('build_uuid')}"


def hook_of(scenario: str) -> str:
    return fake_cloudflare.FAULT_SCENARIOS.get(scenario) or HOOKS[scenario]


@pytest.mark.parametrize(("name", "scenario", "timeout", "expected"), FAULTS, ids=[case[0] for case in FAULTS])
def test_fault(fake: FakeAPI, name: str, scenario: str, timeout: float, expected: ErrorCode) -> None:
    if scenario == REFUSED:
        outcome = run_trigger(f"http://127.0.0.1:{closed_port()}/client/v4", HOOKS["ok"], timeout,
                              warm_base=fake.base_url)
    elif scenario == UNRESOLVABLE:
        # No fake is reachable inside the namespace: the warm-up goes to the unresolvable host too.
        outcome = run_trigger(UNRESOLVABLE_BASE, HOOKS["ok"], timeout, isolate_network=True)
    else:
        outcome = run_trigger(fake.base_url, hook_of(scenario), timeout)

    assert outcome["code"] == expected, f"{name}: expected {expected.name}, got {describe(outcome)}"
    assert outcome["elapsed"] <= timeout + MARGIN, \
        f"{name}: ended {outcome['elapsed']:.3f} s after it started, past its {timeout} s deadline"
    if expected == ErrorCode.OK:
        assert outcome["build_uuid"] == fake_cloudflare.BUILD_UUID
        assert outcome["status"] == "queued"
    if scenario in RSS_LIMITS_KIB:
        assert outcome["rss_growth_kib"] < RSS_LIMITS_KIB[scenario], \
            f"{name}: peak RSS grew by {outcome['rss_growth_kib']} KiB during the trigger"


def test_redirect_targets_get_no_request(fake: FakeAPI) -> None:
    """A redirect is never followed: its Location sees no connection and no request."""
    # redirect_self's Location is the fake itself, which records every request it gets.
    outcome = run_trigger(fake.base_url, hook_of("redirect_self"), 2.0)
    assert outcome["code"] == ErrorCode.HTTP and outcome["http_status"] == 307, describe(outcome)
    paths = [request["path"] for request in fake.requests()]
    assert fake_cloudflare.REDIRECT_SELF_PATH not in paths
    assert [path for path in paths if path.endswith(hook_of("redirect_self"))] == \
        [fake_cloudflare.TRIGGER_PATH + hook_of("redirect_self")], paths

    # redirect's Location is http://127.0.0.1:9/elsewhere: listen there (root may bind port 9).
    listener = socket.socket()
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 9))
        listener.listen(8)
    except OSError as error:
        listener.close()
        pytest.skip(f"cannot listen on 127.0.0.1:9 to watch the 302's target: {error}")
    with listener:
        outcome = run_trigger(fake.base_url, HOOKS["redirect"], 2.0)
        assert outcome["code"] == ErrorCode.HTTP and outcome["http_status"] == 302, describe(outcome)
        readable, _, _ = select.select([listener], [], [], 0.2)
        assert not readable, "the redirect's target 127.0.0.1:9 got a connection"


# (scenario, timeout, max_retries, expected ErrorCode): retried failures must still end by the deadline.
RETRIED = [
    ("reset_before_status", 1.5, 100, ErrorCode.NETWORK),
    ("trickle_headers", 1.0, 3, ErrorCode.TIMEOUT),
]


@pytest.mark.parametrize(("scenario", "timeout", "retries", "expected"), RETRIED, ids=[case[0] for case in RETRIED])
def test_retries_stay_within_the_deadline(fake: FakeAPI, scenario: str, timeout: float, retries: int,
                                          expected: ErrorCode) -> None:
    outcome = run_trigger(fake.base_url, hook_of(scenario), timeout, retries)
    assert outcome["code"] == expected, describe(outcome)
    assert outcome["elapsed"] <= timeout + MARGIN, describe(outcome)
    attempts = [request for request in fake.requests() if request["path"].endswith(hook_of(scenario))]
    if scenario == "reset_before_status":
        assert len(attempts) >= 2, "a reset connection is a network error: it is retried while time remains"
