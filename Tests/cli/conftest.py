"""Fixtures for the CLI tests: the built deployhook-cli, the API emulator and the fault-injecting fake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "bindings" / "python"), str(REPO / "Tests" / "fake_api")]

from deployhook.emulator import Emulator, HookConfig  # noqa: E402
from fake_cloudflare import start_fake  # noqa: E402

# The binary under test: this checkout's release build, or DEPLOYHOOK_CLI (e.g. a build without a fix, to
# see that fix's test fail).
CLI = Path(os.environ.get("DEPLOYHOOK_CLI") or REPO / ".build" / "release" / "deployhook-cli")
TOKEN = "cli-test-token-9f8e7d6c5b4a"
ACCOUNT = "0123456789abcdef0123456789abcdef"

# Emulated hooks: (uuid, config). Phases are short so builds stop within a second.
OK_HOOK = "a1b2c3d4-0000-4000-8000-000000000001"
FAIL_HOOK = "b1b2c3d4-0000-4000-8000-000000000002"
CANCELLED_HOOK = "c1b2c3d4-0000-4000-8000-000000000003"
SLOW_HOOK = "d1b2c3d4-0000-4000-8000-000000000004"
LOG_HOOK = "e1b2c3d4-0000-4000-8000-000000000005"
STEADY_HOOK = "f1b2c3d4-0000-4000-8000-000000000006"  # queued for 0.5 s: the first poll always sees it queued
LOG_LINES = ["step one", "step two: \u00e9t\u00e9", "step three"]
SECRETS = [TOKEN, OK_HOOK, FAIL_HOOK, CANCELLED_HOOK, SLOW_HOOK, LOG_HOOK, STEADY_HOOK]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    hooks = {
        OK_HOOK: HookConfig(outcome="success", phase_seconds=0.1),
        FAIL_HOOK: HookConfig(outcome="fail", phase_seconds=0.1),
        CANCELLED_HOOK: HookConfig(outcome="cancelled", phase_seconds=0.1),
        SLOW_HOOK: HookConfig(outcome="success", phase_seconds=60),
        LOG_HOOK: HookConfig(outcome="success", phase_seconds=0.1, logs=LOG_LINES),
        STEADY_HOOK: HookConfig(outcome="success", phase_seconds=0.5),
    }
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT) as running:
        yield running


@pytest.fixture(scope="session")
def fake() -> Iterator[object]:
    running = start_fake()
    yield running
    running.stop()


class Run:
    """A finished CLI process."""

    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.code = completed.returncode
        self.out = completed.stdout or ""  # empty when standard output went elsewhere
        self.err = completed.stderr


def run_cli(*args: str, base_url: str | None = None, env: dict[str, str] | None = None, stdin: str | None = None,
            secrets: list[str] | None = None, stdout: int | IO[str] | None = None) -> Run:
    """Runs deployhook-cli with a clean environment; fails the test if any secret shows in its output.
    `stdout` (a file or descriptor) replaces the captured standard output; `out` is then empty."""
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: run `swift build -c release` first")
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_PROXY": "127.0.0.1"}
    if base_url:
        environment["CLOUDFLARE_BASE_URL"] = base_url
    environment.update(env or {})
    completed = subprocess.run([str(CLI), *args], input=stdin, stdout=subprocess.PIPE if stdout is None else stdout,
                               stderr=subprocess.PIPE, text=True, env=environment, timeout=120)
    run = Run(completed)
    for secret in SECRETS + (secrets or []):
        for form in (secret, secret.upper()):
            assert form not in run.out and form not in run.err, "a secret appeared in the CLI's output"
    return run


def credentials() -> dict[str, str]:
    """The environment that lets the CLI follow builds on the emulator."""
    return {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}
