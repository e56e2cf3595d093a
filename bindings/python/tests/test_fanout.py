"""Many hooks at once, as the server sees them: the concurrency limit, input order, shared connections;
and repeated triggers through one client reusing their connection."""

from __future__ import annotations

import time

from support import HOOKS, FakeAPI, fake_cloudflare

import deployhook

delayed_hook = fake_cloudflare.delayed_hook
delayed_build_uuid = fake_cloudflare.delayed_build_uuid


def test_fan_out_respects_the_limit_and_keeps_input_order(fake: FakeAPI) -> None:
    """20 hooks, 4 at a time: the later hooks answer sooner, yet results come in input order; the server
    never has more than 4 in flight, and sees exactly 4 connections (reused from one request to the next)."""
    hooks = [delayed_hook(index, 400 - 10 * index) for index in range(20)]
    with deployhook.Client(base_url=fake.base_url, max_retries=0, max_concurrency=4) as client:
        started = time.monotonic()
        outcomes = client.trigger_many(hooks)
        elapsed = time.monotonic() - started
    assert [outcome.build_uuid for outcome in outcomes] == [delayed_build_uuid(hook) for hook in hooks]
    stats = fake.stats()
    assert stats["max_in_flight"] == 4
    assert stats["connections"] == 4
    assert len({request["connection"] for request in fake.requests()}) == 4
    # 20 requests of 210-400 ms, 4 at a time: about 5 rounds; sequentially they would take 6.1 s.
    assert elapsed < 4.0


def test_fan_out_default_limit_is_eight(fake: FakeAPI) -> None:
    hooks = [delayed_hook(index, 300) for index in range(12)]
    with deployhook.Client(base_url=fake.base_url, max_retries=0) as client:
        outcomes = client.trigger_many(hooks)
    assert all(isinstance(outcome, deployhook.Build) for outcome in outcomes), outcomes
    assert fake.stats()["max_in_flight"] == 8


def test_fan_out_with_errors_keeps_each_in_its_place(fake: FakeAPI) -> None:
    hooks = [delayed_hook(0, 200), HOOKS["unknown"], delayed_hook(1, 0), HOOKS["api_error"], delayed_hook(2, 100)]
    with deployhook.Client(base_url=fake.base_url, max_retries=0, max_concurrency=5) as client:
        outcomes = client.trigger_many(hooks)
    assert [type(outcome).__name__ for outcome in outcomes] == ["Build", "NotFoundError", "Build", "APIError", "Build"]
    assert [outcomes[index].build_uuid for index in (0, 2, 4)] == [delayed_build_uuid(hooks[index]) for index in (0, 2, 4)]
    assert len(fake.requests()) == 5


def test_repeated_triggers_through_one_client_reuse_its_connection(fake: FakeAPI) -> None:
    with deployhook.Client(base_url=fake.base_url, max_retries=0) as client:
        for _ in range(5):
            assert client.trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID
        client.trigger_many([delayed_hook(index, 100) for index in range(3)])  # three at once need three connections
        first = fake.stats()["connections"]
        fake.reset()
        client.trigger_many([delayed_hook(index, 100) for index in range(3)])
        again = fake.stats()["connections"]
    assert len(fake.requests()) == 3
    assert again == 0, "a second trigger_many opened connections instead of reusing the first one's"
    assert first == 3  # one for the five single triggers, reused by trigger_many with two more, kept for later


def test_separate_clients_do_not_share_connections(fake: FakeAPI) -> None:
    for _ in range(3):
        with deployhook.Client(base_url=fake.base_url, max_retries=0) as client:
            client.trigger(HOOKS["ok"])
    assert fake.stats()["connections"] == 3
