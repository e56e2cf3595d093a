"""fork() (issue 11, item 7): after os.fork(), parent and child each get their own answers through a Client
made before the fork, whose pooled keep-alive connection both inherited; the next call works in both."""

from __future__ import annotations

import json
import os
import sys

import pytest
from support import FakeAPI, fake_cloudflare

import deployhook

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

TRIGGERS = 12


def _trigger_own_hooks(client: deployhook.Client, first_serial: int) -> dict[str, object]:
    """Triggers delayed hooks of its own, one by one and then all at once; reports which answers were not
    this process's own."""
    hooks = [fake_cloudflare.delayed_hook(first_serial + index, 20 + 15 * (index % 4)) for index in range(TRIGGERS)]
    wrong: list[str] = []
    for hook in hooks:
        build = client.trigger(hook)
        if build.build_uuid != fake_cloudflare.delayed_build_uuid(hook):
            wrong.append(f"{hook[-12:]} -> {build.build_uuid}")
    many = [fake_cloudflare.delayed_hook(first_serial + 100 + index, 30) for index in range(8)]
    for hook, outcome in zip(many, client.trigger_many(many)):
        if not isinstance(outcome, deployhook.Build) or outcome.build_uuid != fake_cloudflare.delayed_build_uuid(hook):
            wrong.append(f"{hook[-12:]} -> {outcome!r}")
    last = fake_cloudflare.delayed_hook(first_serial + 999, 0)
    return {"wrong": wrong, "next": client.trigger(last).build_uuid == fake_cloudflare.delayed_build_uuid(last)}


def test_parent_and_child_each_get_their_own_answers(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    for index in range(3):  # a keep-alive connection in the pool, which the child inherits
        client.trigger(fake_cloudflare.delayed_hook(index, 0))
    assert fake.stats()["connections"] == 1
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # the child: report, then leave without running pytest's cleanup
        status = 1
        try:
            os.close(reader)
            os.write(writer, json.dumps(_trigger_own_hooks(client, 10_000)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    parent = _trigger_own_hooks(client, 20_000)
    with os.fdopen(reader, "rb") as pipe:
        report = pipe.read()
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"the child failed ({status}): {report!r}"
    assert json.loads(report) == {"wrong": [], "next": True}, "the child got answers that were not its own"
    assert parent == {"wrong": [], "next": True}, "the parent got answers that were not its own"
    assert len(fake.requests()) == 3 + 2 * (TRIGGERS + 8 + 1)
