"""Concurrency: many threads share a client, and a blocked trigger lets other threads run."""

from __future__ import annotations

import threading

import pytest
import time

from support import HOOKS, FakeAPI, fake_cloudflare, spin_python

import deployhook

THREADS = 8


def test_eight_threads_trigger_at_once(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    scenarios = ["ok", "already_exists", "unknown", "api_error"] * (THREADS // 4)
    start = threading.Barrier(THREADS)
    outcomes: list[object] = [None] * THREADS

    def run(index: int) -> None:
        start.wait()
        for _ in range(10):
            try:
                outcomes[index] = client.trigger(HOOKS[scenarios[index]])
            except deployhook.DeployHookError as error:
                outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    expected = {"ok": deployhook.Build, "already_exists": deployhook.Build, "unknown": deployhook.NotFoundError,
                "api_error": deployhook.APIError}
    for scenario, outcome in zip(scenarios, outcomes):
        assert type(outcome) is expected[scenario], (scenario, outcome)
    assert len(fake.requests()) == THREADS * 10


def test_eight_slow_triggers_overlap(fake: FakeAPI) -> None:
    """Eight triggers that each wait 5 s on the server finish in about 5 s, not 40."""
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    builds: list[deployhook.Build] = []
    threads = [threading.Thread(target=lambda: builds.append(client.trigger(HOOKS["slow"]))) for _ in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started
    assert len(builds) == THREADS and all(b.build_uuid == fake_cloudflare.BUILD_UUID for b in builds)
    assert elapsed < 2 * fake_cloudflare.SLOW_SECONDS, elapsed


def test_gil_is_released_while_a_trigger_waits(fake: FakeAPI) -> None:
    """The main thread keeps running Python while another thread waits in the C library."""
    client = deployhook.Client(base_url=fake.base_url, timeout=3, max_retries=0)
    errors: list[BaseException] = []

    def wait_in_c() -> None:
        try:
            client.trigger(HOOKS["slow"])
        except deployhook.TimeoutError as error:
            errors.append(error)

    waiter = threading.Thread(target=wait_in_c)
    waiter.start()
    iterations, longest_pause = spin_python(1.5)
    assert waiter.is_alive(), "the trigger should still be waiting for the slow answer"
    assert len(fake.requests()) == 1, "the trigger should be in flight"
    assert longest_pause < 0.5, f"the main thread stalled for {longest_pause:.2f} s"
    assert iterations > 10_000
    waiter.join(timeout=10)
    assert len(errors) == 1


def test_closing_while_triggers_are_in_flight(fake: FakeAPI) -> None:
    """close() from another thread frees the options only after the triggers in flight return."""
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    builds: list[deployhook.Build] = []
    threads = [threading.Thread(target=lambda: builds.append(client.trigger(HOOKS["slow"]))) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(fake.requests()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    client.close()
    for thread in threads:
        thread.join(timeout=30)
    assert len(builds) == 2
    assert repr(client).endswith(" closed>")


def test_trigger_many_in_input_order_with_errors_in_place(fake: FakeAPI) -> None:
    """Client.trigger_many: each hook's Build or DeployHookError, in input order; invalid hooks fail alone."""
    hooks = [HOOKS["ok"], "12345678-1234-4234-8234-123456789abc", "not-a-hook", HOOKS["api_error"], "bad\0hook",
             HOOKS["already_exists"]]
    with deployhook.Client(base_url=fake.base_url, max_retries=0, max_concurrency=2) as client:
        fake.reset()
        outcomes = client.trigger_many(hooks)
        assert [type(outcome).__name__ for outcome in outcomes] == [
            "Build", "NotFoundError", "InvalidHookError", "APIError", "InvalidHookError", "Build"]
        assert outcomes[0].build_uuid == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e" and outcomes[5].already_exists is True
        assert outcomes[3].api_code == 10000 and outcomes[3].http_status == 403
        assert len(fake.requests()) == 4  # the invalid ones sent nothing
        assert client.trigger_many([]) == []
    with pytest.raises(TypeError):
        deployhook.Client().trigger_many([HOOKS["ok"], 42])  # type: ignore[list-item]
    with pytest.raises(deployhook.InvalidOptionError):
        deployhook.Client(max_concurrency=0)
