"""One sweep for secrecy: every entry point (the C ABI, the C example program, Python, the Python example,
the CLI, waiting) down every error path, with known hooks and a known token. Neither may appear in any
output, message, exception, traceback, log record, or file the CLI writes — in any letter case."""

from __future__ import annotations

import ctypes
import logging
import os
import socket
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "bindings" / "python"), str(REPO / "Tests" / "fake_api")]

import deployhook  # noqa: E402
from deployhook._library import lib  # noqa: E402
from deployhook.emulator import Emulator, HookConfig  # noqa: E402
from fake_cloudflare import SCENARIOS, UNKNOWN_UUID, start_fake  # noqa: E402

TOKEN = "sweep-token-0f1e2d3c4b5a69788796a5b4"
ACCOUNT = "0123456789abcdef0123456789abcdef"
WAIT_OK = "5ec2e700-0000-4000-8000-0000000000aa"
WAIT_SLOW = "5ec2e700-0000-4000-8000-0000000000bb"
CLI = REPO / ".build" / "release" / "deployhook-cli"
C_EXAMPLE = REPO / "examples" / "c" / "trigger"
PY_EXAMPLE = REPO / "examples" / "python" / "trigger.py"

# Every fake scenario (each its own hook, each a secret), an unknown hook, and hooks in other spellings.
HOOKS = sorted(SCENARIOS.values()) + [UNKNOWN_UUID]
SPELLINGS = [lambda h: h, lambda h: h.upper(), lambda h: f"  {h}\n"]


def leaks(text: str, secrets: list[str]) -> list[str]:
    """The secrets (in any letter case) that `text` contains."""
    lowered = text.lower()
    return [secret for secret in secrets if secret.lower() in lowered]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def fake() -> Iterator[object]:
    running = start_fake()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    hooks = {WAIT_OK: HookConfig(outcome="fail", phase_seconds=0.1), WAIT_SLOW: HookConfig(phase_seconds=60)}
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT) as running:
        yield running


def bases(fake: object) -> list[str]:
    """The fake, the fake over TLS (a TLS error), and a closed port (a network error)."""
    return [fake.base_url, fake.base_url.replace("http://", "https://"), f"http://127.0.0.1:{closed_port()}/client/v4"]


# ---- the C ABI ----

def test_c_abi_messages(fake) -> None:
    options = lib.deployhook_options_new()
    try:
        lib.deployhook_options_set_timeout_ms(options, 600)
        for base in bases(fake):
            assert lib.deployhook_options_set_base_url(options, base.encode()) == 0
            lib.deployhook_options_set_max_retries(options, 1 if base == fake.base_url else 0)  # retries: where they vary
            for hook in HOOKS:
                for spell in SPELLINGS + [lambda h: f"{base}/workers/builds/deploy_hooks/{h}",
                                          lambda h: f"https://elsewhere.test/workers/builds/deploy_hooks/{h}",
                                          lambda h: h + "/extra", lambda h: h + " junk"]:
                    result = lib.deployhook_trigger_with(spell(hook).encode(), options)
                    try:
                        message = (lib.deployhook_error_message(result) or b"").decode()
                        assert leaks(message, [hook]) == [], message
                        assert message.isascii(), message  # the library writes ASCII, its redaction marker too
                    finally:
                        lib.deployhook_free_result(result)
    finally:
        lib.deployhook_options_free(options)


def test_c_abi_wait_messages(emulator) -> None:
    options = lib.deployhook_options_new()
    try:
        lib.deployhook_options_set_base_url(options, emulator.base_url.encode())
        lib.deployhook_options_set_account_id(options, ACCOUNT.encode())
        lib.deployhook_options_set_wait_timeout_ms(options, 500)
        for token in (TOKEN, TOKEN + "x"):  # right token: wait timeout; wrong token: API error
            lib.deployhook_options_set_api_token(options, token.encode())
            result = lib.deployhook_trigger_and_wait(WAIT_SLOW.encode(), options, 1, ctypes.cast(None, _callback_type()), None)
            try:
                assert lib.deployhook_error_code(result) != 0
                message = (lib.deployhook_error_message(result) or b"").decode()
                assert leaks(message, [WAIT_SLOW, TOKEN]) == [], message
                assert message.isascii(), message
            finally:
                lib.deployhook_free_result(result)
    finally:
        lib.deployhook_options_free(options)


