"""Following and cancelling builds over real HTTP: the shared fake's BUILD_SCENARIOS (Tests/fake_api/SCENARIOS.md,
"Following a build") through Client.wait, Client.trigger(wait=True), Client.cancel and AsyncClient.cancel
(issues 11 and 13).

The fake answers the build endpoints only with its API token and account (fake_cloudflare.API_TOKEN and
ACCOUNT_ID). It polls as Cloudflare would be polled: a wait that needs a second poll takes about 2 s, so
those run in threads.
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from support import FakeAPI, fake_cloudflare, in_threads

import deployhook
from deployhook import APIError, Build, BuildOutcome, BuildStatus, NoCredentialsError, NotFoundError, ResponseError

SCENARIOS = fake_cloudflare.BUILD_SCENARIOS


def build_of(scenario: str) -> str:
    return fake_cloudflare.build_uuid_of(scenario)  # type: ignore[no-any-return]


@pytest.fixture
def client(fake: FakeAPI) -> Iterator[deployhook.Client]:
    with deployhook.Client(base_url=fake.base_url, api_token=fake_cloudflare.API_TOKEN,
                           account_id=fake_cloudflare.ACCOUNT_ID) as made:
        yield made


def requests_to(fake: FakeAPI, fragment: str, method: str | None = None) -> list[str]:
    return [request["path"] for request in fake.requests()
            if fragment in request["path"] and (method is None or request["method"] == method)]


def utc(text: str) -> datetime:
    """An ISO 8601 time as the fake writes it (``…Z``), as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


DETAILS = ("branch", "commit_hash", "commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name",
           "initializing_on", "running_on", "modified_on")


def test_build_full_details_reach_every_field(client: deployhook.Client) -> None:
    """build_full's answer has every field the schema has: each detail reaches its Build field (issue 13, item 4),
    through a wait and through trigger(wait=True)."""
    for final in (client.wait(build_of("build_full")), client.trigger(SCENARIOS["build_full"], wait=True)):
        assert final.build_uuid == build_of("build_full")
        assert final.status is BuildStatus.STOPPED and final.outcome is BuildOutcome.SUCCESS
        assert final.branch == "main"
        assert final.commit_hash == "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
        assert final.commit_message == "Fix the caf\u00e9 menu\n\nAnd its prices"
        assert final.author == "ada@example.com"
        assert final.trigger_source == "deploy_hook"
        assert final.deploy_hook_name == "Production deploy hook"
        assert final.trigger_name == "Deploy default branch"
        assert final.created_on == datetime(2019, 12, 27, 18, 11, 19, 117000, tzinfo=timezone.utc)
        assert final.initializing_on == datetime(2019, 12, 27, 18, 11, 20, 117000, tzinfo=timezone.utc)
        assert final.running_on == datetime(2019, 12, 27, 18, 11, 21, 117000, tzinfo=timezone.utc)
        assert final.stopped_on == final.modified_on == datetime(2019, 12, 27, 18, 11, 51, 117000,
                                                                  tzinfo=timezone.utc)
        assert final.preview_url == fake_cloudflare.PREVIEW_URL
        assert final.already_stopped is None  # not a cancel
        metadata = fake_cloudflare.FULL_METADATA  # the fake's own constants say the same
        assert (final.branch, final.commit_hash, final.commit_message, final.author, final.trigger_source) == (
            metadata["branch"], metadata["commit_hash"], metadata["commit_message"], metadata["author"],
            metadata["build_trigger_source"])
        assert final.trigger_name == fake_cloudflare.FULL_TRIGGER["trigger_name"]
        assert final.initializing_on == utc(fake_cloudflare.INITIALIZING_ON)
        assert final.running_on == utc(fake_cloudflare.RUNNING_ON)
        assert final.modified_on == utc(fake_cloudflare.STOPPED_ON)
        shown = repr(final)
        assert "commit_message='Fix the caf\u00e9 menu\\n\\nAnd its prices'" in shown
        assert "trigger_name='Deploy default branch'" in shown and "raw=" not in shown
        assert hash(final) == hash(Build(**{**vars(final), "raw": {}}))


def test_details_are_none_when_the_answer_lacks_them(client: deployhook.Client) -> None:
    """build_minimal's build is `{build_outcome}` only; a trigger's answer carries no details either."""
    for build in (client.wait(build_of("build_minimal")), client.trigger(SCENARIOS["build_full"])):
        assert [getattr(build, name) for name in DETAILS + ("already_stopped",)] == [None] * (len(DETAILS) + 1)


