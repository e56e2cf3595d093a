"""The Workers Builds API emulator (deployhook.emulator), over real HTTP with urllib."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from deployhook.emulator import DEMO_HOOK, Emulator, HookConfig

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "deployhook"
EMULATOR_FILE = PACKAGE_DIR / "emulator.py"

HOOK = "5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e"  # success, short phases
SLOW_HOOK = "b0a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"  # stays queued for the whole test
INSTANT_HOOK = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"  # phase 0: stopped at once, 7 custom log lines
OTHER_HOOK = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a"
UNKNOWN_HOOK = "12345678-1234-4234-8234-123456789abc"
TOKEN = "t0k3n-for-the-emulator-tests"
ACCOUNT = "a" * 32
INSTANT_LOGS = tuple(f"step {n}" for n in range(7))
STATUSES = ["queued", "initializing", "running", "stopped"]
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Api:
    """A urllib client for one running emulator."""

    def __init__(self, base_url: str, token: str = TOKEN, account: str = ACCOUNT) -> None:
        self.base_url = base_url
        self.token = token
        self.account = account

    def call(self, method: str, path: str, authorization: str | None = None) -> tuple[int, Any, Message]:
        """``(status, JSON body, headers)`` of one request to ``base_url + path``."""
        data = b"" if method in ("POST", "PUT") else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if authorization is not None:
            request.add_header("Authorization", authorization)
        try:
            with NO_PROXY.open(request, timeout=10) as response:
                return response.status, json.loads(response.read()), response.headers
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read()), error.headers

    def trigger(self, hook: str) -> tuple[int, Any, Message]:
        return self.call("POST", f"/workers/builds/deploy_hooks/{hook}")

    def account_call(self, method: str, suffix: str) -> tuple[int, Any, Message]:
        return self.call(method, f"/accounts/{self.account}/builds/builds/{suffix}", f"Bearer {self.token}")

    def build(self, build_uuid: str) -> dict[str, Any]:
        status, body, _ = self.account_call("GET", build_uuid)
        assert status == 200, body
        return body["result"]  # type: ignore[no-any-return]

    def logs(self, build_uuid: str, cursor: str | None = None) -> dict[str, Any]:
        status, body, _ = self.account_call("GET", f"{build_uuid}/logs" + (f"?cursor={cursor}" if cursor else ""))
        assert status == 200, body
        return body["result"]  # type: ignore[no-any-return]

    def start_build(self, hook: str) -> str:
        status, body, _ = self.trigger(hook)
        assert status == 200, body
        return body["result"]["build_uuid"]  # type: ignore[no-any-return]

    def wait_until(self, build_uuid: str, status: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            build = self.build(build_uuid)
            if STATUSES.index(build["status"]) >= STATUSES.index(status):
                return build
            assert time.monotonic() < deadline, f"still {build['status']}"
            time.sleep(0.01)


def error_of(body: dict[str, Any]) -> tuple[int, str]:
    """The single error of a failure envelope, checking the envelope's shape."""
    assert body["success"] is False and body["messages"] == [] and body["result"] is None
    assert len(body["errors"]) == 1
    return body["errors"][0]["code"], body["errors"][0]["message"]


def seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def api() -> Iterator[Api]:
    hooks: dict[str, HookConfig | str] = {
        HOOK: HookConfig(phase_seconds=0.2, worker="my-app"),
        SLOW_HOOK: HookConfig(phase_seconds=60),
        INSTANT_HOOK: HookConfig(outcome="fail", phase_seconds=0, logs=INSTANT_LOGS),
        OTHER_HOOK: "success",
    }
    with Emulator(hooks, token=TOKEN, account_id=ACCOUNT, phase_seconds=0, log_page_size=3) as emulator:
        yield Api(emulator.base_url)


# --- trigger -----------------------------------------------------------------------------------------------


