"""The fake's follow-a-build endpoints answer as SCENARIOS.md ("Following a build") says, over real HTTP.

    python3 -m pytest Tests/fake_api
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "schema")]

from fake_cloudflare import (  # noqa: E402
    ACCOUNT_ID, API_TOKEN, BUILD_SCENARIOS, BUILD_UUID, CREATED_ON, FAULT_SCENARIOS, FULL_LOG_CURSORS, FULL_LOG_LINES,
    FULL_METADATA, FULL_TRIGGER, LOG_LINES, LOG_MILLISECONDS, LOG_SECONDS, NOT_A_UUID_BUILD, OTHER_BUILD_UUID,
    PREVIEW_URL, SCENARIOS, SLOW_LOGS_SECONDS, STOPPED_ON, UNIT_LOG_LINES, UNKNOWN_UUID, build_uuid_of, start_fake)
from schema_check import envelope_problems  # noqa: E402

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
Answer = tuple[int, Any, Any]


class Fake:
    """A urllib client for the fake."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake

    def call(self, method: str, path: str, authorization: str | None = f"Bearer {API_TOKEN}") -> Answer:
        data = b"" if method in ("POST", "PUT") else None
        request = urllib.request.Request(self.fake.base_url + path, data=data, method=method)
        if authorization is not None:
            request.add_header("Authorization", authorization)
        try:
            with NO_PROXY.open(request, timeout=10) as response:
                return response.status, json.loads(response.read()), response.headers
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read()), error.headers

    def trigger(self, hook: str) -> Answer:
        return self.call("POST", f"/workers/builds/deploy_hooks/{hook}", authorization=None)

    def account(self, method: str, build: str, suffix: str = "", **options: Any) -> Answer:
        return self.call(method, f"/accounts/{ACCOUNT_ID}/builds/builds/{build}{suffix}", **options)

    def result(self, method: str, scenario: str, suffix: str = "", query: str = "") -> Any:
        """The result of a 200 answer about the scenario's build (its envelope checked)."""
        status, body, _ = self.account(method, build_uuid_of(scenario), suffix + query)
        assert status == 200, body
        assert body["success"] is True and body["errors"] == []
        return body["result"]

    def build(self, scenario: str) -> Any:
        return self.result("GET", scenario)

    def logs(self, scenario: str, cursor: str | None = None) -> Any:
        return self.result("GET", scenario, "/logs", f"?cursor={cursor}" if cursor is not None else "")

    def cancel(self, scenario: str) -> Any:
        return self.result("PUT", scenario, "/cancel")


@pytest.fixture(scope="module")
def running_fake() -> Iterator[Any]:
    fake = start_fake()
    yield fake
    fake.stop()


@pytest.fixture
def fake(running_fake: Any) -> Fake:
    running_fake.reset()
    return Fake(running_fake)


def error_of(answer: Answer) -> tuple[int, int]:
    status, body, _ = answer
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    [error] = body["errors"]
    return status, error["code"]


def texts(page: dict[str, Any]) -> list[str]:
    return [text for _, text in page["lines"]]


# ---- routing, token, account ------------------------------------------------------------------------------


def test_build_scenarios_are_apart_from_the_others() -> None:
    hooks = set(BUILD_SCENARIOS.values())
    assert len(hooks) == len(BUILD_SCENARIOS)
    assert not hooks & set(SCENARIOS.values()) and not hooks & set(FAULT_SCENARIOS.values())


@pytest.mark.parametrize("scenario", sorted(BUILD_SCENARIOS))
def test_each_hook_triggers_its_own_build(fake: Fake, scenario: str) -> None:
    status, body, _ = fake.trigger(BUILD_SCENARIOS[scenario])
    assert status == 200 and body["success"] is True
    assert body["result"]["build_uuid"] == build_uuid_of(scenario)


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("GET", "/logs"), ("PUT", "/cancel")])
def test_token_account_method_and_unknown_builds(fake: Fake, method: str, suffix: str) -> None:
    build = build_uuid_of("build_full")
    assert error_of(fake.account(method, build, suffix, authorization=None)) == (401, 12005)
    assert error_of(fake.account(method, build, suffix, authorization=f"Basic {API_TOKEN}")) == (401, 12005)
    assert error_of(fake.account(method, build, suffix, authorization="Bearer wrong")) == (403, 10000)
    assert error_of(fake.call(method, f"/accounts/{'f' * 32}/builds/builds/{build}{suffix}")) == (404, 7003)
    status, body, headers = fake.account("POST", build, suffix)
    assert error_of((status, body, headers)) == (405, 10405) and headers["Allow"] == method
    for unknown in (UNKNOWN_UUID, BUILD_UUID, "not-a-uuid"):  # BUILD_UUID: the ok scenario's, not followed
        assert error_of(fake.account(method, unknown, suffix)) == (404, 12000)
    assert error_of(fake.account(method, build.upper(), suffix, authorization=None)) == (401, 12005)
    assert fake.account(method, build.upper(), suffix)[0] == 200  # build UUIDs in any letter case


