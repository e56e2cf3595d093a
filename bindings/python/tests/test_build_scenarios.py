"""Following builds over real HTTP: the shared fake's BUILD_SCENARIOS (Tests/fake_api/SCENARIOS.md, "Following
a build") through Client.wait and Client.trigger(wait=True) (issues 11 and 13).

The fake answers the build endpoints only with its API token and account (fake_cloudflare.API_TOKEN and
ACCOUNT_ID). It polls as Cloudflare would be polled: a wait that needs a second poll takes about 2 s, so
those run in threads.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator

import pytest
from support import FakeAPI, fake_cloudflare

import deployhook
from deployhook import Build, BuildOutcome, BuildStatus, ResponseError

SCENARIOS = fake_cloudflare.BUILD_SCENARIOS


def build_of(scenario: str) -> str:
    return fake_cloudflare.build_uuid_of(scenario)  # type: ignore[no-any-return]


@pytest.fixture
def client(fake: FakeAPI) -> Iterator[deployhook.Client]:
    with deployhook.Client(base_url=fake.base_url, api_token=fake_cloudflare.API_TOKEN,
                           account_id=fake_cloudflare.ACCOUNT_ID) as made:
        yield made


def in_threads(*calls: Callable[[], object]) -> list[object]:
    """Runs the calls at once, one thread each; returns what each returned or raised, in order."""
    outcomes: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            outcomes[index] = calls[index]()
        except BaseException as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def requests_to(fake: FakeAPI, fragment: str, method: str | None = None) -> list[str]:
    return [request["path"] for request in fake.requests()
            if fragment in request["path"] and (method is None or request["method"] == method)]


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
        return [repr(value), str(value)] + [repr(getattr(value, name)) for name in
                                            ("build_uuid", "status", "already_exists", "created_on", "cf_ray",
                                             "outcome", "preview_url", "stopped_on")]
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