def test_trigger_creates_a_queued_build(api: Api) -> None:
    before = time.time()
    status, body, headers = api.trigger(SLOW_HOOK)
    assert status == 200
    assert list(body) == ["success", "errors", "messages", "result"]
    assert body["success"] is True and body["errors"] == [] and body["messages"] == []
    result = body["result"]
    assert list(result) == ["already_exists", "build_uuid", "created_on", "status"]
    assert result["already_exists"] is False and result["status"] == "queued"
    assert uuid.UUID(result["build_uuid"]).version == 4
    assert ISO_MS.fullmatch(result["created_on"])
    assert before - 0.001 <= seconds(result["created_on"]) <= time.time()
    assert re.fullmatch(r"[0-9a-f]{16}-EMU", headers["cf-ray"])
    assert headers["Content-Type"] == "application/json"


def test_trigger_matches_the_hook_in_any_letter_case(api: Api) -> None:
    assert api.trigger(SLOW_HOOK.upper())[0] == 200


@pytest.mark.parametrize("hook", [UNKNOWN_HOOK, "not-a-uuid", HOOK + "0", HOOK[:-1], "%20" + HOOK])
def test_unknown_or_malformed_hook_is_not_found(api: Api, hook: str) -> None:
    status, body, _ = api.trigger(hook)
    assert (status, error_of(body)) == (404, (12000, "Not found"))


def test_trigger_while_pending_returns_the_same_build_and_creates_none() -> None:
    with Emulator({SLOW_HOOK: HookConfig(phase_seconds=60)}, builds_per_minute=1) as emulator:
        api = Api(emulator.base_url)
        first = api.trigger(SLOW_HOOK)[1]["result"]
        for _ in range(3):  # a new build would exceed builds_per_minute=1 and be refused with 429
            status, body, _ = api.trigger(SLOW_HOOK)
            assert status == 200
            assert body["result"] == dict(first, already_exists=True)


def test_trigger_once_the_build_runs_starts_a_new_one(api: Api) -> None:
    first = api.start_build(HOOK)
    api.wait_until(first, "initializing")
    status, body, _ = api.trigger(HOOK)
    if api.build(first)["status"] == "initializing":  # still pending when triggered (not a slow machine)
        assert body["result"]["already_exists"] is True and body["result"]["build_uuid"] == first
        assert body["result"]["status"] == "initializing"
    api.wait_until(first, "running")
    status, body, _ = api.trigger(HOOK)
    assert status == 200
    assert body["result"]["already_exists"] is False and body["result"]["status"] == "queued"
    assert body["result"]["build_uuid"] != first


def test_rate_limit_per_hook_with_retry_after() -> None:
    with Emulator({INSTANT_HOOK: "success", OTHER_HOOK: "success"}, phase_seconds=0, builds_per_minute=2) as emulator:
        api = Api(emulator.base_url)
        builds = {api.start_build(INSTANT_HOOK) for _ in range(2)}
        assert len(builds) == 2
        for _ in range(2):
            status, body, headers = api.trigger(INSTANT_HOOK)
            assert (status, error_of(body)) == (429, (12051, "Rate limit exceeded"))
            assert re.fullmatch(r"\d+", headers["Retry-After"]) and 1 <= int(headers["Retry-After"]) <= 60
            assert re.fullmatch(r"[0-9a-f]{16}-EMU", headers["cf-ray"])
        assert api.trigger(OTHER_HOOK)[0] == 200  # the limit is per hook


# --- authentication and routing ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("GET", "/logs"), ("PUT", "/cancel")])
@pytest.mark.parametrize(("authorization", "expected"), [
    (None, (401, 12005, "Missing token from authorization header")),
    ("", (401, 12005, "Missing token from authorization header")),
    ("Bearer", (401, 12005, "Missing token from authorization header")),
    (f"Basic {TOKEN}", (401, 12005, "Missing token from authorization header")),
    ("Bearer wrong-token", (403, 10000, "Authentication error")),
    (f"Bearer {TOKEN}x", (403, 10000, "Authentication error")),
])
def test_account_endpoints_need_the_token(api: Api, method: str, suffix: str, authorization: str | None,
                                          expected: tuple[int, int, str]) -> None:
    build_uuid = api.start_build(SLOW_HOOK)
    status, body, _ = api.call(method, f"/accounts/{ACCOUNT}/builds/builds/{build_uuid}{suffix}", authorization)
    assert (status, *error_of(body)) == expected
    assert api.build(build_uuid)["status"] == "queued"  # nothing was cancelled


