"""Successful triggers: the Build fields, the module-level trigger, the version, the request sent."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import sys
from datetime import datetime, timezone
from typing import Any

import pytest
from support import HOOKS, FakeAPI, fake_cloudflare

import deployhook
from deployhook import Build, BuildOutcome, BuildStatus
from deployhook._library import lib

CREATED_ON = datetime(2019, 12, 27, 18, 11, 19, 117000, tzinfo=timezone.utc)
DETAILS = ("branch", "commit_hash", "commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name",
           "initializing_on", "running_on", "modified_on", "already_stopped")
"""The fields of Build after stopped_on, in order: None unless a wait's or a cancel's answer carried them."""


def test_version_is_the_library_version() -> None:
    assert deployhook.__version__ == lib.deployhook_version().decode()
    major, minor, patch = (int(part) for part in deployhook.__version__.split("."))
    assert lib.deployhook_version_number() == major * 1_000_000 + minor * 1_000 + patch


def test_ok(fake: FakeAPI) -> None:
    build = deployhook.Client(base_url=fake.base_url).trigger(HOOKS["ok"])
    assert build.build_uuid == fake_cloudflare.BUILD_UUID
    assert build.status is BuildStatus.QUEUED
    assert build.already_exists is False
    assert build.created_on == CREATED_ON
    assert build.created_on is not None and build.created_on.tzinfo is not None
    assert build.cf_ray is not None and build.cf_ray.endswith("-SJC") and len(build.cf_ray) == 20
    assert build.raw == {
        "success": True, "errors": [], "messages": [],
        "result": {"already_exists": False, "build_uuid": fake_cloudflare.BUILD_UUID,
                   "created_on": "2019-12-27T18:11:19.117Z", "status": "queued"},
    }
    [request] = fake.requests()
    assert request["method"] == "POST"
    assert request["path"] == "/client/v4/workers/builds/deploy_hooks/" + HOOKS["ok"]


def test_guide_shape_has_only_a_build_uuid(fake: FakeAPI) -> None:
    build = deployhook.Client(base_url=fake.base_url).trigger(HOOKS["guide_shape"])
    assert build.build_uuid == fake_cloudflare.GUIDE_BUILD_UUID
    assert build.status is BuildStatus.UNKNOWN
    assert build.already_exists is None
    assert build.created_on is None
    assert build.raw["result"] == {"build_uuid": fake_cloudflare.GUIDE_BUILD_UUID, "branch": "main",
                                   "worker": "my-worker"}


def test_already_exists(fake: FakeAPI) -> None:
    build = deployhook.Client(base_url=fake.base_url).trigger(HOOKS["already_exists"])
    assert build.already_exists is True
    assert build.status is BuildStatus.RUNNING
    assert build.build_uuid == fake_cloudflare.BUILD_UUID


def test_unknown_status_is_unknown_and_kept_in_raw(fake: FakeAPI) -> None:
    build = deployhook.Client(base_url=fake.base_url).trigger(HOOKS["unknown_status"])
    assert build.status is BuildStatus.UNKNOWN
    assert build.raw["result"]["status"] == "paused"


def test_flaky_succeeds_after_two_retries(fake: FakeAPI) -> None:
    build = deployhook.Client(base_url=fake.base_url, max_retries=2).trigger(HOOKS["flaky"])
    assert build.status is BuildStatus.QUEUED
    assert len(fake.requests()) == 3


def test_hook_as_trigger_url_and_with_spaces(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url)
    url = f"{fake.base_url}/workers/builds/deploy_hooks/{HOOKS['ok']}"
    assert client.trigger(url).build_uuid == fake_cloudflare.BUILD_UUID
    assert client.trigger(f"  {HOOKS['ok'].upper()}\n").build_uuid == fake_cloudflare.BUILD_UUID
    assert [r["path"] for r in fake.requests()] == ["/client/v4/workers/builds/deploy_hooks/" + HOOKS["ok"]] * 2


def test_module_trigger_uses_cloudflare_base_url(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", fake.base_url)
    build = deployhook.trigger(HOOKS["ok"])
    assert build.build_uuid == fake_cloudflare.BUILD_UUID
    assert len(fake.requests()) == 1


def test_default_user_agent_names_python(fake: FakeAPI) -> None:
    deployhook.Client(base_url=fake.base_url).trigger(HOOKS["ok"])
    platform = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    [request] = fake.requests()
    assert request["headers"]["user-agent"] == f"deployhook/{deployhook.__version__} (python; {platform})"


def test_custom_user_agent(fake: FakeAPI) -> None:
    deployhook.Client(base_url=fake.base_url, user_agent="my-deployer/2.0").trigger(HOOKS["ok"])
    [request] = fake.requests()
    assert request["headers"]["user-agent"] == "my-deployer/2.0"


def test_build_is_a_frozen_dataclass(fake: FakeAPI) -> None:
    build = deployhook.Client(base_url=fake.base_url).trigger(HOOKS["ok"])
    assert dataclasses.is_dataclass(Build) and dataclasses.is_dataclass(build)
    assert [(f.name, f.repr, f.hash, f.compare, f.init) for f in dataclasses.fields(build)] == [
        ("build_uuid", True, None, True, True), ("status", True, None, True, True),
        ("already_exists", True, None, True, True), ("created_on", True, None, True, True),
        ("cf_ray", True, None, True, True), ("raw", False, False, True, True), ("outcome", True, None, True, True),
        ("preview_url", True, None, True, True), ("stopped_on", True, None, True, True)] + [
        (name, True, None, True, True) for name in DETAILS]
    with pytest.raises(dataclasses.FrozenInstanceError):
        build.status = BuildStatus.STOPPED  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del build.cf_ray
    stopped = dataclasses.replace(build, status=BuildStatus.STOPPED)
    assert stopped.status is BuildStatus.STOPPED and stopped.build_uuid == build.build_uuid
    assert dataclasses.asdict(build) == {"build_uuid": build.build_uuid, "status": build.status,
                                         "already_exists": False, "created_on": CREATED_ON, "cf_ray": build.cf_ray,
                                         "raw": build.raw, "outcome": None, "preview_url": None, "stopped_on": None,
                                         **dict.fromkeys(DETAILS)}
    assert dataclasses.astuple(build)[0] == build.build_uuid
    assert build == copy.deepcopy(build) == pickle.loads(pickle.dumps(build))
    assert build != stopped
    assert build != dataclasses.replace(build, raw={})  # compared, like every field,
    assert hash(build) == hash(dataclasses.replace(build, raw={}))  # but not hashed


def test_build_behaves_like_its_dataclass_twin() -> None:
    """Build is written out (importing dataclasses costs 5 ms); it matches what @dataclass would make."""

    @dataclasses.dataclass(frozen=True)
    class Twin:
        build_uuid: str | None
        status: BuildStatus
        already_exists: bool | None
        created_on: datetime | None
        cf_ray: str | None
        raw: dict[str, Any] = dataclasses.field(repr=False, hash=False)
        outcome: BuildOutcome | None = None
        preview_url: str | None = None
        stopped_on: datetime | None = None
        branch: str | None = None
        commit_hash: str | None = None
        commit_message: str | None = None
        author: str | None = None
        trigger_source: str | None = None
        deploy_hook_name: str | None = None
        trigger_name: str | None = None
        initializing_on: datetime | None = None
        running_on: datetime | None = None
        modified_on: datetime | None = None
        already_stopped: bool | None = None

    values = ("u", BuildStatus.RUNNING, None, CREATED_ON, "r-SJC", {"success": True})
    build, twin = Build(*values), Twin(*values)
    assert repr(build).partition("(")[1:] == repr(twin).partition("(")[1:]
    assert hash(build) == hash(twin)
    stopped = values + (BuildOutcome.FAIL, "https://x.workers.dev", CREATED_ON)
    assert repr(Build(*stopped)).partition("(")[1:] == repr(Twin(*stopped)).partition("(")[1:]
    assert hash(Build(*stopped)) == hash(Twin(*stopped))
    detailed = stopped + ("main", "1a2b", "Fix\nit", "ada@example.com", "push", "Production", "Deploy main",
                          CREATED_ON, CREATED_ON, CREATED_ON, True)
    assert repr(Build(*detailed)).partition("(")[1:] == repr(Twin(*detailed)).partition("(")[1:]
    assert hash(Build(*detailed)) == hash(Twin(*detailed))
    assert Build(*detailed) != Build(*stopped)
    if sys.version_info >= (3, 10):  # dataclasses set __match_args__ from 3.10 on
        assert Build.__match_args__ == Twin.__match_args__
    assert inspect.signature(Build).parameters.keys() == inspect.signature(Twin).parameters.keys()
    assert Build(**dataclasses.asdict(twin)) == build


def test_build_status_values() -> None:
    assert [s.value for s in BuildStatus] == ["queued", "initializing", "running", "stopped", "unknown"]
    assert BuildStatus("running") is BuildStatus.RUNNING
    assert isinstance(BuildStatus.QUEUED, str)
    assert BuildStatus.QUEUED == "queued"  # type: ignore[comparison-overlap]
    for number, status in enumerate(
            [BuildStatus.UNKNOWN, BuildStatus.QUEUED, BuildStatus.INITIALIZING, BuildStatus.RUNNING,
             BuildStatus.STOPPED]):
        assert lib.deployhook_status_name(number).decode() == status.value


@pytest.mark.parametrize(("text", "expected"), [
    ("2019-12-27T18:11:19.117Z", CREATED_ON),
    ("2019-12-27T18:11:19Z", CREATED_ON.replace(microsecond=0)),
    ("2019-12-27T18:11:19.117123456Z", CREATED_ON.replace(microsecond=117123)),
    ("2019-12-27T19:11:19.117+01:00", CREATED_ON),
    ("2019-12-27T18:11:19.117", CREATED_ON),
    ("2019-12-27 18:11:19,117z", CREATED_ON),
    ("2019-12-27t17:41:19.117-0030", CREATED_ON),
    ("2019-02-30T18:11:19Z", None),
    ("2019-12-27T18:11:19.Z", None),
    ("2019-12-27T18:11:19+1:00", None),
    ("2019-12-27T18:11:19Zjunk", None),
    ("2019-12-27T18:11:1\uff19Z", None),
    ("yesterday", None),
    (None, None),
])
def test_parse_timestamp(text: str | None, expected: datetime | None) -> None:
    from deployhook._models import parse_timestamp

    assert parse_timestamp(text) == expected


def test_log_line_is_a_str_with_its_time() -> None:
    line = deployhook.LogLine("Success: deployed", 1577470283.5)
    assert line == "Success: deployed" and isinstance(line, str) and str(line) == "Success: deployed"
    assert line.timestamp == 1577470283.5
    assert line.time == datetime(2019, 12, 27, 18, 11, 23, 500000, tzinfo=timezone.utc)
    copy = pickle.loads(pickle.dumps(line))
    assert type(copy) is deployhook.LogLine and copy == line and copy.timestamp == line.timestamp
