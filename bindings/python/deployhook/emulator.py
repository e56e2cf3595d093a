"""An emulator of Cloudflare's Workers Builds API, for offline demos and for testing pipelines.

It serves, under ``/client/v4``:

- ``POST /workers/builds/deploy_hooks/{uuid}``: triggers a build (no authentication: the UUID is the secret);
- ``GET /accounts/{account_id}/builds/builds/{build_uuid}``: a build (``Authorization: Bearer <token>``);
- ``GET /accounts/{account_id}/builds/builds/{build_uuid}/logs?cursor=…``: its log lines, paged;
- ``PUT /accounts/{account_id}/builds/builds/{build_uuid}/cancel``: cancels it.

A build goes ``queued → initializing → running → stopped``, each phase lasting its hook's ``phase_seconds``,
computed from the time elapsed since the trigger (no background work). At most ``builds_per_minute`` builds
start per hook in any 60 s window; beyond that the trigger answers 429 with ``Retry-After``.

Every answer is one Cloudflare's published OpenAPI schema allows for these operations (triggerDeployHook,
getBuildByUuid, getBuildLogs, cancelBuildByUuid), with every field the schema has; ``EMULATOR.md`` lists the
choices the schema leaves open and ``Tests/schema`` checks the answers against a transcription of the schema.

This module uses the standard library only and imports nothing else from ``deployhook``: it never loads
``libdeployhook``. Hook UUIDs and the token are never printed.

Command line (see ``EMULATOR.md``)::

    PYTHONPATH=bindings/python python3 -m deployhook.emulator [--port N] [--hook UUID[:OUTCOME[:SECONDS]]] ...

In-process, e.g. in a pytest fixture::

    with Emulator(hooks={hook: "fail"}, phase_seconds=0.2) as emulator:
        emulator.base_url  # "http://127.0.0.1:<port>/client/v4"
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import math
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union
from urllib.parse import parse_qs, urlsplit

API_PREFIX = "/client/v4"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
DEFAULT_TOKEN = "emulator-token"
DEFAULT_ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
DEMO_HOOK = "00000000-0000-4000-8000-000000000000"
"""The hook registered when none is configured."""
OUTCOMES = ("success", "fail", "skipped", "cancelled", "terminated")
DEFAULT_PHASE_SECONDS = 1.0
DEFAULT_BUILDS_PER_MINUTE = 10
DEFAULT_LOG_PAGE_SIZE = 50
DEFAULT_WORKER = "my-worker"
DEFAULT_SUBDOMAIN = "my-subdomain"
"""The account's workers.dev subdomain, in preview URLs ``https://<8 hex>-<worker>.<subdomain>.workers.dev``."""
DEFAULT_BRANCH = "main"
DEFAULT_COMMIT_HASH = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
DEFAULT_COMMIT_MESSAGE = "Update the homepage"
DEFAULT_AUTHOR = "dev@example.com"
DEFAULT_HOOK_NAME = "My deploy hook"
RATE_WINDOW_SECONDS = 60.0

# The fixed parts of a build's trigger metadata and trigger (the schema's field names; example-like values).
TRIGGER_SOURCE = "deploy_hook"  # as the Deploy Hooks guide shows for hook builds (the schema's enum lacks it)
TRIGGER_NAME = "Deploy default branch"
BUILD_COMMAND = "npm run build"
DEPLOY_COMMAND = "npx wrangler deploy"
ROOT_DIRECTORY = "/"
BUILD_TOKEN_NAME = "Emulator build token"
PROVIDER_TYPE = "github"
PROVIDER_ACCOUNT_NAME = "example-org"
PROVIDER_ACCOUNT_ID = "12345678"
REPO_ID = "87654321"
ENVIRONMENT_VARIABLES = {"NODE_ENV": "production"}

QUEUED, INITIALIZING, RUNNING, STOPPED = "queued", "initializing", "running", "stopped"
_PENDING = (QUEUED, INITIALIZING)
_CANCELLED_LOG = "Build cancelled"
_PROGRESS_LOGS = (
    "Cloning repository...",
    "Installing dependencies...",
    "Running build command...",
    "Deploying to Cloudflare's global network...",
)
_FINAL_LOGS = {
    "success": "Success: deployed",
    "fail": "Build failed",
    "skipped": "Build skipped",
    "cancelled": _CANCELLED_LOG,
    "terminated": "Build terminated",
}
_HOOK_KEYS = ("outcome", "phase_seconds", "worker", "branch", "commit_hash", "commit_message", "author",
              "deploy_hook_name", "logs")