def test_bearer_scheme_is_case_insensitive(api: Api) -> None:
    build_uuid = api.start_build(SLOW_HOOK)
    status, _, _ = api.call("GET", f"/accounts/{ACCOUNT}/builds/builds/{build_uuid}", f"bearer {TOKEN}")
    assert status == 200


@pytest.mark.parametrize("suffix", ["", "/logs", "/cancel"])
def test_unknown_account_cannot_be_routed(api: Api, suffix: str) -> None:
    build_uuid = api.start_build(SLOW_HOOK)
    api.account = "f" * 32
    status, body, _ = api.account_call("PUT" if suffix == "/cancel" else "GET", build_uuid + suffix)
    route = f"/accounts/{'f' * 32}/builds/builds/{build_uuid}{suffix}"
    assert (status, error_of(body)) == (404, (7003, f"Could not route to {route}, perhaps your object identifier "
                                                    "is invalid?"))


@pytest.mark.parametrize("suffix", ["", "/logs", "/cancel"])
@pytest.mark.parametrize("build_uuid", [str(uuid.uuid4()), "nope"])
def test_unknown_build_is_not_found(api: Api, suffix: str, build_uuid: str) -> None:
    status, body, _ = api.account_call("PUT" if suffix == "/cancel" else "GET", build_uuid + suffix)
    assert (status, error_of(body)) == (404, (12000, "Not found"))


@pytest.mark.parametrize(("url", "route"), [
    ("/client/v4/nothing/here", "/nothing/here"),
    ("/client/v4/workers/builds/deploy_hooks", "/workers/builds/deploy_hooks"),
    (f"/client/v4/workers/builds/deploy_hooks/{HOOK}/more", f"/workers/builds/deploy_hooks/{HOOK}/more"),
    (f"/client/v4/accounts/{ACCOUNT}/builds/builds/x/other", f"/accounts/{ACCOUNT}/builds/builds/x/other"),
    ("/elsewhere", "/elsewhere"),
    ("/", "/"),
])
def test_anything_else_cannot_be_routed(api: Api, url: str, route: str) -> None:
    api.base_url = api.base_url[: -len("/client/v4")]
    status, body, headers = api.call("GET", url)
    assert (status, error_of(body)) == (404, (7003, f"Could not route to {route}, perhaps your object identifier "
                                                    "is invalid?"))
    assert "cf-ray" in headers


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", f"/workers/builds/deploy_hooks/{HOOK}", "POST"),
    ("PUT", f"/workers/builds/deploy_hooks/{UNKNOWN_HOOK}", "POST"),
    ("POST", f"/accounts/{ACCOUNT}/builds/builds/x", "GET"),
    ("DELETE", f"/accounts/{ACCOUNT}/builds/builds/x/logs", "GET"),
    ("GET", f"/accounts/{ACCOUNT}/builds/builds/x/cancel", "PUT"),
])
def test_other_method_on_a_known_path_is_not_allowed(api: Api, method: str, path: str, allowed: str) -> None:
    status, body, headers = api.call(method, path, f"Bearer {TOKEN}")
    assert (status, error_of(body)) == (405, (10405, "Method not allowed"))
    assert headers["Allow"] == allowed


# --- builds: lifecycle, outcome, logs, cancel --------------------------------------------------------------


