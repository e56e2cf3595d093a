"""Rejected options and settings: the library's own words, and the class that says which input was wrong.

Issue 12 section 3: a setter that fails raises InvalidOptionError with deployhook_last_error_message()'s text
(after the name of the argument), so the binding carries no rule texts and no credential check of its own.
Issue 11 item 10: a malformed CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID or CLOUDFLARE_BASE_URL raises
InvalidOptionError (NoCredentialsError for the credentials), never InvalidHookError: only a bad hook is one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import HOOKS, FakeAPI, fake_cloudflare

import deployhook
from deployhook import ErrorCode, InvalidHookError, InvalidOptionError, NoCredentialsError
from deployhook._library import lib

BUILD_HOOK = fake_cloudflare.BUILD_SCENARIOS["build_full"]
BUILD_UUID = fake_cloudflare.build_uuid_of("build_full")


@pytest.fixture(autouse=True)
def _no_credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)


def _library_reason(setter: str, value: Any) -> str:
    """What the library itself says when ``setter`` refuses ``value`` (deployhook_last_error_message)."""
    options = lib.deployhook_options_new()
    try:
        code = getattr(lib, setter)(options, value)
        assert code == ErrorCode.INVALID_ARGUMENT
        reason = lib.deployhook_last_error_message()
        assert reason
        return reason.decode()  # type: ignore[no-any-return]
    finally:
        lib.deployhook_options_free(options)


@pytest.mark.parametrize(("argument", "value", "setter", "c_value"), [
    ("base_url", "ftp://example.com", "deployhook_options_set_base_url", b"ftp://example.com"),
    ("timeout", 0, "deployhook_options_set_timeout_ms", 0),
    ("connect_timeout", 86_401, "deployhook_options_set_connect_timeout_ms", 86_401_000),
    ("max_retries", 101, "deployhook_options_set_max_retries", 101),
    ("max_concurrency", 0, "deployhook_options_set_max_concurrency", 0),
    ("ca_file", "/nonexistent/ca.pem", "deployhook_options_set_ca_file", b"/nonexistent/ca.pem"),
    ("user_agent", "bad\nagent", "deployhook_options_set_user_agent", b"bad\nagent"),
    ("api_token", "bad token", "deployhook_options_set_api_token", b"bad token"),
    ("account_id", "no/slash", "deployhook_options_set_account_id", b"no/slash"),
    ("wait_timeout", -1, "deployhook_options_set_wait_timeout_ms", -1),
])
def test_a_refused_option_raises_the_librarys_reason(argument: str, value: Any, setter: str, c_value: Any) -> None:
    with pytest.raises(InvalidOptionError) as caught:
        deployhook.Client(**{argument: value})
    assert type(caught.value) is InvalidOptionError and caught.value.code is ErrorCode.INVALID_ARGUMENT
    assert str(caught.value) == f"{argument}: {_library_reason(setter, c_value)}"
    assert "bad token" not in str(caught.value)  # the library never quotes a token


def test_a_refused_wait_timeout_raises_the_librarys_reason(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url)
    for call in (lambda: client.wait(BUILD_UUID, timeout=0), lambda: client.trigger(BUILD_HOOK, wait=True, timeout=0)):
        with pytest.raises(InvalidOptionError) as caught:
            call()
        assert str(caught.value) == "timeout: " + _library_reason("deployhook_options_set_wait_timeout_ms", 0)
    assert fake.requests() == []


def _calls(client: deployhook.Client) -> dict[str, Callable[[], object]]:
    """Every call that reads the environment's API base, and the one that also reads the credentials."""
    def many() -> object:
        [outcome] = client.trigger_many([HOOKS["ok"]])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return {"trigger": lambda: client.trigger(HOOKS["ok"]), "trigger_many": many,
            "trigger_wait": lambda: client.trigger(BUILD_HOOK, wait=True), "wait": lambda: client.wait(BUILD_UUID)}


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", fake_cloudflare.API_TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", fake_cloudflare.ACCOUNT_ID)
    yield


@pytest.mark.parametrize("base_url", ["ftp://example.invalid", "not a url", "https://user@example.com/client/v4"])
def test_a_malformed_environment_base_url_is_an_option_error(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch,
                                                             credentials: None, base_url: str) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", base_url)
    for name, call in _calls(deployhook.Client()).items():
        with pytest.raises(InvalidOptionError) as caught:
            call()
        assert type(caught.value) is InvalidOptionError, name  # not InvalidHookError: the hook is fine
        assert "CLOUDFLARE_BASE_URL" in str(caught.value), name  # the library's words
    with pytest.raises(InvalidOptionError):
        deployhook.trigger(HOOKS["ok"])  # the shared default client too
    assert fake.requests() == []  # nothing was sent


def test_a_bad_hook_is_still_a_hook_error_beside_a_bad_environment_base_url(fake: FakeAPI,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "ftp://example.invalid")
    client = deployhook.Client(base_url=fake.base_url)  # the explicit base wins: the environment is not read
    with pytest.raises(InvalidHookError):
        client.trigger("not-a-hook")
    assert type(client.trigger_many(["not-a-hook"])[0]) is InvalidHookError
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", fake.base_url)  # a good one from the environment
    with pytest.raises(InvalidHookError):
        deployhook.Client().trigger("not-a-hook")
    assert fake.requests() == []


@pytest.mark.parametrize(("variable", "value"), [
    ("CLOUDFLARE_API_TOKEN", "bad token"), ("CLOUDFLARE_API_TOKEN", "x" * 1025), ("CLOUDFLARE_API_TOKEN", "tökén"),
    ("CLOUDFLARE_ACCOUNT_ID", "no/slash"), ("CLOUDFLARE_ACCOUNT_ID", "a" * 65), ("CLOUDFLARE_ACCOUNT_ID", " "),
])
def test_malformed_environment_credentials_are_no_credentials(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch,
                                                             credentials: None, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    client = deployhook.Client(base_url=fake.base_url)
    for call in (lambda: client.wait(BUILD_UUID), lambda: client.trigger(BUILD_HOOK, wait=True)):
        with pytest.raises(NoCredentialsError) as caught:
            call()
        assert isinstance(caught.value, InvalidOptionError) and isinstance(caught.value, ValueError)
        assert not isinstance(caught.value, InvalidHookError)
        assert caught.value.code is ErrorCode.NO_CREDENTIALS
        assert value not in str(caught.value) or variable == "CLOUDFLARE_ACCOUNT_ID"  # the token is never quoted
    assert fake.requests() == []  # the trigger was not sent: nobody could follow its build


def test_missing_credentials_are_no_credentials_with_the_librarys_words(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url)
    with pytest.raises(NoCredentialsError) as caught:
        client.trigger(BUILD_HOOK, wait=True)
    assert "CLOUDFLARE_API_TOKEN" in str(caught.value) and "CLOUDFLARE_ACCOUNT_ID" in str(caught.value)
    assert fake.requests() == []


def test_the_binding_has_no_credential_check_of_its_own(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials that only the library can judge good (surrounding spaces, which it trims) are accepted."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", f" {fake_cloudflare.API_TOKEN} ")
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", f"{fake_cloudflare.ACCOUNT_ID}\n")
    final = deployhook.Client(base_url=fake.base_url).wait(BUILD_UUID)
    assert final.outcome is deployhook.BuildOutcome.SUCCESS