_CONFIG_KEYS = ("token", "account_id", "subdomain", "hooks")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_WORKER_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")  # also a DNS label: the subdomain's rule
_COMMIT_HASH = re.compile(r"[0-9a-f]{40}", re.IGNORECASE)
_TRIGGER_ROUTE = re.compile(r"/workers/builds/deploy_hooks/(?P<hook>[^/]+)")
_BUILD_ROUTE = re.compile(r"/accounts/(?P<account>[^/]+)/builds/builds/(?P<build>[^/]+)(?P<action>/logs|/cancel)?")
_HOOK_SEGMENT = re.compile(r"(/deploy_hooks/)([^/]{0,4})[^/]*")
_MAX_DRAINED_BODY = 1024 * 1024
_POLL_SECONDS = 0.02  # how often the server loop looks for stop(): bounds how long stop() takes


def _redact(hook: str) -> str:
    """A hook UUID as it may be shown: its first four characters and an ellipsis."""
    return hook[:4] + "…"


def _is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID in the 8-4-4-4-12 hex form (any letter case)."""
    return _UUID.fullmatch(text) is not None


def _iso(moment: float) -> str:
    """A unix time as ISO 8601 UTC with milliseconds, e.g. ``2019-12-27T18:11:19.117Z``."""
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _iso_or_none(moment: float | None) -> str | None:
    """:func:`_iso`, passing ``None`` through."""
    return None if moment is None else _iso(moment)


@dataclass(frozen=True)
class HookConfig:
    """How the builds of one deploy hook behave.

    ``phase_seconds`` ``None`` means the emulator's default; ``logs`` ``None`` means the default lines,
    which end with a line matching the outcome (e.g. ``Success: deployed``, ``Build failed``). ``worker`` names
    the Worker (in the preview URL and as the repository name); ``branch``, ``commit_hash`` (40 hex digits),
    ``commit_message`` and ``author`` go into the build's ``build_trigger_metadata``, and ``deploy_hook_name``
    into its ``deploy_hook``.
    """

    outcome: str = "success"
    phase_seconds: float | None = None
    worker: str = DEFAULT_WORKER
    branch: str = DEFAULT_BRANCH
    commit_hash: str = DEFAULT_COMMIT_HASH
    commit_message: str = DEFAULT_COMMIT_MESSAGE
    author: str = DEFAULT_AUTHOR
    deploy_hook_name: str = DEFAULT_HOOK_NAME
    logs: Sequence[str] | None = None

    def __post_init__(self) -> None:
        """Validates every field (raises ValueError) and freezes ``logs`` into a tuple."""
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        if self.phase_seconds is not None:
            _check_phase_seconds(self.phase_seconds)
        if not isinstance(self.worker, str) or not _WORKER_NAME.fullmatch(self.worker):
            raise ValueError("worker must be a Worker name: lowercase letters, digits and dashes")
        for name in ("branch", "author", "deploy_hook_name"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty string")
        if not isinstance(self.commit_hash, str) or not _COMMIT_HASH.fullmatch(self.commit_hash):
            raise ValueError("commit_hash must be 40 hex digits")
        object.__setattr__(self, "commit_hash", self.commit_hash.lower())
        if not isinstance(self.commit_message, str):
            raise ValueError("commit_message must be a string")
        if self.logs is not None:
            if not isinstance(self.logs, (list, tuple)) or not all(isinstance(line, str) for line in self.logs):
                raise ValueError("logs must be a list of strings")
            object.__setattr__(self, "logs", tuple(self.logs))

    @classmethod
    def from_json(cls, value: object) -> HookConfig:
        """A hook's settings from its JSON object in a config file; raises ValueError."""
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object")
        unknown = sorted(set(value) - set(_HOOK_KEYS))
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(_HOOK_KEYS)}")
        return cls(**value)

    def log_lines(self) -> tuple[str, ...]:
        """The lines a build of this hook logs, in order."""
        return tuple(self.logs) if self.logs is not None else _PROGRESS_LOGS + (_FINAL_LOGS[self.outcome],)