def test_lifecycle_progresses_with_time(api: Api) -> None:
    build_uuid = api.start_build(HOOK)
    seen: list[str] = []
    while not seen or seen[-1] != "stopped":
        build = api.build(build_uuid)
        stage = STATUSES.index(build["status"])
        for key, reached_at in (("initializing_on", 1), ("running_on", 2), ("stopped_on", 3)):
            assert key not in build if stage < reached_at else ISO_MS.fullmatch(build[key])
        assert build["build_outcome"] is None if stage < 3 else build["build_outcome"] == "success"
        assert ("preview_url" in build) == (stage == 3)
        assert build["modified_on"] == max(build[key] for key in ("created_on", "initializing_on", "running_on",
                                                                   "stopped_on") if key in build)
        if not seen or seen[-1] != build["status"]:
            seen.append(build["status"])
        time.sleep(0.01)
    assert seen == sorted(seen, key=STATUSES.index) and seen[0] in ("queued", "initializing")
    created = seconds(build["created_on"])
    for key, phases in (("initializing_on", 1), ("running_on", 2), ("stopped_on", 3)):
        assert seconds(build[key]) - created == pytest.approx(0.2 * phases, abs=0.0015)
    assert list(build) == ["build_uuid", "status", "build_outcome", "created_on", "initializing_on", "running_on",
                           "stopped_on", "modified_on", "preview_url", "build_trigger_metadata", "deploy_hook",
                           "trigger", "pull_request"]
    assert build["build_uuid"] == build_uuid
    assert re.fullmatch(r"https://[0-9a-f]{8}-my-app\.my-subdomain\.workers\.dev", build["preview_url"])
    assert build["pull_request"] is None
    assert build["deploy_hook"] == {"deploy_hook_name": "My deploy hook"}
    metadata = build["build_trigger_metadata"]
    assert (metadata["branch"], metadata["build_trigger_source"], metadata["repo_name"]) == ("main", "deploy_hook",
                                                                                            "my-app")
    assert re.fullmatch(r"[0-9a-f]{40}", metadata["commit_hash"])
    trigger = build["trigger"]
    assert uuid.UUID(trigger["trigger_uuid"]) and re.fullmatch(r"[0-9a-f]{32}", trigger["external_script_id"])
    assert "trigger_type" not in trigger and trigger["branch_includes"] == ["main"]


@pytest.mark.parametrize(("outcome", "last_line"), [
    ("success", "Success: deployed"), ("fail", "Build failed"), ("skipped", "Build skipped"),
    ("cancelled", "Build cancelled"), ("terminated", "Build terminated"),
])
def test_outcome_is_the_hooks(outcome: str, last_line: str) -> None:
    with Emulator({OTHER_HOOK: outcome}, phase_seconds=0) as emulator:
        api = Api(emulator.base_url, token="emulator-token", account="0123456789abcdef0123456789abcdef")
        build_uuid = api.start_build(OTHER_HOOK)
        build = api.build(build_uuid)
        assert (build["status"], build["build_outcome"]) == ("stopped", outcome)
        assert ("preview_url" in build) == (outcome == "success")
        lines = [text for _, text in api.logs(build_uuid)["lines"]]
        assert lines == ["Cloning repository...", "Installing dependencies...", "Running build command...",
                         "Deploying to Cloudflare's global network...", last_line]


def test_logs_appear_progressively_during_the_running_phase() -> None:
    lines = [f"line {n}" for n in range(5)]
    with Emulator({HOOK: HookConfig(phase_seconds=0.5, logs=lines)}) as emulator:
        api = Api(emulator.base_url, token="emulator-token", account="0123456789abcdef0123456789abcdef")
        build_uuid = api.start_build(HOOK)
        empty = api.logs(build_uuid)
        assert empty == {"lines": [], "truncated": False}  # a cursor only while truncated
        counts: list[int] = []
        while True:
            logs = api.logs(build_uuid)
            status = api.build(build_uuid)["status"]  # read after the logs: still pending means no line yet
            counts.append(len(logs["lines"]))
            if status in ("queued", "initializing"):
                assert logs["lines"] == []
            if status == "stopped" and len(logs["lines"]) == 5:
                break
            time.sleep(0.01)
        assert counts == sorted(counts) and counts[-1] == 5
        assert any(0 < count < 5 for count in counts), counts
        build = api.build(build_uuid)
        stamps = [stamp for stamp, _ in logs["lines"]]
        assert [text for _, text in logs["lines"]] == lines
        assert all(isinstance(stamp, float) for stamp in stamps) and stamps == sorted(stamps)
        assert seconds(build["running_on"]) - 0.001 <= stamps[0] and stamps[-1] <= seconds(build["stopped_on"])
        assert abs(stamps[0] - time.time()) < 60  # real unix times


