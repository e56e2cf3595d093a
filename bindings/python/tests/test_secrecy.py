"""The hook is a secret: no repr, message, exception, traceback or log record may contain it."""

from __future__ import annotations

import logging
import traceback

import pytest
from support import HOOKS, FakeAPI, closed_port

import deployhook


def _texts_of(error: BaseException) -> str:
    """Everything an exception shows: message, repr, args, attributes, the formatted chain."""
    parts = [str(error), repr(error), repr(error.args), repr(vars(error))]
    parts += traceback.format_exception(type(error), error, error.__traceback__)
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.append(_texts_of(linked))
    return "\n".join(parts)


def _assert_secret(hook_uuid: str, text: str) -> None:
    lowered = text.lower()
    assert hook_uuid.lower() not in lowered
    assert hook_uuid.lower()[9:] not in lowered  # not even the tail, which no redaction shows


@pytest.mark.parametrize("scenario", sorted(set(HOOKS) - {"slow", "huge"}))
def test_no_hook_in_results_errors_or_logs(fake: FakeAPI, scenario: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    hook = HOOKS[scenario]
    client = deployhook.Client(base_url=fake.base_url, max_retries=0)
    url_form = f"{fake.base_url}/workers/builds/deploy_hooks/{hook}"
    wrong_base = f"https://elsewhere.example/client/v4/workers/builds/deploy_hooks/{hook}"
    for given in (hook, hook.upper(), f" {hook}\t", url_form, wrong_base, hook + "x", hook + "\0"):
        try:
            outcome: object = client.trigger(given)
        except deployhook.DeployHookError as error:
            _assert_secret(hook, _texts_of(error))
        else:
            _assert_secret(hook, repr(outcome) + str(outcome))
    _assert_secret(hook, repr(client) + "\n".join(record.getMessage() for record in caplog.records))


def test_no_hook_in_network_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = deployhook.Client(base_url=f"http://127.0.0.1:{closed_port()}/client/v4", max_retries=0)
    with pytest.raises(deployhook.NetworkError) as caught:
        client.trigger(HOOKS["ok"])
    _assert_secret(HOOKS["ok"], _texts_of(caught.value) + "\n".join(r.getMessage() for r in caplog.records))


def test_no_hook_in_timeouts(fake: FakeAPI) -> None:
    with pytest.raises(deployhook.TimeoutError) as caught:
        deployhook.Client(base_url=fake.base_url, timeout=0.2).trigger(HOOKS["slow"])
    _assert_secret(HOOKS["slow"], _texts_of(caught.value))


def test_no_hook_in_type_errors() -> None:
    with pytest.raises(TypeError) as caught:
        deployhook.trigger(HOOKS["ok"].encode())  # type: ignore[arg-type]
    _assert_secret(HOOKS["ok"], _texts_of(caught.value))