def test_a_stopped_build_without_status_ends_the_wait_at_once(client: deployhook.Client, fake: FakeAPI) -> None:
    started = time.monotonic()
    final = client.wait(build_of("build_no_status"))
    assert time.monotonic() - started < 1.0  # the first poll: no second one 2 s later
    assert final.outcome is BuildOutcome.FAIL and final.status is BuildStatus.STOPPED
    assert final.stopped_on is not None
    assert len(requests_to(fake, "/builds/builds/")) == 1
    started = time.monotonic()
    final = client.trigger(SCENARIOS["build_no_status"], wait=True)
    assert time.monotonic() - started < 1.0 and final.outcome is BuildOutcome.FAIL


def test_log_pages_without_a_cursor_never_repeat_a_line(client: deployhook.Client) -> None:
    """The first poll sees the build running with the first two lines (truncated, or not, but no cursor to
    follow); the next sees it stopped with all four, from the start: only the two new ones are new."""
    lines: dict[str, list[str]] = {"logs_no_cursor_truncated": [], "logs_no_cursor_complete": []}
    finals = in_threads(*(lambda scenario=scenario: client.wait(build_of(scenario), on_log=lines[scenario].append)
                          for scenario in lines))
    for final in finals:
        assert isinstance(final, Build), final
        assert final.outcome is BuildOutcome.SUCCESS
    for scenario, seen in lines.items():
        assert seen == fake_cloudflare.LOG_LINES, scenario


def test_log_times_in_seconds_and_milliseconds_are_the_same(client: deployhook.Client) -> None:
    lines: dict[str, list[deployhook.LogLine]] = {"logs_seconds": [], "logs_milliseconds": []}
    for scenario, seen in lines.items():
        final = client.wait(build_of(scenario), on_log=seen.append)
        assert final.outcome is BuildOutcome.SUCCESS
        assert seen == fake_cloudflare.UNIT_LOG_LINES
    seconds = [line.timestamp for line in lines["logs_seconds"]]
    assert seconds == [line.timestamp for line in lines["logs_milliseconds"]]
    assert seconds == pytest.approx(fake_cloudflare.LOG_SECONDS, abs=1e-6)
    assert lines["logs_milliseconds"][0].time.isoformat() == "2019-12-27T18:11:22+00:00"


def test_the_wait_timeout_is_a_hard_deadline_while_log_pages_keep_coming(fake: FakeAPI) -> None:
    """slow_logs always has another page, each 0.5 s away: the wait still ends at its timeout."""
    client = deployhook.Client(base_url=fake.base_url, api_token=fake_cloudflare.API_TOKEN,
                               account_id=fake_cloudflare.ACCOUNT_ID, wait_timeout=3)
    lines: list[str] = []
    started = time.monotonic()
    with pytest.raises(deployhook.WaitTimeoutError):
        client.wait(build_of("slow_logs"), on_log=lines.append)
    assert time.monotonic() - started < 3.5
    assert lines[:2] == ["line 0", "line 1"] and len(lines) == len(set(lines))


def test_an_answer_about_another_build_is_a_response_error(client: deployhook.Client) -> None:
    with pytest.raises(ResponseError) as caught:
        client.wait(build_of("other_build"))
    assert caught.value.code is deployhook.ErrorCode.RESPONSE


def test_a_build_uuid_that_is_no_uuid_is_a_response_error(client: deployhook.Client, fake: FakeAPI) -> None:
    for call in (lambda: client.trigger(SCENARIOS["build_uuid_not_uuid"]),
                 lambda: client.trigger(SCENARIOS["build_uuid_not_uuid"], wait=True)):
        with pytest.raises(ResponseError) as caught:
            call()
        assert not isinstance(caught.value, ValueError)  # not an invalid argument: the POST went out
    assert requests_to(fake, "/builds/builds/") == []  # nothing tried to follow it
    assert fake_cloudflare.NOT_A_UUID_BUILD not in str(caught.value)


def test_a_successful_answer_is_final_even_with_x_should_retry_true(client: deployhook.Client,
                                                                    fake: FakeAPI) -> None:
    """retry_true_2xx answers 200 with x-should-retry: true: the header only overrides the decision for
    failures (issue 11, item 12), so the trigger is sent once, and the wait polls once."""
    build = client.trigger(SCENARIOS["retry_true_2xx"])
    assert build.build_uuid == build_of("retry_true_2xx")
    assert len(requests_to(fake, "/deploy_hooks/", "POST")) == 1
    assert client.wait(build).outcome is BuildOutcome.SUCCESS
    assert len(requests_to(fake, "/builds/builds/", "GET")) == 1