def test_logs_are_paged_with_a_cursor(api: Api) -> None:
    build_uuid = api.start_build(INSTANT_HOOK)  # stopped at once, 7 lines, pages of 3
    pages = [api.logs(build_uuid)]
    while pages[-1]["truncated"]:
        pages.append(api.logs(build_uuid, pages[-1]["cursor"]))
    assert [len(page["lines"]) for page in pages] == [3, 3, 1]
    assert [page["truncated"] for page in pages] == [True, True, False]
    assert [list(page) for page in pages] == [["cursor", "lines", "truncated"]] * 2 + [["lines", "truncated"]]
    assert [text for page in pages for _, text in page["lines"]] == list(INSTANT_LOGS)
    assert len({pages[0]["cursor"], pages[1]["cursor"]}) == 2
    assert api.logs(build_uuid, pages[1]["cursor"]) == pages[2]  # a cursor can be used again
    assert api.logs(build_uuid) == pages[0]  # no cursor: from the start again


def test_cursors_look_like_cloudflares(api: Api) -> None:
    cursor = api.logs(api.start_build(INSTANT_HOOK))["cursor"]
    assert cursor.startswith("eyJsaW5lIjo") and "=" not in cursor  # base64 of {"line":…, unpadded
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert list(decoded) == ["line", "timestamp"] and decoded["line"] == 3


@pytest.mark.parametrize("cursor", [
    "garbage", "!!", "bGluZTo5OQ",  # bGluZTo5OQ: "line:99", the old format
    "eyJsaW5lIjo5OX0",  # {"line":99}: beyond the lines
    "eyJsaW5lIjotMX0",  # {"line":-1}
    "eyJsaW5lIjp0cnVlfQ",  # {"line":true}
    "WzFd",  # [1]
])
def test_a_cursor_this_build_did_not_issue_gives_the_first_page(api: Api, cursor: str) -> None:
    build_uuid = api.start_build(INSTANT_HOOK)
    status, body, _ = api.account_call("GET", f"{build_uuid}/logs?cursor={cursor}")
    assert status == 200 and body["result"] == api.logs(build_uuid)


def test_cancel_stops_a_pending_build(api: Api) -> None:
    build_uuid = api.start_build(SLOW_HOOK)
    before = time.time()
    status, body, _ = api.account_call("PUT", f"{build_uuid}/cancel")
    assert status == 200 and body["success"] is True
    assert list(body["result"]) == ["build_outcome", "build_uuid", "stopped_on"]
    assert body["result"]["build_outcome"] == "cancelled" and body["result"]["build_uuid"] == build_uuid
    assert before - 0.001 <= seconds(body["result"]["stopped_on"]) <= time.time()
    build = api.build(build_uuid)
    assert (build["status"], build["build_outcome"], build["stopped_on"]) == ("stopped", "cancelled",
                                                                               body["result"]["stopped_on"])
    assert not {"initializing_on", "running_on", "preview_url"} & set(build)
    assert [text for _, text in api.logs(build_uuid)["lines"]] == ["Build cancelled"]
    first = body["result"]
    status, body, _ = api.account_call("PUT", f"{build_uuid}/cancel")  # already stopped: the same answer
    assert status == 200 and body["result"] == first
    status, body, _ = api.trigger(SLOW_HOOK)  # no longer pending: a new build
    assert body["result"]["already_exists"] is False and body["result"]["build_uuid"] != build_uuid


def test_cancel_a_running_build_keeps_its_logs_so_far() -> None:
    with Emulator({HOOK: "success"}, token=TOKEN, account_id=ACCOUNT, phase_seconds=0.4) as emulator:
        api = Api(emulator.base_url)
        build_uuid = api.start_build(HOOK)
        api.wait_until(build_uuid, "running")
        status, body, _ = api.account_call("PUT", f"{build_uuid}/cancel")
        assert status == 200, body
        build = api.build(build_uuid)
        assert build["running_on"] is not None and build["build_outcome"] == "cancelled"
        assert build["stopped_on"] == body["result"]["stopped_on"]
        lines = [text for _, text in api.logs(build_uuid)["lines"]]
        assert lines[0] == "Cloning repository..." and lines[-1] == "Build cancelled"
        assert "Success: deployed" not in lines  # it would have come 0.32 s into the running phase


def test_cancelling_a_finished_build_changes_nothing_and_says_how_it_ended(api: Api) -> None:
    build_uuid = api.start_build(INSTANT_HOOK)
    build = api.build(build_uuid)
    time.sleep(0.002)
    status, body, _ = api.account_call("PUT", f"{build_uuid}/cancel")
    assert status == 200 and body["success"] is True
    assert body["result"] == {"build_outcome": "fail", "build_uuid": build_uuid, "stopped_on": build["stopped_on"]}
    assert api.build(build_uuid) == build