HookSpec = Union[HookConfig, str]
"""A hook's configuration, or just its outcome."""


def _check_phase_seconds(value: object) -> float:
    """``value`` if it is a finite number of seconds >= 0; raises ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError("phase_seconds must be a finite number >= 0")
    return float(value)


def _check_positive(name: str, value: object) -> int:
    """``value`` if it is an int >= 1; raises ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1")
    return value


def _normalize_hooks(hooks: Mapping[str, HookSpec] | None) -> dict[str, HookConfig]:
    """Hooks keyed by lowercase UUID; the demo hook when there are none. Raises ValueError."""
    normalized: dict[str, HookConfig] = {}
    for hook, spec in (hooks or {}).items():
        if not isinstance(hook, str) or not _is_uuid(hook):
            raise ValueError("every hook must be a UUID (8-4-4-4-12 hex digits)")
        normalized[hook.lower()] = spec if isinstance(spec, HookConfig) else HookConfig(outcome=spec)
    return normalized or {DEMO_HOOK: HookConfig()}


@dataclass
class _Build:
    """One build. Its state is a function of the time: see :meth:`status`. ``details`` holds the parts of its
    answer that never change (``build_trigger_metadata``, ``deploy_hook``, ``trigger``, ``pull_request``)."""

    build_uuid: str
    created: float
    phase_seconds: float
    config: HookConfig
    preview_url: str
    details: dict[str, Any]
    cancelled_at: float | None = None

    def phase_start(self, index: int) -> float:
        """When phase ``index`` begins: 0 queued, 1 initializing, 2 running, 3 stopped."""
        return self.created + index * self.phase_seconds

    def stopped_at(self) -> float:
        """When the build stops (or stopped): at its cancellation, else after its three phases."""
        return self.cancelled_at if self.cancelled_at is not None else self.phase_start(3)

    def status(self, now: float) -> str:
        """The status at ``now``."""
        if now >= self.stopped_at():
            return STOPPED
        if now >= self.phase_start(2):
            return RUNNING
        return INITIALIZING if now >= self.phase_start(1) else QUEUED

    def outcome(self) -> str:
        """The outcome once stopped."""
        return "cancelled" if self.cancelled_at is not None else self.config.outcome

    def reached(self, moment: float, now: float) -> float | None:
        """``moment`` if the build got there by ``now`` (before stopping), else ``None``."""
        return moment if moment <= min(now, self.stopped_at()) else None

    def timeline(self) -> list[tuple[float, str]]:
        """Every log line with its time: spread over the running phase, cut short by a cancellation."""
        lines = self.config.log_lines()
        start = self.phase_start(2)
        timed = [(start + self.phase_seconds * index / len(lines), line) for index, line in enumerate(lines)]
        if self.cancelled_at is None:
            return timed
        return [entry for entry in timed if entry[0] <= self.cancelled_at] + [(self.cancelled_at, _CANCELLED_LOG)]

    def logs(self, now: float) -> list[tuple[float, str]]:
        """The log lines emitted by ``now``."""
        return [entry for entry in self.timeline() if entry[0] <= now]

    def to_json(self, now: float) -> dict[str, Any]:
        """The build as ``GET .../builds/builds/{uuid}`` shows it at ``now``.

        Every field of the schema is there, except the times not reached yet and ``preview_url`` before a
        successful stop (the schema marks them optional, not nullable: they are left out). ``build_outcome``
        is ``null`` until the build stops and ``pull_request`` is ``null`` (a hook build has none).
        """
        status = self.status(now)
        answer: dict[str, Any] = {"build_uuid": self.build_uuid, "status": status,
                                  "build_outcome": self.outcome() if status == STOPPED else None,
                                  "created_on": _iso(self.created)}
        changes = [self.created]
        for key, index in (("initializing_on", 1), ("running_on", 2)):
            moment = self.reached(self.phase_start(index), now)
            if moment is not None:
                answer[key] = _iso(moment)
                changes.append(moment)
        if status == STOPPED:
            answer["stopped_on"] = _iso(self.stopped_at())
            changes.append(self.stopped_at())
        answer["modified_on"] = _iso(max(changes))
        if status == STOPPED and self.outcome() == "success":
            answer["preview_url"] = self.preview_url
        answer.update(self.details)
        return answer

    def cancel_result(self) -> dict[str, Any]:
        """The cancel endpoint's ``result`` once the build has stopped."""
        return {"build_outcome": self.outcome(), "build_uuid": self.build_uuid, "stopped_on": _iso(self.stopped_at())}


