"""Every answer the emulator (bindings/python/deployhook/emulator.py) can give, checked against Cloudflare's
schema for the four Workers Builds operations, as transcribed in workers_builds.json beside this file.

The emulator runs on its own clock, so every build is stepped through its phases without waiting; requests
go over real HTTP to 127.0.0.1. For each answer: no field the schema lacks, at any depth; in a full answer,
every field the schema has (but the few EMULATOR.md says it leaves out, NOT_SENT); types, formats and enums
as the schema says; in an error, the envelope's shape and a code the schema lists for the operation (or,
for the API front's own refusals, one of the API-wide codes).

    python3 -m pytest Tests/schema
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "bindings" / "python"), str(HERE)]

from deployhook.emulator import OUTCOMES, Emulator, HookConfig  # noqa: E402
from schema_check import API_WIDE_CODES, ERROR_CODES, OPERATIONS, envelope_problems  # noqa: E402

NOT_SENT = frozenset({
    "result_info",  # no answer of these operations is a list
    "result.trigger.deleted_on",  # the trigger has not been deleted
    "result.trigger.repo_connection.deleted_on",  # nor has its repository connection
})
"""Fields of the schema that even a full answer leaves out (EMULATOR.md, "Where the schema leaves the choice")."""

TOKEN = "schema-test-token"
ACCOUNT = "5c4e3a0000000000000000000000cafe"
PHASE = 10.0
START = 1_700_000_000.0
HOOKS = {outcome: f"5c4e3a00-0000-4000-8000-{index:012d}" for index, outcome in enumerate(OUTCOMES, 1)}
LOG_HOOK = "5c4e3a00-0000-4000-8000-0000000000aa"
INSTANT_HOOK = "5c4e3a00-0000-4000-8000-0000000000bb"  # phase 0: stopped at once, so every trigger starts a build
UNKNOWN_HOOK = "5c4e3a00-0000-4000-8000-0000000000ff"
LOG_LINES = [f"step {n}" for n in range(7)]
PAGE_SIZE = 3
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Answer = tuple[int, Any, Any]
"""(HTTP status, JSON body, headers)."""


# ---- checking one answer ----------------------------------------------------------------------------------


def check(answer: Answer, operation: str, *, full: bool = False, absent: tuple[str, ...] = ()) -> dict[str, Any]:
    """Asserts that ``answer`` is a success of ``operation`` the schema allows; returns its result."""
    status, body, headers = answer
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    found = envelope_problems(body, operation, full, frozenset(f"result.{path}" for path in absent), NOT_SENT)
    assert found == [], found
    assert body["success"] is True and body["errors"] == [] and isinstance(body["result"], dict)
    return body["result"]  # type: ignore[no-any-return]


def check_error(answer: Answer, operation: str, status: int, code: int, *, api_wide: bool = False) -> None:
    """Asserts that ``answer`` is an error envelope with ``status`` and ``code``, a code the schema lists for
    ``operation`` (or, with ``api_wide``, one of the API front's codes)."""
    got_status, body, _ = answer
    assert got_status == status, body
    assert envelope_problems(body, operation, True, frozenset(), NOT_SENT) == []
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    assert [error["code"] for error in body["errors"]] == [code]
    allowed = API_WIDE_CODES if api_wide else ERROR_CODES & set(OPERATIONS[operation]["error_codes"])
    assert code in allowed, f"{code} is not a code the schema lists for {operation}"
    assert body["errors"][0]["message"]


# ---- driving the emulator ---------------------------------------------------------------------------------


class Api:
    """A urllib client for the emulator, with a hand on its clock."""

    def __init__(self, emulator: Emulator, clock: list[float]) -> None:
        self.base_url = emulator.base_url
        self.clock = clock

    def call(self, method: str, path: str, token: str | None = TOKEN) -> Answer:
        data = b"" if method in ("POST", "PUT") else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with NO_PROXY.open(request, timeout=10) as response:
                return response.status, json.loads(response.read()), response.headers
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read()), error.headers

    def trigger(self, hook: str) -> Answer:
        return self.call("POST", f"/workers/builds/deploy_hooks/{hook}", token=None)

    def build(self, build_uuid: str, suffix: str = "", method: str = "GET", **options: Any) -> Answer:
        return self.call(method, f"/accounts/{ACCOUNT}/builds/builds/{build_uuid}{suffix}", **options)

    def logs(self, build_uuid: str, cursor: str | None = None) -> Answer:
        return self.build(build_uuid, "/logs" + (f"?cursor={cursor}" if cursor is not None else ""))

    def cancel(self, build_uuid: str) -> Answer:
        return self.build(build_uuid, "/cancel", method="PUT")

    def start(self, hook: str) -> str:
        return check(self.trigger(hook), "triggerDeployHook", full=True)["build_uuid"]  # type: ignore[no-any-return]

    def advance(self, seconds: float) -> None:
        self.clock[0] += seconds