def test_a_clock_steps_a_build_through_its_phases() -> None:
    now = [1_700_000_000.0]
    with Emulator({HOOK: HookConfig(phase_seconds=10, worker="site", commit_hash="ab" * 20, author="Ada",
                                    commit_message="Ship it", deploy_hook_name="nightly")},
                  token=TOKEN, account_id=ACCOUNT, subdomain="acme", clock=lambda: now[0]) as emulator:
        api = Api(emulator.base_url)
        build_uuid = api.start_build(HOOK)
        seen = []
        for _ in STATUSES:
            build = api.build(build_uuid)
            seen.append(build["status"])
            now[0] += 10
        assert seen == STATUSES
        assert build["created_on"] == "2023-11-14T22:13:20.000Z" and build["stopped_on"] == "2023-11-14T22:13:50.000Z"
        assert re.fullmatch(r"https://[0-9a-f]{8}-site\.acme\.workers\.dev", build["preview_url"])
        metadata = build["build_trigger_metadata"]
        assert (metadata["commit_hash"], metadata["author"], metadata["commit_message"]) == ("ab" * 20, "Ada", "Ship it")
        assert build["deploy_hook"] == {"deploy_hook_name": "nightly"}


# --- the in-process API ------------------------------------------------------------------------------------


def test_demo_hook_when_none_is_configured() -> None:
    with Emulator() as emulator:
        assert emulator.hooks == (DEMO_HOOK,)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/client/v4", emulator.base_url)
        assert Api(emulator.base_url).trigger(DEMO_HOOK)[0] == 200
        assert Api(emulator.base_url).trigger(HOOK)[0] == 404


def test_start_stop_and_restart() -> None:
    emulator = Emulator()
    base_url = emulator.start()
    with pytest.raises(RuntimeError):
        emulator.start()
    emulator.stop()
    emulator.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        NO_PROXY.open(base_url + "/", timeout=5)
    with pytest.raises(RuntimeError):
        emulator.port  # noqa: B018
    assert emulator.start().startswith("http://127.0.0.1:")
    emulator.stop()


@pytest.mark.parametrize("settings", [
    {"hooks": {"not-a-uuid": "success"}},
    {"hooks": {HOOK: "great"}},
    {"hooks": {HOOK: {"outcome": "fail"}}},  # a HookConfig or an outcome, not a dict
    {"phase_seconds": float("nan")},
    {"builds_per_minute": 0},
    {"log_page_size": 0},
    {"token": ""},
    {"account_id": "a/b"},
    {"subdomain": "Not A Label"},
    {"subdomain": ""},
])
def test_bad_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Emulator(**settings)


@pytest.mark.parametrize("settings", [{"worker": "Not A Name"}, {"branch": ""}, {"logs": "one string"},
                                      {"logs": [1]}, {"outcome": "failed"}, {"phase_seconds": -1},
                                      {"phase_seconds": True}, {"commit_hash": "1a2b3c4"}, {"commit_hash": "g" * 40},
                                      {"commit_message": None}, {"author": ""}, {"deploy_hook_name": 7}])
def test_bad_hook_config_is_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        HookConfig(**settings)


# --- the command line --------------------------------------------------------------------------------------