@dataclass
class _Reply:
    """An HTTP answer: status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def _success(result: dict[str, Any]) -> _Reply:
    """A 200 v4 envelope carrying ``result``."""
    return _Reply(200, {"success": True, "errors": [], "messages": [], "result": result}, {})


def _failure(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> _Reply:
    """A v4 error envelope."""
    body = {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}
    return _Reply(status, body, headers or {})


def _not_routable(route: str) -> _Reply:
    """Cloudflare's answer to a path it cannot route (unknown endpoint or account)."""
    return _failure(404, 7003, f"Could not route to {route}, perhaps your object identifier is invalid?")


def _method_not_allowed(allowed: str) -> _Reply:
    """405 for a known path asked with another method."""
    return _failure(405, 10405, "Method not allowed", {"Allow": allowed})


def _encode_cursor(index: int, timestamp: float) -> str:
    """An opaque cursor for "after the first ``index`` log lines", shaped like Cloudflare's: unpadded URL-safe
    base64 of ``{"line":index,"timestamp":t}`` (``t`` the last returned line's time)."""
    text = json.dumps({"line": index, "timestamp": timestamp}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, available: int) -> int:
    """The line index a cursor stands for; 0 (the first page) for no cursor or one this build cannot have
    issued (not ours, or past its ``available`` lines)."""
    if cursor is None:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return 0
    index = value.get("line") if isinstance(value, dict) else None
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= available:
        return 0
    return index


@dataclass
class _HookIdentity:
    """What stays the same across the builds of one hook: its trigger's UUID, its rate-limit window and its
    latest build."""

    trigger_uuid: str
    starts: deque[float]
    latest: _Build | None = None