def test_requests_are_recorded_but_only_triggers_count_in_flight(fake: Fake) -> None:
    fake.trigger(BUILD_SCENARIOS["build_full"])
    fake.build("build_full")
    fake.logs("build_full")
    paths = [request["path"] for request in fake.fake.requests()]
    assert paths[1:] == [f"/client/v4/accounts/{ACCOUNT_ID}/builds/builds/{build_uuid_of('build_full')}",
                         f"/client/v4/accounts/{ACCOUNT_ID}/builds/builds/{build_uuid_of('build_full')}/logs"]
    assert fake.fake.requests()[1]["headers"]["authorization"] == f"Bearer {API_TOKEN}"
    assert fake.fake.stats()["max_in_flight"] == 1


@pytest.mark.parametrize("scenario", sorted(set(BUILD_SCENARIOS) - {"echo_hook", "build_uuid_not_uuid"}))
def test_answers_are_ones_the_schema_allows(fake: Fake, scenario: str) -> None:
    """All but the two scenarios that depart on purpose (echoes where a UUID or a time belongs) and the error
    of cancel_stopped_error."""
    answers = [("triggerDeployHook", fake.trigger(BUILD_SCENARIOS[scenario]))]
    for operation, method, suffix in (("getBuildByUuid", "GET", ""), ("getBuildLogs", "GET", "/logs"),
                                      ("cancelBuildByUuid", "PUT", "/cancel")):
        answers.append((operation, fake.account(method, build_uuid_of(scenario), suffix)))
    for operation, (status, body, _) in answers:
        if status == 200:
            assert envelope_problems(body, operation) == [], (operation, body)


def test_build_full_has_every_field_the_schema_has(fake: Fake) -> None:
    body = fake.account("GET", build_uuid_of("build_full"))[1]
    not_sent = frozenset({"result_info", "result.trigger.deleted_on", "result.trigger.repo_connection.deleted_on"})
    assert envelope_problems(body, "getBuildByUuid", full=True, not_sent=not_sent) == []


# ---- the scenarios ----------------------------------------------------------------------------------------


def test_build_minimal_omits_every_optional_field(fake: Fake) -> None:
    assert fake.trigger(BUILD_SCENARIOS["build_minimal"])[1]["result"] == {"build_uuid": build_uuid_of("build_minimal")}
    assert fake.build("build_minimal") == {"build_outcome": "success"}
    logs = fake.logs("build_minimal")
    assert list(logs) == ["lines"] and texts(logs) == LOG_LINES
    assert fake.cancel("build_minimal") == {}


def test_build_no_status_is_stopped_by_its_outcome_and_stop_time(fake: Fake) -> None:
    build = fake.build("build_no_status")
    assert build == {"build_uuid": build_uuid_of("build_no_status"), "build_outcome": "fail",
                     "created_on": CREATED_ON, "stopped_on": STOPPED_ON}
    assert texts(fake.logs("build_no_status"))[-1] == "Build failed"
    assert fake.cancel("build_no_status")["build_outcome"] == "fail"


def test_build_full_carries_everything_and_pages_its_logs(fake: Fake) -> None:
    build = fake.build("build_full")
    assert (build["status"], build["build_outcome"], build["preview_url"]) == ("stopped", "success", PREVIEW_URL)
    assert build["build_trigger_metadata"] == FULL_METADATA and build["trigger"] == FULL_TRIGGER
    assert build["deploy_hook"] == {"deploy_hook_name": "Production deploy hook"} and build["pull_request"] is None
    assert FULL_METADATA["commit_message"].splitlines()[0] == "Fix the caf\u00e9 menu"
    first = fake.logs("build_full")
    middle = fake.logs("build_full", first["cursor"])
    last = fake.logs("build_full", middle["cursor"])
    assert [first["cursor"], middle["cursor"]] == FULL_LOG_CURSORS and "cursor" not in last
    assert [page["truncated"] for page in (first, middle, last)] == [True, True, False]
    assert texts(first) + texts(middle) + texts(last) == FULL_LOG_LINES
    assert fake.logs("build_full", "garbage") == first


@pytest.mark.parametrize("scenario", ["logs_no_cursor_truncated", "logs_no_cursor_complete"])
def test_log_pages_without_a_cursor(fake: Fake, scenario: str) -> None:
    truncated = scenario == "logs_no_cursor_truncated"
    page = fake.logs(scenario)
    assert page == {"lines": page["lines"], "truncated": truncated} and texts(page) == LOG_LINES[:2]
    assert fake.build(scenario)["status"] == "running"
    assert texts(fake.logs(scenario)) == LOG_LINES[:2]
    assert (fake.build(scenario)["status"], fake.build(scenario)["build_outcome"]) == ("stopped", "success")
    for cursor in (None, "anything"):
        page = fake.logs(scenario, cursor)
        assert page == {"lines": page["lines"], "truncated": truncated} and texts(page) == LOG_LINES
    fake.fake.reset()
    assert fake.build(scenario)["status"] == "running"