def environment(**extra: str) -> dict[str, str]:
    """This environment without Cloudflare settings, with the package importable."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDFLARE_")}
    env["PYTHONPATH"] = str(PACKAGE_DIR.parent)
    return dict(env, **extra)


class Cli:
    """``python3 -m deployhook.emulator`` run as a subprocess."""

    def __init__(self, *arguments: str, env: dict[str, str] | None = None,
                 command: tuple[str, ...] = ("-m", "deployhook.emulator")) -> None:
        self.process = subprocess.Popen([sys.executable, *command, "--port", "0", *arguments], env=env or environment(),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        assert re.fullmatch(r"PORT \d+\n", first), first + self.finish(signal.SIGKILL)[1]
        self.port = int(first.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/client/v4"
        assert self.process.stdout.readline() == f"deployhook emulator: {self.base_url}\n"

    def finish(self, signal_number: int = signal.SIGTERM) -> tuple[str, str]:
        """Signals the process; returns the rest of its stdout and its stderr once it exited with 0."""
        self.process.send_signal(signal_number)
        out, err = self.process.communicate(timeout=5)
        if signal_number != signal.SIGKILL:
            assert self.process.returncode == 0, err
        return out, err


def assert_secret(hook: str, token: str, text: str) -> None:
    assert hook.lower()[:5] not in text.lower() and hook.lower()[9:] not in text.lower()
    assert token not in text


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_quietly_and_exits_on_signal(signal_number: int) -> None:
    cli = Cli("--hook", f"{HOOK}:fail:0", "--token", TOKEN, "--account-id", ACCOUNT)
    api = Api(cli.base_url)
    build_uuid = api.start_build(HOOK.upper())
    assert api.build(build_uuid)["build_outcome"] == "fail"
    assert api.trigger(DEMO_HOOK)[0] == 404  # hooks were given: no demo hook
    started = time.monotonic()
    out, err = cli.finish(signal_number)
    assert time.monotonic() - started < 3
    assert (out, err) == ("", "")


def test_cli_verbose_logs_requests_with_hooks_redacted() -> None:
    cli = Cli("--hook", HOOK, "--token", TOKEN, "--account-id", ACCOUNT, "--verbose", "--phase-seconds", "0",
              "--subdomain", "ci-sub")
    api = Api(cli.base_url)
    build_uuid = api.start_build(HOOK)
    assert re.fullmatch(r"https://[0-9a-f]{8}-my-worker\.ci-sub\.workers\.dev", api.build(build_uuid)["preview_url"])
    api.trigger(HOOK.upper() + "-not-a-uuid")
    api.call("GET", f"/accounts/{ACCOUNT}/builds/builds/{HOOK}", f"Bearer {TOKEN}")
    with socket.create_connection(("127.0.0.1", cli.port), timeout=5) as raw:  # a request line http.server refuses
        raw.sendall(f"BREW /client/v4/workers/builds/deploy_hooks/{HOOK}?token={TOKEN} HTTP/1.1\r\n\r\n".encode())
        raw.recv(1024)
    out, err = cli.finish()
    assert out == ""
    assert f"POST /client/v4/workers/builds/deploy_hooks/{HOOK[:4]}… 200" in err
    assert f"GET /client/v4/accounts/{ACCOUNT}/builds/builds/{build_uuid} 200" in err
    assert f"GET /client/v4/accounts/{ACCOUNT}/builds/builds/{HOOK[:4]}… 404" in err
    assert_secret(HOOK, TOKEN, err)


def test_cli_takes_token_and_account_from_the_environment_and_serves_the_demo_hook() -> None:
    cli = Cli(env=environment(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_ACCOUNT_ID=ACCOUNT))
    api = Api(cli.base_url)
    build_uuid = api.start_build(DEMO_HOOK)
    assert api.build(build_uuid)["build_uuid"] == build_uuid
    out, err = cli.finish()
    assert (out, err) == ("", "")


def test_cli_defaults_without_environment() -> None:
    cli = Cli()
    api = Api(cli.base_url, token="emulator-token", account="0123456789abcdef0123456789abcdef")
    build_uuid = api.start_build(DEMO_HOOK)
    assert api.build(build_uuid)["build_outcome"] is None  # default phases of 1 s
    cli.finish()


def test_cli_reads_a_config_file(tmp_path: Path) -> None:
    config = {
        "token": TOKEN,
        "account_id": ACCOUNT,
        "subdomain": "acme",
        "hooks": {
            HOOK.upper(): {"outcome": "fail", "phase_seconds": 0, "branch": "release", "logs": ["a", "b"],
                           "commit_hash": "F" * 40, "commit_message": "Fix it\n\nfor good", "author": "Ada",
                           "deploy_hook_name": "release hook"},
            OTHER_HOOK: {"phase_seconds": 0, "worker": "demo-site"},
            SLOW_HOOK: {},
        },
    }
    path = tmp_path / "emulator.json"
    path.write_text(json.dumps(config))
    cli = Cli("--config", str(path), "--hook", f"{SLOW_HOOK}:skipped:0", "--log-page-size", "1")
    api = Api(cli.base_url)
    failed = api.build(api.start_build(HOOK))
    assert failed["build_outcome"] == "fail" and failed["deploy_hook"] == {"deploy_hook_name": "release hook"}
    metadata = failed["build_trigger_metadata"]
    assert [metadata[key] for key in ("branch", "commit_hash", "commit_message", "author")] == [
        "release", "f" * 40, "Fix it\n\nfor good", "Ada"]
    assert failed["trigger"]["branch_includes"] == ["release"]
    logs = api.logs(failed["build_uuid"])
    assert [text for _, text in logs["lines"]] == ["a"] and logs["truncated"] is True
    assert [text for _, text in api.logs(failed["build_uuid"], logs["cursor"])["lines"]] == ["b"]
    preview = api.build(api.start_build(OTHER_HOOK))["preview_url"]
    assert re.fullmatch(r"https://[0-9a-f]{8}-demo-site\.acme\.workers\.dev", preview)
    assert api.build(api.start_build(SLOW_HOOK))["build_outcome"] == "skipped"  # --hook beats the file
    out, err = cli.finish()
    assert (out, err) == ("", "")


@pytest.mark.parametrize("arguments", [
    ["--hook", "not-a-uuid"],
    ["--hook", f"{HOOK}:great"],
    ["--hook", f"{HOOK}:fail:-1"],
    ["--hook", f"{HOOK}:fail:soon"],
    ["--port", "70000"],
    ["--builds-per-minute", "0"],
    ["--phase-seconds", "inf"],
    ["--subdomain", "Not_A_Label"],
    ["--config", "BAD:" + json.dumps({"subdomain": 7})],
    ["--config", "BAD:" + json.dumps({"hooks": {HOOK: {"commit_hash": "abc"}}})],
    ["--config", "/nonexistent/emulator.json"],
    ["--config", "BAD:[1]"],
    ["--config", "BAD:" + json.dumps({"hooks": {HOOK: {"outcome": "great"}}})],
    ["--config", "BAD:" + json.dumps({"hooks": {HOOK: {"colour": "blue"}}})],
    ["--config", "BAD:" + json.dumps({"hooks": {HOOK + "x": {}}})],
    ["--config", "BAD:" + json.dumps({"tokens": "x"})],
    ["--config", "BAD:{"],
])
def test_cli_refuses_bad_input_with_status_2(tmp_path: Path, arguments: list[str]) -> None:
    if arguments[-1].startswith("BAD:"):
        path = tmp_path / "bad.json"
        path.write_text(arguments[-1][len("BAD:"):])
        arguments = [*arguments[:-1], str(path)]
    done = subprocess.run([sys.executable, "-m", "deployhook.emulator", *arguments], env=environment(),
                          capture_output=True, text=True, timeout=10)
    assert done.returncode == 2 and done.stdout == ""
    assert "error:" in done.stderr
    assert_secret(HOOK, TOKEN, done.stderr)


def test_cli_reports_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = subprocess.run([sys.executable, "-m", "deployhook.emulator", "--port", str(busy.getsockname()[1])],
                              env=environment(), capture_output=True, text=True, timeout=10)
    assert done.returncode == 1 and done.stdout == "" and "cannot listen" in done.stderr


# --- independence from the native library ------------------------------------------------------------------


def mapped_files(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_emulator_file_runs_alone_without_the_native_library() -> None:
    cli = Cli(env=environment(PYTHONPATH=""), command=(str(EMULATOR_FILE),))
    assert "libdeployhook" not in mapped_files(cli.process.pid)
    assert Api(cli.base_url).trigger(DEMO_HOOK)[0] == 200
    cli.finish()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_module_runs_where_the_native_library_is_absent(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE_DIR, tmp_path / "deployhook",
                    ignore=shutil.ignore_patterns("*.so", "*.dylib", "__pycache__"))
    env = {key: value for key, value in environment(PYTHONPATH=str(tmp_path)).items() if key != "DEPLOYHOOK_LIBRARY"}
    cli = Cli(env=env)
    assert "libdeployhook" not in mapped_files(cli.process.pid)
    assert Api(cli.base_url).trigger(DEMO_HOOK)[0] == 200
    cli.finish()