class _API:
    """The emulated API's state and operations, independent of HTTP. Thread-safe (one lock)."""

    def __init__(self, hooks: dict[str, HookConfig], token: str, account_id: str, subdomain: str,
                 phase_seconds: float, builds_per_minute: int, log_page_size: int,
                 clock: Callable[[], float]) -> None:
        self.hooks = hooks
        self._token = token.encode()
        self._account_id = account_id.lower()
        self._subdomain = subdomain
        self._phase_seconds = phase_seconds
        self._builds_per_minute = builds_per_minute
        self._log_page_size = log_page_size
        self._clock = clock
        self._lock = threading.Lock()
        self._builds: dict[str, _Build] = {}
        self._identities = {hook: _HookIdentity(str(uuid.uuid4()), deque()) for hook in hooks}
        self._since = _iso(clock())  # when the triggers and repository connections were "created"
        self._build_token_uuid = str(uuid.uuid4())
        self._workers: dict[str, tuple[str, str]] = {}  # worker -> (external_script_id, repo_connection_uuid)

    def trigger(self, hook: str) -> _Reply:
        """``POST /workers/builds/deploy_hooks/{hook}``."""
        hook = hook.lower()
        config = self.hooks.get(hook)
        if config is None:
            return _failure(404, 12000, "Not found")
        with self._lock:
            now = self._clock()
            latest = self._identities[hook].latest
            if latest is not None and latest.status(now) in _PENDING:
                return _success(self._trigger_result(latest, now, already_exists=True))
            wait = self._seconds_until_slot(hook, now)
            if wait:
                return _failure(429, 12051, "Rate limit exceeded", {"Retry-After": str(wait)})
            build = self._start_build(hook, config, now)
            return _success(self._trigger_result(build, now, already_exists=False))

    def _seconds_until_slot(self, hook: str, now: float) -> int:
        """0 if ``hook`` may start a build now, else the whole seconds (>= 1) until it may."""
        starts = self._identities[hook].starts
        while starts and starts[0] <= now - RATE_WINDOW_SECONDS:
            starts.popleft()
        if len(starts) < self._builds_per_minute:
            return 0
        return max(1, math.ceil(starts[-self._builds_per_minute] + RATE_WINDOW_SECONDS - now))

    def _start_build(self, hook: str, config: HookConfig, now: float) -> _Build:
        """Creates and records a new build of ``hook``."""
        phase_seconds = config.phase_seconds if config.phase_seconds is not None else self._phase_seconds
        preview_url = f"https://{secrets.token_hex(4)}-{config.worker}.{self._subdomain}.workers.dev"
        build = _Build(str(uuid.uuid4()), now, phase_seconds, config, preview_url, self._details(hook, config))
        self._builds[build.build_uuid] = build
        identity = self._identities[hook]
        identity.latest = build
        identity.starts.append(now)
        return build

    def _details(self, hook: str, config: HookConfig) -> dict[str, Any]:
        """The parts of a build of ``hook`` that never change: trigger metadata, deploy hook, trigger."""
        script_id, connection_uuid = self._workers.setdefault(config.worker, (uuid.uuid4().hex, str(uuid.uuid4())))
        return {
            "build_trigger_metadata": {
                "author": config.author, "branch": config.branch, "build_command": BUILD_COMMAND,
                "build_token_name": BUILD_TOKEN_NAME, "build_token_uuid": self._build_token_uuid,
                "build_trigger_source": TRIGGER_SOURCE, "commit_hash": config.commit_hash,
                "commit_message": config.commit_message, "deploy_command": DEPLOY_COMMAND,
                "environment_variables": dict(ENVIRONMENT_VARIABLES), "provider_account_name": PROVIDER_ACCOUNT_NAME,
                "provider_type": PROVIDER_TYPE, "repo_name": config.worker, "root_directory": ROOT_DIRECTORY,
            },
            "deploy_hook": {"deploy_hook_name": config.deploy_hook_name},
            "trigger": {
                "trigger_uuid": self._identities[hook].trigger_uuid, "trigger_name": TRIGGER_NAME,
                "external_script_id": script_id, "branch_excludes": [], "branch_includes": [config.branch],
                "build_caching_enabled": False, "build_command": BUILD_COMMAND, "created_on": self._since,
                "deploy_command": DEPLOY_COMMAND, "modified_on": self._since, "path_excludes": [],
                "path_includes": ["*"],
                "repo_connection": {
                    "created_on": self._since, "modified_on": self._since, "provider_account_id": PROVIDER_ACCOUNT_ID,
                    "provider_account_name": PROVIDER_ACCOUNT_NAME, "provider_type": PROVIDER_TYPE,
                    "repo_connection_uuid": connection_uuid, "repo_id": REPO_ID, "repo_name": config.worker,
                },
                "root_directory": ROOT_DIRECTORY,
            },
            "pull_request": None,
        }

    @staticmethod
    def _trigger_result(build: _Build, now: float, already_exists: bool) -> dict[str, Any]:
        """The trigger's ``result`` for ``build``."""
        return {"already_exists": already_exists, "build_uuid": build.build_uuid, "created_on": _iso(build.created),
                "status": build.status(now)}

    def authorize(self, authorization: str | None, account: str, route: str) -> _Reply | None:
        """The error for a request to an account endpoint, or ``None`` if it may proceed."""
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            return _failure(401, 12005, "Missing token from authorization header")
        if not hmac.compare_digest(credentials.encode(), self._token):
            return _failure(403, 10000, "Authentication error")
        if account.lower() != self._account_id:
            return _not_routable(route)
        return None

    def build(self, build_uuid: str) -> _Reply:
        """``GET .../builds/builds/{build_uuid}``."""
        with self._lock:
            build = self._builds.get(build_uuid.lower())
            return _success(build.to_json(self._clock())) if build else _failure(404, 12000, "Not found")

    def logs(self, build_uuid: str, cursor: str | None) -> _Reply:
        """``GET .../builds/builds/{build_uuid}/logs?cursor=…``: at most one page of lines after ``cursor``.

        ``cursor`` comes back only while ``truncated`` is true (more lines are there now); a cursor this build
        cannot have issued is ignored, so the answer is the first page."""
        with self._lock:
            build = self._builds.get(build_uuid.lower())
            if build is None:
                return _failure(404, 12000, "Not found")
            lines = build.logs(self._clock())
        start = _decode_cursor(cursor, len(lines))
        page = [(round(moment, 3), text) for moment, text in lines[start:start + self._log_page_size]]
        end = start + len(page)
        if end < len(lines):
            return _success({"cursor": _encode_cursor(end, page[-1][0]), "lines": page, "truncated": True})
        return _success({"lines": page, "truncated": False})

    def cancel(self, build_uuid: str) -> _Reply:
        """``PUT .../builds/builds/{build_uuid}/cancel``: stops a build that has not stopped yet. A build that
        has stopped already is left as it is, and the answer is still 200, with its own outcome and stop time."""
        with self._lock:
            build = self._builds.get(build_uuid.lower())
            if build is None:
                return _failure(404, 12000, "Not found")
            now = self._clock()
            if build.status(now) != STOPPED:
                build.cancelled_at = now
            return _success(build.cancel_result())


