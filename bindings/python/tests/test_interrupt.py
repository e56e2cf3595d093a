"""Ctrl-C (a real SIGINT, sent to this process by a timer thread) during trigger, trigger_many, wait,
trigger(wait=True) and cancel: KeyboardInterrupt within 0.5 s, nothing left behind, and the next call works
(issue 12, section 5; issue 13, item 5). The callbacks run on the calling thread, in order.

pytest runs the tests on the main thread, the only one Python raises KeyboardInterrupt in.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from support import HOOKS, FakeAPI, StallingServer, fake_cloudflare

import deployhook
from deployhook import Build, BuildOutcome, BuildStatus
from deployhook.emulator import Emulator, HookConfig

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")

PROMPT = 0.5
"""Seconds from SIGINT to KeyboardInterrupt at most."""
TOKEN = "interrupt-tests-token-Qm4"
ACCOUNT = "interrupt-tests-account"
SLOW_HOOK = "1a7e0000-0000-4000-8000-000000000001"  # its builds stay queued for a minute
QUICK_HOOK = "1a7e0000-0000-4000-8000-000000000002"  # its builds have stopped at the first poll
LOGS_HOOK = "1a7e0000-0000-4000-8000-000000000003"
LOGS = ("one", "two", "three", "four")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    hooks = {SLOW_HOOK: HookConfig(phase_seconds=60), QUICK_HOOK: HookConfig(phase_seconds=0),
             LOGS_HOOK: HookConfig(phase_seconds=0.2, logs=LOGS)}
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT, builds_per_minute=1000) as running:
        yield running


@pytest.fixture
def emulated(emulator: Emulator) -> Iterator[deployhook.Client]:
    with deployhook.Client(base_url=emulator.base_url, api_token=TOKEN, account_id=ACCOUNT) as client:
        yield client


@pytest.fixture(autouse=True)
def _python_handles_sigint() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in a terminal, whatever the test runner set."""
    assert threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@contextmanager
def ctrl_c_after(seconds: float) -> Iterator[list[float]]:
    """Sends SIGINT to this process after ``seconds``; yields a list that then holds the time it was sent. The
    with block must raise the KeyboardInterrupt (in pytest.raises) and is left only once the signal is out."""
    sent: list[float] = []

    def send() -> None:
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(seconds, send)
    timer.start()
    try:
        yield sent
    finally:
        timer.join()


def interrupted(call: Callable[[], object], after: float = 0.3) -> float:
    """Runs ``call``, Ctrl-C'd after ``after`` seconds; asserts it raised KeyboardInterrupt; returns how long
    that took from the signal."""
    returned: list[object] = []
    with pytest.raises(KeyboardInterrupt):
        with ctrl_c_after(after) as sent:
            returned.append(call())
            time.sleep(5)  # keeps the signal of a call that ended too soon inside pytest.raises
    took = time.monotonic() - sent[0]
    assert not returned, f"the call ended before Ctrl-C: {returned[0]!r}"
    return took