@pytest.fixture
def api() -> Iterator[Api]:
    clock = [START]
    hooks: dict[str, HookConfig] = {hook: HookConfig(outcome=outcome) for outcome, hook in HOOKS.items()}
    hooks[LOG_HOOK] = HookConfig(logs=LOG_LINES)
    hooks[INSTANT_HOOK] = HookConfig(phase_seconds=0)
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT, phase_seconds=PHASE, builds_per_minute=2,
                  log_page_size=PAGE_SIZE, clock=lambda: clock[0]) as emulator:
        yield Api(emulator, clock)


# ---- triggerDeployHook ------------------------------------------------------------------------------------


def test_trigger_new_and_already_existing_builds(api: Api) -> None:
    first = check(api.trigger(HOOKS["success"]), "triggerDeployHook", full=True)
    assert (first["already_exists"], first["status"]) == (False, "queued")
    again = check(api.trigger(HOOKS["success"]), "triggerDeployHook", full=True)
    assert (again["already_exists"], again["status"], again["build_uuid"]) == (True, "queued", first["build_uuid"])
    api.advance(PHASE)
    again = check(api.trigger(HOOKS["success"]), "triggerDeployHook", full=True)
    assert (again["already_exists"], again["status"]) == (True, "initializing")
    api.advance(PHASE)
    new = check(api.trigger(HOOKS["success"]), "triggerDeployHook", full=True)
    assert (new["already_exists"], new["status"]) == (False, "queued") and new["build_uuid"] != first["build_uuid"]


@pytest.mark.parametrize("hook", [UNKNOWN_HOOK, "not-a-uuid", HOOKS["success"] + "0"])
def test_trigger_unknown_hook(api: Api, hook: str) -> None:
    check_error(api.trigger(hook), "triggerDeployHook", 404, 12000)


def test_trigger_rate_limited(api: Api) -> None:
    api.start(INSTANT_HOOK)
    api.start(INSTANT_HOOK)
    answer = api.trigger(INSTANT_HOOK)
    check_error(answer, "triggerDeployHook", 429, 12051)
    assert 1 <= int(answer[2]["Retry-After"]) <= 60


# ---- getBuildByUuid ---------------------------------------------------------------------------------------

NOT_YET = {"queued": ("initializing_on", "running_on", "stopped_on", "preview_url"),
           "initializing": ("running_on", "stopped_on", "preview_url"),
           "running": ("stopped_on", "preview_url")}


def test_build_in_every_status(api: Api) -> None:
    build_uuid = api.start(HOOKS["success"])
    for status in ("queued", "initializing", "running"):
        build = check(api.build(build_uuid), "getBuildByUuid", full=True, absent=NOT_YET[status])
        assert (build["status"], build["build_outcome"]) == (status, None)
        api.advance(PHASE)
    build = check(api.build(build_uuid), "getBuildByUuid", full=True)  # everything the schema has
    assert (build["status"], build["build_outcome"]) == ("stopped", "success")


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_build_in_every_outcome(api: Api, outcome: str) -> None:
    build_uuid = api.start(HOOKS[outcome])
    api.advance(3 * PHASE)
    without_preview = () if outcome == "success" else ("preview_url",)
    build = check(api.build(build_uuid), "getBuildByUuid", full=True, absent=without_preview)
    assert (build["status"], build["build_outcome"]) == ("stopped", outcome)


@pytest.mark.parametrize("phases", [0, 1, 2])
def test_build_cancelled_in_each_phase(api: Api, phases: int) -> None:
    build_uuid = api.start(HOOKS["success"])
    api.advance(phases * PHASE)
    check(api.cancel(build_uuid), "cancelBuildByUuid", full=True)
    api.advance(3 * PHASE)
    never_reached = ("initializing_on", "running_on")[phases:]
    build = check(api.build(build_uuid), "getBuildByUuid", full=True, absent=(*never_reached, "preview_url"))
    assert (build["status"], build["build_outcome"]) == ("stopped", "cancelled")


# ---- getBuildLogs -----------------------------------------------------------------------------------------


def test_log_pages_first_middle_last_and_a_bad_cursor(api: Api) -> None:
    build_uuid = api.start(LOG_HOOK)
    empty = check(api.logs(build_uuid), "getBuildLogs", full=True, absent=("cursor",))
    assert empty == {"lines": [], "truncated": False}
    api.advance(3 * PHASE)
    first = check(api.logs(build_uuid), "getBuildLogs", full=True)
    middle = check(api.logs(build_uuid, first["cursor"]), "getBuildLogs", full=True)
    last = check(api.logs(build_uuid, middle["cursor"]), "getBuildLogs", full=True, absent=("cursor",))
    assert [page["truncated"] for page in (first, middle, last)] == [True, True, False]
    assert [text for page in (first, middle, last) for _, text in page["lines"]] == LOG_LINES
    assert check(api.logs(build_uuid, "not-a-cursor"), "getBuildLogs", full=True) == first


# ---- cancelBuildByUuid ------------------------------------------------------------------------------------