def _route(api: _API, method: str, target: str, authorization: str | None) -> _Reply:
    """Answers one request: ``target`` is the request target (path and query)."""
    parts = urlsplit(target)
    if not parts.path.startswith(API_PREFIX + "/"):
        return _not_routable(parts.path)
    route = parts.path[len(API_PREFIX):]
    match = _TRIGGER_ROUTE.fullmatch(route)
    if match:
        return api.trigger(match["hook"]) if method == "POST" else _method_not_allowed("POST")
    match = _BUILD_ROUTE.fullmatch(route)
    if not match:
        return _not_routable(route)
    allowed = "PUT" if match["action"] == "/cancel" else "GET"
    if method != allowed:
        return _method_not_allowed(allowed)
    refusal = api.authorize(authorization, match["account"], route)
    if refusal:
        return refusal
    if match["action"] == "/logs":
        return api.logs(match["build"], parse_qs(parts.query).get("cursor", [None])[-1])
    if match["action"] == "/cancel":
        return api.cancel(match["build"])
    return api.build(match["build"])


def _redacted_path(target: str, hooks: Mapping[str, HookConfig]) -> str:
    """The request path (no query) for a log line: hook UUIDs cut to their first four characters."""
    path = _HOOK_SEGMENT.sub(lambda match: match[1] + match[2] + "…", urlsplit(target).path)
    return _UUID.sub(lambda match: _redact(match[0]) if match[0].lower() in hooks else match[0], path)


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to :func:`_route`; writes compact JSON with a ``cf-ray`` header."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "deployhook-emulator"
    sys_version = ""
    timeout = 30

    def _dispatch(self) -> None:
        """Answers the current request."""
        self._drain_body()
        reply = _route(self.server.api, self.command, self.path, self.headers.get("Authorization"))
        body = json.dumps(reply.body, separators=(",", ":")).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("cf-ray", f"{secrets.token_hex(8)}-EMU")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        if self.server.verbose:
            path = _redacted_path(self.path, self.server.api.hooks)
            print(f"deployhook emulator: {self.command} {path} {reply.status}", file=sys.stderr, flush=True)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def _drain_body(self) -> None:
        """Reads and drops the request body, so the connection can be kept alive; else closes it after."""
        length = self.headers.get("Content-Length", "0").strip()
        if self.headers.get("Transfer-Encoding") or not length.isdecimal() or int(length) > _MAX_DRAINED_BODY:
            self.close_connection = True
        else:
            self.rfile.read(int(length))

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the standard log lines would show request lines, which hold hook UUIDs."""


class _Server(ThreadingHTTPServer):
    """A threaded HTTP server (daemon threads) holding the API state; IPv6 when the host has a colon."""

    daemon_threads = True

    def __init__(self, host: str, port: int, api: _API, verbose: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.api = api
        self.verbose = verbose

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet (a client hanging up is no news); with ``verbose``, one line naming the exception."""
        if self.verbose:
            failure = type(sys.exc_info()[1]).__name__
            print(f"deployhook emulator: request failed: {failure}", file=sys.stderr, flush=True)


