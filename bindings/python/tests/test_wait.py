"""Following a build: Client.wait, trigger(wait=True), callbacks, timeouts, credentials, secrecy, the GIL.

Runs against the Workers Builds API emulator, in-process. The library polls every 2 s at first, so a wait
for a build that has not stopped yet takes about 2 s: independent waits run in threads, and builds that must
merely be stopped use hooks whose phases last 0 s (the first poll already sees them stopped).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from datetime import datetime, timezone
import urllib.request
from collections.abc import Iterator
from typing import Callable

import pytest
from support import in_threads, spin_python

import deployhook
from deployhook import Build, BuildOutcome, BuildStatus, ErrorCode
from deployhook.emulator import Emulator, HookConfig

TOKEN = "wait-tests-token-7Hq2ZxK9"
"""The emulator's API token: a secret, like the hook."""
ACCOUNT = "wait-tests-account"
PHASE = 0.2
"""Seconds per phase (queued, initializing, running): the builds stop 0.6 s after their trigger."""
SLOW = 30.0
"""Seconds per phase of builds that must still be running when the test is over."""
LOGS = ("Cloning repository...", "Building: ünïcödé ✓", "", "Deployed")

_OUTCOMES = ("success", "fail", "skipped", "cancelled", "terminated")
_NAMES = (*_OUTCOMES, "logs", "quiet", "verbose", "client_trigger", "module_trigger", "module_plain", "given",
          "raises", "env", "no_credentials", "not_started", "instant", "slow", "cancel")
HOOKS = {name: f"7e57a17e-0000-4000-8000-{index:012x}" for index, name in enumerate(_NAMES)}
"""One hook per test (a second trigger of a pending build would only return it again)."""
_CONFIGS = {
    **{name: HookConfig(outcome=name, phase_seconds=PHASE) for name in _OUTCOMES},
    "logs": HookConfig(phase_seconds=PHASE, logs=LOGS),
    "raises": HookConfig(phase_seconds=0.5),  # queued at the first poll even on a busy machine, stopped at the next
    "instant": HookConfig(phase_seconds=0),
    "no_credentials": HookConfig(phase_seconds=0),
    "slow": HookConfig(phase_seconds=SLOW),
    "not_started": HookConfig(phase_seconds=SLOW),
    "cancel": HookConfig(phase_seconds=SLOW),
}