def test_cancel_running_then_stopped_builds(api: Api) -> None:
    running = api.start(HOOKS["success"])
    api.advance(2 * PHASE)
    cancelled = check(api.cancel(running), "cancelBuildByUuid", full=True)
    assert cancelled["build_outcome"] == "cancelled"
    api.advance(1)
    assert check(api.cancel(running), "cancelBuildByUuid", full=True) == cancelled  # already cancelled
    finished = api.start(HOOKS["fail"])
    api.advance(3 * PHASE)
    late = check(api.cancel(finished), "cancelBuildByUuid", full=True)
    assert late["build_outcome"] == "fail"  # it had stopped already: nothing changed


# ---- errors -----------------------------------------------------------------------------------------------

ACCOUNT_OPERATIONS = [("getBuildByUuid", "GET", ""), ("getBuildLogs", "GET", "/logs"),
                      ("cancelBuildByUuid", "PUT", "/cancel")]


@pytest.mark.parametrize(("operation", "method", "suffix"), ACCOUNT_OPERATIONS)
def test_missing_token(api: Api, operation: str, method: str, suffix: str) -> None:
    build_uuid = api.start(HOOKS["success"])
    check_error(api.build(build_uuid, suffix, method=method, token=None), operation, 401, 12005)


@pytest.mark.parametrize(("operation", "method", "suffix"), ACCOUNT_OPERATIONS)
@pytest.mark.parametrize("build_uuid", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_build(api: Api, operation: str, method: str, suffix: str, build_uuid: str) -> None:
    check_error(api.build(build_uuid, suffix, method=method), operation, 404, 12000)


@pytest.mark.parametrize(("operation", "method", "suffix"), ACCOUNT_OPERATIONS)
def test_refusals_of_the_api_front_use_api_wide_codes(api: Api, operation: str, method: str, suffix: str) -> None:
    build_uuid = api.start(HOOKS["success"])
    check_error(api.build(build_uuid, suffix, method=method, token="wrong"), operation, 403, 10000, api_wide=True)
    answer = api.call(method, f"/accounts/{'f' * 32}/builds/builds/{build_uuid}{suffix}")
    check_error(answer, operation, 404, 7003, api_wide=True)
    other = "POST" if method == "GET" else "GET"
    check_error(api.build(build_uuid, suffix, method=other), operation, 405, 10405, api_wide=True)


def test_a_path_no_operation_serves(api: Api) -> None:
    check_error(api.call("GET", "/workers/builds"), "triggerDeployHook", 404, 7003, api_wide=True)
    check_error(api.call("GET", f"/workers/builds/deploy_hooks/{HOOKS['success']}"), "triggerDeployHook", 405,
                10405, api_wide=True)


# ---- the checker itself -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    (lambda r: r.update(trigger_type="deploy_hook"), "result.trigger_type: not in the schema"),
    (lambda r: r["trigger"].update(trigger_type="deploy_hook"), "result.trigger.trigger_type: not in the schema"),
    (lambda r: r["trigger"]["repo_connection"].update(x=1), "result.trigger.repo_connection.x: not in the schema"),
    (lambda r: r.pop("modified_on"), "result.modified_on: missing"),
    (lambda r: r["build_trigger_metadata"].pop("author"), "result.build_trigger_metadata.author: missing"),
    (lambda r: r.update(status="paused"), "result.status: 'paused' not one of"),
    (lambda r: r.update(status=None), "result.status: null"),
    (lambda r: r.update(created_on="yesterday"), "result.created_on: 'yesterday' is not an ISO 8601"),
    (lambda r: r.update(build_uuid="42"), "result.build_uuid: '42' is not a UUID"),
    (lambda r: r.update(preview_url="https://x-my-worker.workers.dev"), "result.preview_url: 'https://x-my"),
    (lambda r: r["build_trigger_metadata"].update(environment_variables={"A": 1}),
     "result.build_trigger_metadata.environment_variables['A']: int, not a string"),
    (lambda r: r["trigger"].update(build_caching_enabled="no"), "result.trigger.build_caching_enabled: not a boolean"),
])
def test_the_checker_catches_departures(api: Api, change: Any, expected: str) -> None:
    build_uuid = api.start(HOOKS["success"])
    api.advance(3 * PHASE)
    body = api.build(build_uuid)[1]
    change(body["result"])
    found = envelope_problems(body, "getBuildByUuid", True, frozenset(), NOT_SENT)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_the_checker_reads_log_lines_and_error_codes(api: Api) -> None:
    body = {"success": True, "errors": [], "messages": [], "result": {"lines": [[1, "a", "b"], ["1", "a"]]}}
    assert envelope_problems(body, "getBuildLogs", False, frozenset()) == [
        "result.lines[0]: not an array of 2 items", "result.lines[1][0]: not a number"]
    assert envelope_problems({"success": True}, "getBuildLogs", False, frozenset()) == [
        "errors: missing (required)", "messages: missing (required)", "result: missing (required)"]
    with pytest.raises(AssertionError, match="12003 is not a code"):
        check_error((400, {"success": False, "errors": [{"code": 12003, "message": "Invalid cursor"}],
                           "messages": [], "result": None}, {}), "getBuildLogs", 400, 12003)