def _shown(value: object) -> list[str]:
    """Everything a Build (but its raw body, the library's one documented unredacted string) or an exception
    shows: repr, str, fields, message, attributes, the formatted traceback."""
    if isinstance(value, Build):
        return [repr(value), str(value)] + [repr(field) for name, field in vars(value).items() if name != "raw"]
    if isinstance(value, BaseException):
        return [str(value), repr(value), repr(value.args), repr(vars(value))] + traceback.format_exception(
            type(value), value, value.__traceback__)
    return [repr(value)]


def test_a_server_echoing_the_hook_never_shows_it(client: deployhook.Client, fake: FakeAPI) -> None:
    """echo_hook echoes the hook it was sent (in its letter case, and without dashes) in cf-ray, build_uuid,
    created_on, messages and log lines: none of it reaches anything the binding shows (issue 11, item 3)."""
    hook = SCENARIOS["echo_hook"]
    spellings = [hook, hook.upper(), hook.replace("-", ""), hook.upper().replace("-", "")]
    shown: list[str] = []
    for given in (hook, hook.upper(), f"{fake.base_url}/workers/builds/deploy_hooks/{hook.upper()}"):
        updates: list[Build] = []
        lines: list[str] = []
        calls: list[Callable[[], object]] = [
            lambda: client.trigger(given),
            lambda: client.trigger(given, wait=True, on_status=updates.append, on_log=lines.append),
            lambda: client.trigger_many([given, given]),
        ]
        for call in calls:
            try:
                outcome = call()
            except deployhook.DeployHookError as error:
                outcome = error
            for item in outcome if isinstance(outcome, list) else [outcome]:
                shown += _shown(item)
        shown += [text for update in updates for text in _shown(update)] + lines
    assert fake.requests(), "the hook was triggered"
    everything = "\n".join(shown).lower()
    for spelling in spellings:
        assert spelling.lower() not in everything


# ---- Cancelling a build (issue 13, item 5) ----

def cancels(fake: FakeAPI) -> list[dict[str, Any]]:
    return [request for request in fake.requests() if request["path"].endswith("/cancel")]


def test_cancel_a_running_build(client: deployhook.Client, fake: FakeAPI) -> None:
    """cancel_running runs until cancelled: the cancel stops it (outcome cancelled, already_stopped False) and a
    wait then finds it stopped so."""
    before = datetime.now(timezone.utc)
    cancelled = client.cancel(build_of("cancel_running"))
    assert cancelled.build_uuid == build_of("cancel_running")
    assert cancelled.status is BuildStatus.STOPPED
    assert cancelled.outcome is BuildOutcome.CANCELLED
    assert cancelled.already_stopped is False
    assert cancelled.stopped_on is not None
    assert before - timedelta(seconds=1) <= cancelled.stopped_on <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert cancelled.cf_ray is not None and cancelled.cf_ray.endswith("-SJC")
    assert cancelled.raw["result"]["build_outcome"] == "cancelled"
    [request] = cancels(fake)
    assert request["method"] == "PUT"
    assert request["path"] == (f"/client/v4/accounts/{fake_cloudflare.ACCOUNT_ID}/builds/builds/"
                               f"{build_of('cancel_running')}/cancel")
    assert request["headers"]["authorization"] == f"Bearer {fake_cloudflare.API_TOKEN}"
    final = client.wait(build_of("cancel_running"))
    assert final.outcome is BuildOutcome.CANCELLED and final.stopped_on == cancelled.stopped_on


def test_cancel_a_build_given_as_a_build(client: deployhook.Client) -> None:
    build = client.trigger(SCENARIOS["cancel_running"])
    cancelled = client.cancel(build)
    assert cancelled.build_uuid == build.build_uuid and cancelled.outcome is BuildOutcome.CANCELLED


def test_cancel_a_build_that_had_stopped(client: deployhook.Client) -> None:
    """cancel_stopped answers as Cloudflare does for a build that had stopped: its own outcome and stop time."""
    cancelled = client.cancel(build_of("cancel_stopped").upper())
    assert cancelled.already_stopped is True
    assert cancelled.outcome is BuildOutcome.SUCCESS and cancelled.status is BuildStatus.STOPPED
    assert cancelled.stopped_on == utc(fake_cloudflare.STOPPED_ON)