def test_log_timestamps_in_seconds_and_milliseconds_are_the_same_instants(fake: Fake) -> None:
    seconds = fake.logs("logs_seconds")["lines"]
    milliseconds = fake.logs("logs_milliseconds")["lines"]
    assert [stamp for stamp, _ in seconds] == LOG_SECONDS and [stamp for stamp, _ in milliseconds] == LOG_MILLISECONDS
    assert [stamp * 1000 for stamp, _ in seconds] == [stamp for stamp, _ in milliseconds]
    assert texts({"lines": seconds}) == texts({"lines": milliseconds}) == UNIT_LOG_LINES
    assert datetime.fromtimestamp(seconds[1][0], timezone.utc).isoformat() == "2019-12-27T18:11:23.500000+00:00"


def test_cancel_a_running_build(fake: Fake) -> None:
    assert fake.build("cancel_running")["status"] == "running"
    assert texts(fake.logs("cancel_running")) == LOG_LINES[:2]
    before = time.time()
    cancelled = fake.cancel("cancel_running")
    assert cancelled["build_outcome"] == "cancelled" and cancelled["build_uuid"] == build_uuid_of("cancel_running")
    stopped_on = datetime.fromisoformat(cancelled["stopped_on"].replace("Z", "+00:00")).timestamp()
    assert before - 0.001 <= stopped_on <= time.time() + 0.001
    build = fake.build("cancel_running")
    assert (build["status"], build["build_outcome"], build["stopped_on"]) == ("stopped", "cancelled",
                                                                               cancelled["stopped_on"])
    assert texts(fake.logs("cancel_running")) == LOG_LINES[:2] + ["Build cancelled"]
    assert fake.cancel("cancel_running") == cancelled  # again: the same, it has stopped
    fake.fake.reset()
    assert fake.build("cancel_running")["status"] == "running"


def test_cancel_a_stopped_build(fake: Fake) -> None:
    assert fake.cancel("cancel_stopped") == {"build_outcome": "success", "build_uuid": build_uuid_of("cancel_stopped"),
                                             "stopped_on": STOPPED_ON}
    assert fake.build("cancel_stopped")["build_outcome"] == "success"
    answer = fake.account("PUT", build_uuid_of("cancel_stopped_error"), "/cancel")
    assert error_of(answer) == (400, 12002) and answer[1]["errors"][0]["message"] == "Build already stopped"
    assert fake.build("cancel_stopped_error")["build_outcome"] == "success"


def test_answers_about_another_build(fake: Fake) -> None:
    assert fake.build("other_build")["build_uuid"] == OTHER_BUILD_UUID
    assert fake.cancel("other_build")["build_uuid"] == OTHER_BUILD_UUID


def test_slow_logs_always_have_another_page(fake: Fake) -> None:
    cursor = None
    for page_number in range(3):
        started = time.monotonic()
        page = fake.logs("slow_logs", cursor)
        assert time.monotonic() - started >= SLOW_LOGS_SECONDS - 0.01
        assert page["truncated"] is True and page["cursor"] == f"page-{page_number + 1}"
        assert texts(page) == [f"line {page_number}"]
        cursor = page["cursor"]
    assert fake.build("slow_logs")["status"] == "running"
    assert fake.cancel("slow_logs")["build_outcome"] == "cancelled"
    assert fake.build("slow_logs")["build_outcome"] == "cancelled"


def test_a_build_uuid_that_is_not_a_uuid(fake: Fake) -> None:
    status, body, _ = fake.trigger(BUILD_SCENARIOS["build_uuid_not_uuid"])
    assert status == 200 and body["result"]["build_uuid"] == NOT_A_UUID_BUILD


def test_2xx_answers_that_say_retry(fake: Fake) -> None:
    answers = [fake.trigger(BUILD_SCENARIOS["retry_true_2xx"])]
    answers += [fake.account(method, build_uuid_of("retry_true_2xx"), suffix)
                for method, suffix in (("GET", ""), ("GET", "/logs"), ("PUT", "/cancel"))]
    assert [(status, headers["x-should-retry"]) for status, _, headers in answers] == [(200, "true")] * 4


@pytest.mark.parametrize("as_sent", [str.lower, str.upper])
def test_a_server_that_echoes_the_hook(fake: Fake, as_sent: Any) -> None:
    hook = as_sent(BUILD_SCENARIOS["echo_hook"])
    bare = hook.replace("-", "")
    status, body, headers = fake.trigger(hook)
    assert status == 200 and headers["cf-ray"] == f"{bare}-SJC"
    assert (body["result"]["build_uuid"], body["result"]["created_on"]) == (hook, bare)
    assert any(hook in message for message in body["messages"]) and any(bare in m for m in body["messages"])
    status, body, headers = fake.account("GET", hook)
    assert headers["cf-ray"] == f"{bare}-SJC" and body["result"]["build_uuid"] == hook
    assert body["result"]["created_on"] == bare and hook in body["messages"][0]
    lines = texts(fake.result("GET", "echo_hook", "/logs"))
    assert any(BUILD_SCENARIOS["echo_hook"] in line for line in lines)
    assert any(BUILD_SCENARIOS["echo_hook"].replace("-", "") in line for line in lines)