def test_ctrl_c_during_a_trigger(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    assert interrupted(lambda: client.trigger(HOOKS["slow"])) < PROMPT  # the fake answers after 5 s
    assert client.trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID
    with pytest.raises(KeyboardInterrupt):  # the module-level trigger too
        with ctrl_c_after(0.3):
            deployhook.Client(base_url=fake.base_url).trigger(HOOKS["slow"])


def test_ctrl_c_during_trigger_many(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, max_retries=0, max_concurrency=4)
    hooks = [fake_cloudflare.delayed_hook(index, 5000) for index in range(20)]
    assert interrupted(lambda: client.trigger_many(hooks)) < PROMPT
    assert len(fake.requests()) == 4  # the first four were in flight; the rest never began
    quick = [fake_cloudflare.delayed_hook(100 + index, 10) for index in range(8)]
    outcomes = client.trigger_many(quick)
    assert [outcome.build_uuid for outcome in outcomes] == [  # type: ignore[union-attr]
        fake_cloudflare.delayed_build_uuid(hook) for hook in quick]


def test_ctrl_c_during_a_wait(emulated: deployhook.Client) -> None:
    build = emulated.trigger(SLOW_HOOK)
    statuses: list[BuildStatus] = []
    # After 1 s the first poll has answered and the library sleeps before the next: it is that sleep that ends.
    took = interrupted(lambda: emulated.wait(build, on_status=lambda update: statuses.append(update.status),
                                             on_log=print), after=1.0)
    assert took < PROMPT
    assert statuses == [BuildStatus.QUEUED]
    assert interrupted(lambda: emulated.wait(build), after=0.01) < PROMPT  # in the first poll
    assert emulated.wait(emulated.trigger(QUICK_HOOK)).outcome is BuildOutcome.SUCCESS


def test_ctrl_c_during_trigger_and_wait(emulated: deployhook.Client, fake: FakeAPI,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert interrupted(lambda: emulated.trigger(SLOW_HOOK, wait=True), after=1.0) < PROMPT  # waiting
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", fake_cloudflare.API_TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", fake_cloudflare.ACCOUNT_ID)
    triggering = deployhook.Client(base_url=fake.base_url, max_retries=0)
    assert interrupted(lambda: triggering.trigger(HOOKS["slow"], wait=True)) < PROMPT  # still triggering
    assert emulated.trigger(QUICK_HOOK, wait=True).outcome is BuildOutcome.SUCCESS


def test_ctrl_c_during_a_cancel(fake: FakeAPI) -> None:
    """No fake scenario is slow to answer a cancel, so the slow server is one that never answers: Ctrl-C ends
    the cancel, whose connection is closed (the call stopped, not merely abandoned); the client works on."""
    with StallingServer() as server:
        client = deployhook.Client(base_url=server.base_url, api_token=fake_cloudflare.API_TOKEN,
                                   account_id=fake_cloudflare.ACCOUNT_ID, max_retries=0)
        build = fake_cloudflare.build_uuid_of("cancel_running")
        assert interrupted(lambda: client.cancel(build)) < PROMPT
        [request] = server.received
        assert request.startswith(b"PUT /client/v4/accounts/") and b"/cancel " in request
        deadline = time.monotonic() + 1
        while server.closed_by_client < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.closed_by_client == 1
        assert interrupted(lambda: client.cancel(build), after=0.01) < PROMPT  # as it begins
    with deployhook.Client(base_url=fake.base_url, api_token=fake_cloudflare.API_TOKEN,
                           account_id=fake_cloudflare.ACCOUNT_ID) as working:
        assert working.cancel(build).outcome is BuildOutcome.CANCELLED


def test_ctrl_c_while_a_callback_runs(emulated: deployhook.Client) -> None:
    """The KeyboardInterrupt raised inside on_status (on this thread) stops the wait and comes out of it."""
    build = emulated.trigger(SLOW_HOOK)
    entered: list[float] = []

    def on_status(update: Build) -> None:
        entered.append(time.monotonic())
        time.sleep(3)  # Ctrl-C comes during this

    with pytest.raises(KeyboardInterrupt):
        with ctrl_c_after(0.5) as sent:
            emulated.wait(build, on_status=on_status)
    assert entered and entered[0] < sent[0] and time.monotonic() - sent[0] < PROMPT
    assert emulated.wait(emulated.trigger(QUICK_HOOK)).outcome is BuildOutcome.SUCCESS


def test_callbacks_run_on_the_calling_thread_in_order(emulated: deployhook.Client) -> None:
    seen: list[tuple[str, object, int]] = []
    final = emulated.trigger(LOGS_HOOK, wait=True,
                             on_status=lambda update: seen.append(("status", update.status, threading.get_ident())),
                             on_log=lambda line: seen.append(("log", line, threading.get_ident())))
    assert final.outcome is BuildOutcome.SUCCESS
    assert {thread for _, _, thread in seen} == {threading.main_thread().ident}
    assert [item for kind, item, _ in seen if kind == "log"] == list(LOGS)
    assert seen[-1][:2] == ("status", BuildStatus.STOPPED)  # every line came before STOPPED
    statuses = [item for kind, item, _ in seen if kind == "status"]
    assert len(statuses) == len(set(statuses))


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors and threads in /proc")
def test_nothing_is_left_behind(fake: FakeAPI, emulated: deployhook.Client) -> None:
    """Interrupted calls leave no thread, descriptor (connection, interrupt pipe) or memory behind."""
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    client.trigger(HOOKS["ok"])  # the one connection the client keeps open
    build = emulated.trigger(SLOW_HOOK)
    emulated.wait(emulated.trigger(QUICK_HOOK))
    time.sleep(0.2)
    descriptors, threads = _open_descriptors(), _threads()
    for _ in range(5):
        interrupted(lambda: client.trigger(HOOKS["slow"]), after=0.05)
        interrupted(lambda: client.trigger_many([HOOKS["slow"]] * 3), after=0.05)
        interrupted(lambda: emulated.wait(build), after=0.05)
    client.trigger(HOOKS["ok"])
    time.sleep(0.2)  # the fake and the emulator close their side
    assert _threads() == threads
    assert _open_descriptors() <= descriptors + 1