def test_cancel_answered_with_an_error(client: deployhook.Client, fake: FakeAPI) -> None:
    """cancel_stopped_error answers 400 with code 12002: an APIError carrying it, with the library's message."""
    with pytest.raises(APIError) as caught:
        client.cancel(build_of("cancel_stopped_error"))
    error = caught.value
    assert error.code is deployhook.ErrorCode.API
    assert error.api_code == 12002 and error.http_status == 400
    assert error.cf_ray is not None and error.cf_ray.endswith("-SJC")
    assert "Build already stopped" in str(error)
    with pytest.raises(NotFoundError) as not_found:  # a build that is no scenario's
        client.cancel(fake_cloudflare.BUILD_UUID)
    assert not_found.value.api_code == 12000 and not_found.value.http_status == 404
    wrong_token = deployhook.Client(base_url=fake.base_url, api_token="not-the-token",
                                    account_id=fake_cloudflare.ACCOUNT_ID)
    with pytest.raises(APIError) as refused:
        wrong_token.cancel(build_of("cancel_running"))
    assert refused.value.api_code == 10000
    for shown in _shown(error) + _shown(refused.value):
        assert fake_cloudflare.API_TOKEN not in shown and "not-the-token" not in shown


def test_cancel_without_credentials_sends_nothing(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    with deployhook.Client(base_url=fake.base_url) as bare:
        with pytest.raises(NoCredentialsError) as caught:
            bare.cancel(build_of("cancel_running"))
        assert caught.value.code is deployhook.ErrorCode.NO_CREDENTIALS
        assert isinstance(caught.value, deployhook.InvalidOptionError)
    with deployhook.Client(base_url=fake.base_url, account_id=fake_cloudflare.ACCOUNT_ID) as no_token:
        with pytest.raises(NoCredentialsError):
            no_token.cancel(build_of("cancel_running"))
    assert fake.requests() == []


def test_cancel_of_no_build_sends_nothing(client: deployhook.Client, fake: FakeAPI) -> None:
    for bad in ("not-a-uuid", "../x", ""):
        with pytest.raises(deployhook.InvalidOptionError) as caught:
            client.cancel(bad)
        assert not isinstance(caught.value, NoCredentialsError)
    with pytest.raises(deployhook.InvalidOptionError):
        client.cancel(Build(None, BuildStatus.UNKNOWN, None, None, None, {}))
    with pytest.raises(TypeError):
        client.cancel(42)  # type: ignore[arg-type]
    assert fake.requests() == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library names the OS: linux here")
def test_the_user_agent_names_python(client: deployhook.Client, fake: FakeAPI) -> None:
    """The library writes the User-Agent from the binding name the binding sets
    (deployhook_options_set_binding_name): on a trigger, a poll and a cancel alike."""
    client.trigger(SCENARIOS["cancel_stopped"])
    client.wait(build_of("cancel_stopped"))
    client.cancel(build_of("cancel_stopped"))
    agents = {request["headers"]["user-agent"] for request in fake.requests()}
    assert agents == {f"deployhook/{deployhook.__version__} (python; linux)"}


def test_async_cancel(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)

    async def main() -> tuple[Build, Build, APIError]:
        async with deployhook.AsyncClient(base_url=fake.base_url, api_token=fake_cloudflare.API_TOKEN,
                                          account_id=fake_cloudflare.ACCOUNT_ID) as client:
            running, stopped = await asyncio.gather(client.cancel(build_of("cancel_running")),
                                                    client.cancel(build_of("cancel_stopped")))
            with pytest.raises(APIError) as caught:
                await client.cancel(build_of("cancel_stopped_error"))
            sent = len(fake.requests())
            async with deployhook.AsyncClient(base_url=fake.base_url, account_id=fake_cloudflare.ACCOUNT_ID) as bare:
                with pytest.raises(NoCredentialsError):
                    await bare.cancel(build_of("cancel_running"))
            assert len(fake.requests()) == sent  # nothing sent
            return running, stopped, caught.value

    running, stopped, error = asyncio.run(main())
    assert running.outcome is BuildOutcome.CANCELLED and running.already_stopped is False
    assert stopped.outcome is BuildOutcome.SUCCESS and stopped.already_stopped is True
    assert error.api_code == 12002