class Emulator:
    """The emulated API, served from a background thread; also a context manager.

    ``hooks`` maps hook UUIDs to a :class:`HookConfig` or just an outcome (``"fail"``…); with none, the demo
    hook :data:`DEMO_HOOK` is registered. ``subdomain`` is the account's workers.dev subdomain, in preview
    URLs. ``port`` 0 (the default) picks a free port. ``clock`` returns the current unix time: tests may pass
    their own to step builds through their phases. Raises ValueError on a bad setting.
    """

    def __init__(self, hooks: Mapping[str, HookSpec] | None = None, *, token: str = DEFAULT_TOKEN,
                 account_id: str = DEFAULT_ACCOUNT_ID, subdomain: str = DEFAULT_SUBDOMAIN,
                 phase_seconds: float = DEFAULT_PHASE_SECONDS, builds_per_minute: int = DEFAULT_BUILDS_PER_MINUTE,
                 log_page_size: int = DEFAULT_LOG_PAGE_SIZE, host: str = DEFAULT_HOST, port: int = 0,
                 verbose: bool = False, clock: Callable[[], float] = time.time) -> None:
        if not isinstance(token, str) or not token.strip() or token != token.strip():
            raise ValueError("token must be a non-empty string without surrounding spaces")
        if not isinstance(account_id, str) or not account_id or "/" in account_id:
            raise ValueError("account_id must be a non-empty string without '/'")
        if not isinstance(subdomain, str) or not _WORKER_NAME.fullmatch(subdomain):
            raise ValueError("subdomain must be a DNS label: lowercase letters, digits and dashes")
        self._api = _API(_normalize_hooks(hooks), token, account_id, subdomain, _check_phase_seconds(phase_seconds),
                         _check_positive("builds_per_minute", builds_per_minute),
                         _check_positive("log_page_size", log_page_size), clock)
        self._host = host
        self._port = port
        self._verbose = verbose
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def hooks(self) -> tuple[str, ...]:
        """The registered hook UUIDs (lowercase)."""
        return tuple(self._api.hooks)

    @property
    def port(self) -> int:
        """The port served; only once started."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The API base, e.g. ``http://127.0.0.1:8787/client/v4``; only once started."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}{API_PREFIX}"

    def start(self) -> str:
        """Starts serving in a daemon thread; returns :attr:`base_url`. Raises OSError if it cannot listen."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = _Server(self._host, self._port, self._api, self._verbose)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": _POLL_SECONDS},
                                        name="deployhook-emulator", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stops serving and closes the listening socket; does nothing if not running."""
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self.stop()


def _argument(check: Any) -> Any:
    """Wraps a validator raising ValueError into an argparse ``type`` (its message, never the value)."""
    def convert(text: str) -> Any:
        try:
            return check(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return convert


def _parse_hook(text: str) -> tuple[str, HookConfig]:
    """``UUID[:OUTCOME[:PHASE_SECONDS]]`` into the hook and its config; raises ValueError."""
    hook, _, rest = text.strip().partition(":")
    outcome, _, seconds = rest.partition(":")
    if not _is_uuid(hook):
        raise ValueError("expected UUID[:OUTCOME[:PHASE_SECONDS]] with a UUID of 8-4-4-4-12 hex digits")
    phase_seconds = _parse_seconds(seconds) if seconds else None
    return hook.lower(), HookConfig(outcome=outcome or "success", phase_seconds=phase_seconds)


def _parse_seconds(text: str) -> float:
    """A number of seconds >= 0; raises ValueError."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError("phase_seconds must be a finite number >= 0") from None
    return _check_phase_seconds(value)


def _parse_count(text: str) -> int:
    """An integer >= 1; raises ValueError."""
    if not text.strip().isdecimal() or int(text) < 1:
        raise ValueError("must be an integer >= 1")
    return int(text)