_LIFECYCLE = [BuildStatus.QUEUED, BuildStatus.INITIALIZING, BuildStatus.RUNNING, BuildStatus.STOPPED]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    hooks = {uuid: _CONFIGS.get(name, HookConfig(phase_seconds=PHASE)) for name, uuid in HOOKS.items()}
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT, phase_seconds=PHASE, builds_per_minute=1000) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID; some set them."""
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[deployhook.Client]:
    with deployhook.Client(base_url=emulator.base_url, api_token=TOKEN, account_id=ACCOUNT) as made:
        yield made


def in_lifecycle_order(statuses: list[BuildStatus]) -> bool:
    """Whether each status comes later in queued → initializing → running → stopped than the one before."""
    positions = [_LIFECYCLE.index(status) for status in statuses]
    return positions == sorted(set(positions))


def test_wait_reports_each_outcome(client: deployhook.Client) -> None:
    triggered = {outcome: client.trigger(HOOKS[outcome]) for outcome in _OUTCOMES}
    finals = in_threads(*(lambda build=build: client.wait(build) for build in triggered.values()))
    for (outcome, build), final in zip(triggered.items(), finals):
        assert isinstance(final, Build), final
        assert final.outcome is BuildOutcome(outcome)
        assert final.status is BuildStatus.STOPPED
        assert final.build_uuid == build.build_uuid
        assert final.created_on == build.created_on
        assert final.stopped_on is not None and final.stopped_on.tzinfo is not None
        assert build.created_on is not None and final.stopped_on > build.created_on
        if outcome == "success":
            assert final.preview_url is not None and final.preview_url.startswith("https://")
            assert final.preview_url.endswith("-my-worker.my-subdomain.workers.dev")
        else:
            assert final.preview_url is None
        assert final.already_exists is False  # given a Build, the answer keeps what only the trigger knew
        assert final.cf_ray is not None and final.raw["result"]["build_uuid"] == build.build_uuid
    assert all(build.outcome is None and build.stopped_on is None for build in triggered.values())


def test_a_build_cancelled_while_waited_for(client: deployhook.Client, emulator: Emulator) -> None:
    build = client.trigger(HOOKS["cancel"])

    def cancel() -> None:
        time.sleep(0.5)  # after the first poll
        request = urllib.request.Request(
            f"{emulator.base_url}/accounts/{ACCOUNT}/builds/builds/{build.build_uuid}/cancel", method="PUT",
            headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["result"]["build_outcome"] == "cancelled"

    lines: list[str] = []
    final, _ = in_threads(lambda: client.wait(build, on_log=lines.append, timeout=20), cancel)
    assert isinstance(final, Build), final
    assert final.outcome is BuildOutcome.CANCELLED
    assert final.status is BuildStatus.STOPPED
    assert lines == ["Build cancelled"]


def test_status_callbacks_and_log_lines_in_order(client: deployhook.Client) -> None:
    build = client.trigger(HOOKS["logs"])
    seen: list[tuple[str, object, int]] = []

    def on_status(update: Build) -> None:
        seen.append(("status", update, threading.get_ident()))

    def on_log(line: str) -> None:
        seen.append(("log", line, threading.get_ident()))

    waiting_thread: list[int] = []

    def wait() -> Build:
        waiting_thread.append(threading.get_ident())
        return client.wait(build, on_status=on_status, on_log=on_log)

    [final] = in_threads(wait)
    assert isinstance(final, Build), final
    assert final.outcome is BuildOutcome.SUCCESS
    assert {thread for _, _, thread in seen} == set(waiting_thread), "callbacks run on the waiting thread"
    updates = [update for kind, update, _ in seen if kind == "status"]
    assert all(isinstance(update, Build) for update in updates)
    statuses = [update.status for update in updates]  # type: ignore[union-attr]
    assert statuses[-1] is BuildStatus.STOPPED
    assert in_lifecycle_order(statuses), statuses
    assert all(update.build_uuid == build.build_uuid for update in updates)  # type: ignore[union-attr]
    assert [line for kind, line, _ in seen if kind == "log"] == list(LOGS)
    lines = [line for kind, line, _ in seen if kind == "log"]
    assert all(type(line) is deployhook.LogLine for line in lines)  # a str with the line's time
    times = [line.timestamp for line in lines]  # type: ignore[attr-defined]
    assert times == sorted(times) and abs(times[0] - time.time()) < 60
    assert lines[0].time == datetime.fromtimestamp(times[0], timezone.utc)  # type: ignore[attr-defined]


def test_logs_are_fetched_only_with_on_log(capsys: pytest.CaptureFixture[str]) -> None:
    """The emulator, verbose, logs every request: the build waited for without on_log has no /logs request."""
    hooks = {HOOKS["quiet"]: HookConfig(phase_seconds=PHASE), HOOKS["verbose"]: HookConfig(phase_seconds=PHASE)}
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT, verbose=True) as verbose:
        client = deployhook.Client(base_url=verbose.base_url, api_token=TOKEN, account_id=ACCOUNT)
        quiet, followed = client.trigger(HOOKS["quiet"]), client.trigger(HOOKS["verbose"])
        statuses: list[BuildStatus] = []
        lines: list[str] = []
        finals = in_threads(lambda: client.wait(quiet, on_status=lambda update: statuses.append(update.status)),
                            lambda: client.wait(followed, on_log=lines.append))
    assert [final.outcome for final in finals] == [BuildOutcome.SUCCESS] * 2  # type: ignore[union-attr]
    assert statuses[-1] is BuildStatus.STOPPED and lines[-1] == "Success: deployed"
    requests = capsys.readouterr().err.splitlines()
    assert any(f"/builds/builds/{quiet.build_uuid} 200" in request for request in requests), requests
    assert not any(f"/builds/builds/{quiet.build_uuid}/logs" in request for request in requests), requests
    assert any(f"/builds/builds/{followed.build_uuid}/logs" in request for request in requests), requests


def test_trigger_with_wait(client: deployhook.Client, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", emulator.base_url)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    plain = deployhook.trigger(HOOKS["module_plain"])  # unchanged: returns at once
    assert plain.status is BuildStatus.QUEUED and plain.outcome is None and plain.already_exists is False
    statuses: list[Build] = []
    lines: list[str] = []
    finals = in_threads(
        lambda: client.trigger(HOOKS["client_trigger"], wait=True, on_status=statuses.append, on_log=lines.append),
        lambda: deployhook.trigger(HOOKS["module_trigger"], wait=True, timeout=20),
    )
    for final in finals:
        assert isinstance(final, Build), final
        assert final.outcome is BuildOutcome.SUCCESS and final.status is BuildStatus.STOPPED
        assert final.already_exists is False
        assert final.cf_ray is not None and final.cf_ray.endswith("-EMU")
        assert final.raw["result"]["build_uuid"] == final.build_uuid  # the trigger's answer
        assert final.stopped_on is not None and final.preview_url is not None
    assert finals[0].build_uuid != finals[1].build_uuid  # type: ignore[union-attr]
    assert [update.status for update in statuses][-1] is BuildStatus.STOPPED
    assert in_lifecycle_order([update.status for update in statuses])
    assert lines[-1] == "Success: deployed" and len(lines) == 5


def test_wait_given_a_build_or_its_uuid(client: deployhook.Client) -> None:
    build = client.trigger(HOOKS["given"])
    uuid = str(build.build_uuid)
    given_build, given_uuid, given_upper = in_threads(lambda: client.wait(build), lambda: client.wait(uuid),
                                                      lambda: client.wait(f" {uuid.upper()}\n"))
    for final in (given_build, given_uuid, given_upper):
        assert isinstance(final, Build), final
        assert final.build_uuid == build.build_uuid
        assert final.outcome is BuildOutcome.SUCCESS
    assert given_build.already_exists is False and given_build.cf_ray is not None  # type: ignore[union-attr]
    assert given_uuid.already_exists is None  # type: ignore[union-attr]
    assert isinstance(given_build, Build)
    again = client.wait(build)  # stopped: a single poll
    assert (again.outcome, again.stopped_on) == (given_build.outcome, given_build.stopped_on)


def test_wait_timeout(emulator: Emulator, client: deployhook.Client) -> None:
    build = client.trigger(HOOKS["slow"])
    impatient = deployhook.Client(base_url=emulator.base_url, api_token=TOKEN, account_id=ACCOUNT, wait_timeout=0.3)
    statuses: list[BuildStatus] = []
    calls: list[Callable[[], object]] = [
        lambda: client.wait(build, timeout=0.3),
        lambda: client.wait(build, on_status=lambda update: statuses.append(update.status), timeout=0.3),
        lambda: impatient.wait(str(build.build_uuid)),
        lambda: client.trigger(HOOKS["slow"], wait=True, timeout=0.3),
    ]
    started = time.monotonic()
    errors = in_threads(*calls)
    assert time.monotonic() - started < 1.5
    for error in errors:
        assert isinstance(error, deployhook.WaitTimeoutError), error
        assert isinstance(error, TimeoutError)  # the builtin one
        assert error.code is ErrorCode.WAIT_TIMEOUT
        assert str(build.build_uuid) in str(error)
    assert statuses == [BuildStatus.QUEUED]


def test_wrong_token_is_an_api_error(emulator: Emulator, client: deployhook.Client) -> None:
    build = client.trigger(HOOKS["instant"])
    wrong = deployhook.Client(base_url=emulator.base_url, api_token="not-the-token", account_id=ACCOUNT)
    with pytest.raises(deployhook.APIError) as caught:
        wrong.wait(build)
    assert caught.value.api_code == 10000 and caught.value.http_status == 403
    assert caught.value.code is ErrorCode.API
    with pytest.raises(deployhook.APIError) as caught:
        wrong.trigger(HOOKS["instant"], wait=True)
    assert caught.value.api_code == 10000


def test_missing_credentials(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    build = deployhook.Client(base_url=emulator.base_url).trigger(HOOKS["no_credentials"])
    clients = [deployhook.Client(base_url=emulator.base_url),
               deployhook.Client(base_url=emulator.base_url, api_token=TOKEN),
               deployhook.Client(base_url=emulator.base_url, account_id=ACCOUNT)]
    for client in clients:
        with pytest.raises(deployhook.InvalidOptionError) as caught:
            client.wait(build)
        assert isinstance(caught.value, ValueError) and caught.value.code is ErrorCode.NO_CREDENTIALS
        assert isinstance(caught.value, deployhook.NoCredentialsError)
        assert "CLOUDFLARE_API_TOKEN" in str(caught.value)
        with pytest.raises(deployhook.InvalidOptionError):
            client.trigger(HOOKS["not_started"], wait=True)
    assert clients[0].trigger(HOOKS["not_started"]).already_exists is False  # no build was started before
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    with pytest.raises(deployhook.InvalidOptionError):
        clients[0].wait(build)  # the account is still missing
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    assert clients[0].wait(build).outcome is BuildOutcome.SUCCESS  # the environment is read at each wait


def test_explicit_credentials_beat_the_environment(emulator: Emulator, client: deployhook.Client,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "an-old-token")
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "another-account")
    build = client.trigger(HOOKS["env"])
    assert client.wait(build).outcome is BuildOutcome.SUCCESS  # while it runs: a real wait
    with pytest.raises(deployhook.APIError):
        deployhook.Client(base_url=emulator.base_url, account_id=ACCOUNT).wait(build)  # the old token
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    assert deployhook.Client(base_url=emulator.base_url).wait(build).outcome is BuildOutcome.SUCCESS
    with pytest.raises(deployhook.APIError) as caught:
        deployhook.Client(base_url=emulator.base_url, api_token="explicit-but-wrong").wait(build)
    assert caught.value.api_code == 10000
    with pytest.raises(deployhook.NotFoundError) as not_found:
        deployhook.Client(base_url=emulator.base_url, account_id="explicit-other").wait(build)
    assert not_found.value.http_status == 404


def _texts_of(error: BaseException) -> str:
    """Everything an exception shows: message, repr, args, attributes, the formatted chain."""
    parts = [str(error), repr(error), repr(error.args), repr(vars(error))]
    parts += traceback.format_exception(type(error), error, error.__traceback__)
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.append(_texts_of(linked))
    return "\n".join(parts)


def test_the_token_is_never_shown(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [TOKEN, "wrong-token-Zq81", "bad token", "bad\0token", "x" * 1025]
    shown: list[str] = []
    client = deployhook.Client(base_url=emulator.base_url, api_token=TOKEN, account_id=ACCOUNT, wait_timeout=5)
    shown += [repr(client), str(client), repr(vars(client))]
    assert repr(client) == (f"<deployhook.Client(base_url={emulator.base_url!r}, account_id={ACCOUNT!r}, "
                            "wait_timeout=5)>")
    build = client.trigger(HOOKS["instant"])
    final = client.wait(build, on_status=lambda update: shown.append(repr(update)), on_log=shown.append)
    shown += [repr(final), str(final), repr(final.raw)]
    attempts: list[Callable[[], object]] = [
        lambda: client.wait(build, timeout=0),
        lambda: client.wait("00000000-0000-4000-8000-0000000000ff"),  # no such build
        lambda: client.wait(client.trigger(HOOKS["slow"]), timeout=0.2),
        lambda: deployhook.Client(base_url=emulator.base_url, api_token=secrets[1], account_id=ACCOUNT).wait(build),
        lambda: deployhook.Client(base_url=emulator.base_url, api_token=secrets[1]).wait(build),
    ]
    attempts += [lambda secret=secret: deployhook.Client(api_token=secret) for secret in secrets[2:]]
    for attempt in attempts:
        with pytest.raises(deployhook.DeployHookError) as caught:
            attempt()
        shown.append(_texts_of(caught.value))
    shown += [record.getMessage() for record in caplog.records]
    everything = "\n".join(shown)
    for secret in secrets:
        assert secret not in everything and repr(secret)[1:-1] not in everything  # nor quoted: 'bad\x00token'
    assert TOKEN[-8:] not in everything  # not even a tail


@pytest.mark.parametrize("kind", [ValueError, KeyboardInterrupt])
def test_a_callback_that_raises(client: deployhook.Client, capsys: pytest.CaptureFixture[str],
                                kind: type[BaseException]) -> None:
    """The first exception a callback raises stops the wait at once (the library's interrupt) and comes out of
    wait(); no later event reaches a callback."""
    first_status, first_log = kind("first status"), kind("first log")
    status_calls: list[BuildStatus] = []
    log_calls: list[str] = []
    unexpected_log_calls: list[str] = []

    def on_status(update: Build) -> None:
        status_calls.append(update.status)
        raise first_status if len(status_calls) == 1 else kind("again")

    def on_log(line: str) -> None:
        unexpected_log_calls.append(line)

    def raising_on_log(line: str) -> None:
        log_calls.append(line)
        raise first_log if len(log_calls) == 1 else kind("again")

    def timed(call: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            started = time.monotonic()
            try:
                return call()
            finally:
                durations.append(time.monotonic() - started)
        return run

    durations: list[float] = []
    build = client.trigger(HOOKS["raises"])  # queued for 0.5 s, then 0.5 s each initializing and running
    from_status, from_log = in_threads(timed(lambda: client.wait(build, on_status=on_status, on_log=on_log)),
                                       lambda: client.wait(build, on_log=raising_on_log))
    assert from_status is first_status and from_log is first_log
    assert durations[0] < 1.0, "the wait went on after its callback raised"  # the build stops at 1.5 s
    assert status_calls == [BuildStatus.QUEUED]  # the first poll; then the wait was stopped
    assert unexpected_log_calls == []  # every line came after the exception
    assert log_calls == ["Cloning repository..."]  # the first line; the next four were not delivered
    assert "Exception ignored" not in capsys.readouterr().err  # ctypes printed nothing
    assert client.wait(build).outcome is BuildOutcome.SUCCESS  # the client is still fine


def test_the_gil_is_released_while_waiting(client: deployhook.Client) -> None:
    """The main thread keeps running Python while another thread waits in the C library."""
    build = client.trigger(HOOKS["slow"])
    errors: list[BaseException] = []

    def wait_in_c() -> None:
        try:
            client.wait(build, timeout=2.5)
        except deployhook.WaitTimeoutError as error:
            errors.append(error)

    waiter = threading.Thread(target=wait_in_c)
    waiter.start()
    iterations, longest_pause = spin_python(1.5)
    assert waiter.is_alive(), "the wait should still be going on"
    assert longest_pause < 0.5, f"the main thread stalled for {longest_pause:.2f} s"
    assert iterations > 10_000
    waiter.join(timeout=10)
    assert len(errors) == 1


def test_bad_arguments(emulator: Emulator, client: deployhook.Client) -> None:
    build = client.trigger(HOOKS["instant"])
    with pytest.raises(TypeError):
        client.wait(build.build_uuid.encode())  # type: ignore[arg-type, union-attr]
    with pytest.raises(TypeError):
        client.trigger(HOOKS["instant"], on_log=print)  # without wait=True
    with pytest.raises(deployhook.InvalidHookError):
        client.trigger("not-a-hook", wait=True)
    with pytest.raises(deployhook.NotFoundError):
        client.trigger("00000000-0000-4000-8000-0000000000ff", wait=True)
    for not_a_build in ("not-a-uuid", "", "\0", "é", Build(None, BuildStatus.QUEUED, None, None, None, {})):
        with pytest.raises(deployhook.InvalidOptionError):
            client.wait(not_a_build)
    for timeout in (0, -1, 86_401, float("nan")):
        with pytest.raises(deployhook.InvalidOptionError, match="timeout"):
            client.wait(build, timeout=timeout)
    for options in ({"wait_timeout": 0}, {"account_id": "no/slash"}, {"account_id": ""}, {"api_token": ""}):
        with pytest.raises(deployhook.InvalidOptionError, match=next(iter(options))):
            deployhook.Client(**options)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        deployhook.Client(api_token=b"token")  # type: ignore[arg-type]
    client.close()
    with pytest.raises(RuntimeError):
        client.wait(build)
    with pytest.raises(RuntimeError):
        client.trigger(HOOKS["instant"], wait=True)


def test_build_outcome_values() -> None:
    from deployhook._library import lib

    assert [o.value for o in BuildOutcome] == ["success", "fail", "skipped", "cancelled", "terminated", "unknown"]
    assert BuildOutcome("fail") is BuildOutcome.FAIL and isinstance(BuildOutcome.SUCCESS, str)
    assert lib.deployhook_outcome_name(0).decode() == "none"
    for number, outcome in enumerate(BuildOutcome, start=1):
        assert lib.deployhook_outcome_name(number).decode() == outcome.value
    assert deployhook.BuildOutcome is BuildOutcome and "BuildOutcome" in deployhook.__all__