def _callback_type() -> type:
    from deployhook._library import WaitCallback
    return WaitCallback


# ---- Python ----

class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record) + repr(record.__dict__))


def test_python_exceptions_reprs_and_log_records(fake, emulator) -> None:
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    old_level, root.level = root.level, logging.DEBUG
    texts: list[str] = []
    try:
        for base in bases(fake):
            client = deployhook.Client(base_url=base, timeout=0.6, max_retries=1 if base == fake.base_url else 0,
                                       api_token=TOKEN, account_id=ACCOUNT)
            texts.append(repr(client))
            for hook in HOOKS:
                for spell in SPELLINGS:
                    try:
                        build = client.trigger(spell(hook))
                        texts += [repr(build), str(build)]
                    except deployhook.DeployHookError as error:
                        texts += [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
        waiting = deployhook.Client(base_url=emulator.base_url, api_token=TOKEN, account_id=ACCOUNT)
        texts.append(repr(waiting))
        for call in (lambda: waiting.trigger(WAIT_SLOW, wait=True, timeout=0.5, on_log=texts.append),
                     lambda: deployhook.Client(base_url=emulator.base_url, api_token=TOKEN + "x",
                                               account_id=ACCOUNT).trigger(WAIT_OK, wait=True)):
            with pytest.raises(deployhook.DeployHookError) as caught:
                call()
            texts += [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value))]
    finally:
        root.removeHandler(records)
        root.level = old_level
    assert leaks("\n".join(texts + records.texts), HOOKS + [WAIT_SLOW, WAIT_OK, TOKEN]) == []


# ---- programs: the CLI, the C example, the Python example ----

def run(command: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO / "bindings" / "python"),
                   **env}
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=environment, timeout=120)
    return done.stdout + done.stderr


def test_programs_and_the_files_they_write(fake, emulator, tmp_path: Path) -> None:
    if not CLI.exists() or not C_EXAMPLE.exists():
        pytest.fail("build first: swift build -c release && make example")
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    github = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    texts: list[str] = []
    for base in bases(fake):
        env = {"CLOUDFLARE_BASE_URL": base, "CLOUDFLARE_API_TOKEN": TOKEN, **github}
        texts.append(run([str(CLI), "trigger", "--verbose", "--retries", "1", "--timeout", "600ms", *HOOKS], env))
        texts.append(run([str(CLI), "trigger", "--json", "--timeout", "600ms", "-"], env, stdin="\n".join(HOOKS)))
        texts.append(run([str(CLI), "trigger", "--retries", "1", HOOKS[0].upper() + "/x", HOOKS[1]], env))
        # The examples use default retries: against the TLS and refused bases two hooks say all there is.
        for hook in HOOKS if base == fake.base_url else HOOKS[:2]:
            hook_env = {**env, "CLOUDFLARE_DEPLOY_HOOK": hook}
            texts.append(run([str(C_EXAMPLE)], hook_env))
            texts.append(run([sys.executable, str(PY_EXAMPLE)], hook_env))
    wait_env = {"CLOUDFLARE_BASE_URL": emulator.base_url, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
                **github}
    texts.append(run([str(CLI), "trigger", "--wait", "--logs", "--verbose", "--json", WAIT_OK], wait_env))
    texts.append(run([str(CLI), "trigger", "--wait", "--wait-timeout", "500ms", WAIT_SLOW], wait_env))
    texts.append(run([str(CLI), "trigger", "--wait", WAIT_OK], {**wait_env, "CLOUDFLARE_API_TOKEN": TOKEN + "x"}))
    texts.append(run([sys.executable, str(PY_EXAMPLE), "--wait", "--logs"], {**wait_env, "CLOUDFLARE_DEPLOY_HOOK": WAIT_OK}))
    texts += [output.read_text(), summary.read_text()]
    assert "build_uuid=" in output.read_text() and "| hook |" in summary.read_text()  # the files were written
    assert leaks("\n".join(texts), HOOKS + [WAIT_OK, WAIT_SLOW, TOKEN]) == []