def _parse_port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free port); raises ValueError."""
    if not text.strip().isdecimal() or int(text) > 65535:
        raise ValueError("must be a port number from 0 to 65535")
    return int(text)


def _read_config(path: str) -> dict[str, Any]:
    """The checked contents of a ``--config`` file: ``token``, ``account_id``, ``subdomain``, ``hooks`` (as
    HookConfig)."""
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    if not isinstance(data, dict):
        raise ValueError("must hold a JSON object")
    unknown = sorted(set(data) - set(_CONFIG_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(_CONFIG_KEYS)}")
    for key in ("token", "account_id", "subdomain"):
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"{key} must be a string")
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict):
        raise ValueError("hooks must be an object keyed by hook UUID")
    data["hooks"] = {hook: _read_hook(hook, settings) for hook, settings in hooks.items()}
    return data


def _read_hook(hook: str, settings: object) -> HookConfig:
    """One entry of a config file's ``hooks``; errors name the hook redacted."""
    if not _is_uuid(hook):
        raise ValueError(f"hooks: key {_redact(hook)} is not a UUID")
    try:
        return HookConfig.from_json(settings)
    except (TypeError, ValueError) as error:
        raise ValueError(f"hook {_redact(hook)}: {error}") from None


def _parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = argparse.ArgumentParser(
        prog="python3 -m deployhook.emulator",
        description="Emulate Cloudflare's Workers Builds API (deploy hooks, builds, logs, cancel) on localhost.")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=_argument(_parse_port), default=DEFAULT_PORT,
                        help="port (default %(default)s; 0 picks a free one)")
    parser.add_argument("--token", help="API token for the account endpoints "
                        "(default: $CLOUDFLARE_API_TOKEN, else " + DEFAULT_TOKEN + ")")
    parser.add_argument("--account-id", help="account id (default: $CLOUDFLARE_ACCOUNT_ID, else "
                        + DEFAULT_ACCOUNT_ID + ")")
    parser.add_argument("--subdomain", help="the account's workers.dev subdomain, in preview URLs (default "
                        + DEFAULT_SUBDOMAIN + ")")
    parser.add_argument("--hook", action="append", default=[], type=_argument(_parse_hook),
                        metavar="UUID[:OUTCOME[:PHASE_SECONDS]]",
                        help=f"register a deploy hook (repeatable); OUTCOME: {', '.join(OUTCOMES)}")
    parser.add_argument("--config", metavar="FILE.json", help="token, account_id, subdomain and hooks from a JSON file")
    parser.add_argument("--phase-seconds", type=_argument(_parse_seconds), default=DEFAULT_PHASE_SECONDS,
                        help="default duration of each build phase (default %(default)s)")
    parser.add_argument("--builds-per-minute", type=_argument(_parse_count), default=DEFAULT_BUILDS_PER_MINUTE,
                        help="builds a hook may start per 60 s (default %(default)s)")
    parser.add_argument("--log-page-size", type=_argument(_parse_count), default=DEFAULT_LOG_PAGE_SIZE,
                        help="most log lines per logs call (default %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr (hooks redacted)")
    return parser


def _emulator_from_arguments(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> Emulator:
    """The emulator the command line asks for; exits through ``parser.error`` (status 2) on bad input."""
    config: dict[str, Any] = {}
    if arguments.config:
        try:
            config = _read_config(arguments.config)
        except (OSError, ValueError) as error:
            parser.error(f"--config {arguments.config}: {error}")
    hooks = dict(config.get("hooks", {}), **dict(arguments.hook))
    token = arguments.token or config.get("token") or os.environ.get("CLOUDFLARE_API_TOKEN") or DEFAULT_TOKEN
    account_id = (arguments.account_id or config.get("account_id") or os.environ.get("CLOUDFLARE_ACCOUNT_ID")
                  or DEFAULT_ACCOUNT_ID)
    subdomain = arguments.subdomain or config.get("subdomain") or DEFAULT_SUBDOMAIN
    try:
        return Emulator(hooks, token=token, account_id=account_id, subdomain=subdomain,
                        phase_seconds=arguments.phase_seconds,
                        builds_per_minute=arguments.builds_per_minute, log_page_size=arguments.log_page_size,
                        host=arguments.host, port=arguments.port, verbose=arguments.verbose)
    except ValueError as error:
        parser.error(str(error))


def main(argv: list[str] | None = None) -> int:
    """The command line: serves until SIGTERM or SIGINT, then returns 0 (1 if it cannot listen)."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    emulator = _emulator_from_arguments(arguments, parser)
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    try:
        base_url = emulator.start()
    except OSError as error:
        print(f"deployhook emulator: cannot listen on {arguments.host} port {arguments.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    print(f"PORT {emulator.port}", flush=True)
    print(f"deployhook emulator: {base_url}", flush=True)
    stop.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
