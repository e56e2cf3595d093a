"""Every result and every options object is freed: resident memory stays flat over many calls."""

from __future__ import annotations

import contextlib
import gc
import sys

import pytest
from support import HOOKS, FakeAPI, rss_kib

import deployhook

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")

# A leaked result holds at least its body (~230 bytes) and its strings: 10,000 of them would add megabytes.
ALLOWED_GROWTH_KIB = 2048


def test_ten_thousand_triggers_keep_rss_flat(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    hooks = [HOOKS["ok"], HOOKS["unknown"], HOOKS["ok"], "not-a-hook"]

    def trigger_many(count: int) -> None:
        for index in range(count):
            with contextlib.suppress(deployhook.NotFoundError, deployhook.InvalidHookError):
                client.trigger(hooks[index % len(hooks)])

    trigger_many(1_000)  # warm up: allocator arenas, caches, connection machinery
    gc.collect()
    before = rss_kib()
    trigger_many(10_000)
    gc.collect()
    growth = rss_kib() - before
    assert growth < ALLOWED_GROWTH_KIB, f"RSS grew by {growth} KiB over 10,000 triggers"


def test_many_clients_keep_rss_flat() -> None:
    def make_many(count: int) -> None:
        for index in range(count):
            client = deployhook.Client(base_url="http://127.0.0.1:1/client/v4", user_agent="x" * 1000, timeout=5)
            if index % 2:
                client.close()  # the rest are freed by garbage collection

    make_many(2_000)
    gc.collect()
    before = rss_kib()
    make_many(20_000)
    gc.collect()
    growth = rss_kib() - before
    assert growth < ALLOWED_GROWTH_KIB, f"RSS grew by {growth} KiB over 20,000 clients"
