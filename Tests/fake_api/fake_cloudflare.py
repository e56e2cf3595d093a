#!/usr/bin/env python3
"""A fake Cloudflare API for deployhook's tests.

It answers `POST /client/v4/workers/builds/deploy_hooks/<uuid>` with one canned
scenario per hook UUID, exactly as described in SCENARIOS.md beside this file:
SCENARIOS are well-formed answers, FAULT_SCENARIOS misbehave (resets, trickles,
oversized heads and bodies, garbage, odd encodings). BUILD_SCENARIOS also answer
the endpoints that follow a build (GET build, GET logs, PUT cancel, with a Bearer
token: API_TOKEN, ACCOUNT_ID), with the answers the schema allows and real
servers may send: optional fields left out, odd units, slow pages, echoes.
Standard library only; binds 127.0.0.1 only.

Command line:
    python3 fake_cloudflare.py [--port N]
prints `PORT <n>` on its first stdout line, then serves until SIGTERM/SIGINT.

As a module (e.g. for a pytest fixture):
    fake = start_fake()            # serves in a background thread
    fake.base_url                  # "http://127.0.0.1:<port>/client/v4"
    fake.requests(); fake.reset(); fake.stop()
"""

import argparse
import base64
import gzip
import io
import json
import re
import secrets
import signal
import socket
import struct
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PREFIX = "/client/v4"
TRIGGER_PATH = PREFIX + "/workers/builds/deploy_hooks/"

# Hook UUID of each scenario (see SCENARIOS.md).
SCENARIOS = {
    "ok": "11111111-1111-4111-8111-111111111111",
    "guide_shape": "22222222-2222-4222-8222-222222222222",
    "already_exists": "33333333-3333-4333-8333-333333333333",
    "unknown_status": "44444444-4444-4444-8444-444444444444",
    "rate_limited": "55555555-5555-4555-8555-555555555555",
    "flaky": "66666666-6666-4666-8666-666666666666",
    "html_502": "77777777-7777-4777-8777-777777777777",
    "api_error": "88888888-8888-4888-8888-888888888888",
    "truncated": "99999999-9999-4999-8999-999999999999",
    "huge": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    "drop": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    "slow": "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
    "redirect": "dddddddd-dddd-4ddd-8ddd-dddddddddddd",
    "success_false": "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee",
    "no_retry_500": "ffffffff-ffff-4fff-8fff-ffffffffffff",
}
# Hook UUID of each fault-injecting scenario (see SCENARIOS.md, "Fault scenarios"). Kept apart from
# SCENARIOS because some of them take seconds (trickles): the suites that sweep SCENARIOS skip them.
FAULT_SCENARIOS = {
    "reset_before_status": "fa000001-0000-4000-8000-000000000001",
    "reset_mid_headers": "fa000002-0000-4000-8000-000000000002",
    "reset_mid_body": "fa000003-0000-4000-8000-000000000003",
    "trickle_headers": "fa000004-0000-4000-8000-000000000004",
    "trickle_body": "fa000005-0000-4000-8000-000000000005",
    "huge_chunked": "fa000006-0000-4000-8000-000000000006",
    "huge_header": "fa000007-0000-4000-8000-000000000007",
    "garbage": "fa000008-0000-4000-8000-000000000008",
    "http10_close": "fa000009-0000-4000-8000-000000000009",
    "http10_close_truncated": "fa00000a-0000-4000-8000-00000000000a",
    "redirect_self": "fa00000b-0000-4000-8000-00000000000b",
    "non_utf8": "fa00000c-0000-4000-8000-00000000000c",
    "deep_nesting": "fa00000d-0000-4000-8000-00000000000d",
    "gzip_unasked": "fa00000e-0000-4000-8000-00000000000e",
}
# Hook UUID of each follow-a-build scenario (see SCENARIOS.md, "Following a build"). Kept apart from
# SCENARIOS because the suites that sweep SCENARIOS expect trigger answers only.
BUILD_SCENARIOS = {
    "build_minimal": "b0000001-0000-4000-8000-000000000001",
    "build_no_status": "b0000002-0000-4000-8000-000000000002",
    "build_full": "b0000003-0000-4000-8000-000000000003",
    "logs_no_cursor_truncated": "b0000004-0000-4000-8000-000000000004",
    "logs_no_cursor_complete": "b0000005-0000-4000-8000-000000000005",
    "logs_seconds": "b0000006-0000-4000-8000-000000000006",
    "logs_milliseconds": "b0000007-0000-4000-8000-000000000007",
    "cancel_running": "b0000008-0000-4000-8000-000000000008",
    "cancel_stopped": "b0000009-0000-4000-8000-000000000009",
    "cancel_stopped_error": "b000000a-0000-4000-8000-00000000000a",
    "other_build": "b000000b-0000-4000-8000-00000000000b",
    "slow_logs": "b000000c-0000-4000-8000-00000000000c",
    "build_uuid_not_uuid": "b000000d-0000-4000-8000-00000000000d",
    "retry_true_2xx": "b000000e-0000-4000-8000-00000000000e",
    "echo_hook": "b000000f-0000-4000-8000-00000000000f",
}
# A well-formed UUID that is no scenario: answered 404 / 12000.
UNKNOWN_UUID = "12345678-1234-4234-8234-123456789abc"
# The delayed family: any number of distinct hooks that answer as ok after a delay of their own, each
# with a build UUID of its own (see SCENARIOS.md, "Many hooks"). delayed_hook() makes them.
DELAYED_PREFIX = "de1a0000-0000-4000-8000-"
DELAYED_BUILD_PREFIX = "b11d0000-0000-4000-8000-"

BUILD_UUID = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
GUIDE_BUILD_UUID = "7c0e1b7a-4a51-4d35-9d4c-0f2b8e5b6a10"
CREATED_ON = "2019-12-27T18:11:19.117Z"
HUGE_LENGTH = 64 * 1024 * 1024
SLOW_SECONDS = 5.0
REDIRECT_LOCATION = "http://127.0.0.1:9/elsewhere"
# redirect_self points here, on the fake itself, so a followed redirect would be recorded.
REDIRECT_SELF_PATH = PREFIX + "/redirect-target"
TRICKLE_SECONDS = 1.0          # between two bytes of trickle_headers / trickle_body
TRICKLE_MAX_SECONDS = 120.0    # a trickle gives up after this long even if the client is still there
HUGE_HEADER_LENGTH = 1024 * 1024
DEEP_NESTING_LEVELS = 100_000
GARBAGE = b"\x00\x01\x02\xffSSH-2.0-not-http \xde\xad\xbe\xef\r\n\r\n\x7fELF garbage, not an HTTP answer\r\n"

_SCENARIO_BY_UUID = {uuid: name for name, uuid in
                     list(SCENARIOS.items()) + list(FAULT_SCENARIOS.items()) + list(BUILD_SCENARIOS.items())}
_JSON = "application/json"
_HTML = "text/html"


def _json(value):
    """Compact JSON bytes, keys in insertion order (tests compare bodies exactly)."""
    return json.dumps(value, separators=(",", ":")).encode()


def _envelope(success, errors=(), result=None):
    return _json({
        "success": success,
        "errors": [{"code": c, "message": m} for c, m in errors],
        "messages": [],
        "result": result,
    })


def _html(title):
    return ("<html><head><title>%s</title></head><body><center><h1>%s</h1></center>"
            "<hr><center>cloudflare</center></body></html>" % (title, title)).encode()


def _build(already_exists, status):
    return {"already_exists": already_exists, "build_uuid": BUILD_UUID,
            "created_on": CREATED_ON, "status": status}


# Static answers: scenario -> (HTTP status, content type, extra headers, body).
ANSWERS = {
    "ok": (200, _JSON, {}, _envelope(True, result=_build(False, "queued"))),
    "guide_shape": (200, _JSON, {}, _envelope(True, result={
        "build_uuid": GUIDE_BUILD_UUID, "branch": "main", "worker": "my-worker"})),
    "already_exists": (200, _JSON, {}, _envelope(True, result=_build(True, "running"))),
    "unknown_status": (200, _JSON, {}, _envelope(True, result=_build(False, "paused"))),
    "rate_limited": (429, _JSON, {"Retry-After": "1", "retry-after-ms": "20"},
                     _envelope(False, [(12051, "Rate limit exceeded")])),
    "flaky": (503, _HTML, {}, _html("503 Service Temporarily Unavailable")),
    "html_502": (502, _HTML, {"retry-after-ms": "10"}, _html("502 Bad Gateway")),
    "api_error": (403, _JSON, {}, _envelope(False, [(10000, "Authentication error")])),
    "truncated": (200, _JSON, {}, b'{"success": true, "result": {"build_uuid": "18'),
    "redirect": (302, None, {"Location": REDIRECT_LOCATION}, b""),
    "success_false": (200, _JSON, {}, _envelope(False, [(10001, "Build could not be queued")])),
    "no_retry_500": (500, _JSON, {"x-should-retry": "false"},
                     _envelope(False, [(10013, "Internal error")])),
    "not_found": (404, _JSON, {}, _envelope(False, [(12000, "Not found")])),
}
_OK_BODY = ANSWERS["ok"][3]
# 200 bodies of the fault scenarios that answer with a well-formed head.
_NON_UTF8_BODY = (b'{"success":true,"errors":[],"messages":[{"code":1,"message":"caf\xe9 \xff\xfe \xc3\x28"}],'
                  b'"result":' + _json(_build(False, "queued")) + b'}')
_DEEP_BODY = (b'{"success":true,"errors":[],"messages":[],"result":{"build_uuid":"' + BUILD_UUID.encode()
              + b'","status":"queued","nested":' + b"[" * DEEP_NESTING_LEVELS + b"]" * DEEP_NESTING_LEVELS + b"}}")
_GZIP_BODY = gzip.compress(_OK_BODY, mtime=0)
_METHOD_NOT_ALLOWED = (405, _JSON, {"Allow": "POST"},
                       _envelope(False, [(10405, "Method not allowed")]))


def delayed_hook(serial, delay_ms):
    """The delayed-family hook number `serial` (0-99,999,999), answering after `delay_ms` (0-9,999) ms."""
    return "%s%08d%04d" % (DELAYED_PREFIX, serial, delay_ms)


def delayed_build_uuid(hook):
    """The build UUID the fake answers for a delayed-family hook."""
    return DELAYED_BUILD_PREFIX + hook[len(DELAYED_PREFIX):].lower()


def _delayed_delay(hook):
    """The delay in seconds of a delayed-family hook, or None for any other hook."""
    last = hook[len(DELAYED_PREFIX):]
    if not hook.lower().startswith(DELAYED_PREFIX) or len(last) != 12 or not last.isdigit():
        return None
    return int(last[8:]) / 1000.0


# ---- following a build (BUILD_SCENARIOS) ----

API_TOKEN = "fake-api-token-for-builds"
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"  # the account id of Cloudflare's API examples
INITIALIZING_ON = "2019-12-27T18:11:20.117Z"
RUNNING_ON = "2019-12-27T18:11:21.117Z"
STOPPED_ON = "2019-12-27T18:11:51.117Z"
PREVIEW_URL = "https://1a2b3c4d-my-worker.my-subdomain.workers.dev"
OTHER_BUILD_UUID = "bd0000ff-0000-4000-8000-0000000000ff"  # what other_build answers about
NOT_A_UUID_BUILD = "not-a-uuid/../../x?y=1"  # build_uuid_not_uuid's build_uuid
SLOW_LOGS_SECONDS = 0.5  # how long each slow_logs page takes
LOG_T0 = 1577470282  # 2019-12-27T18:11:22Z, in seconds: the first log line of most builds
LOG_LINES = ["Cloning repository...", "Installing dependencies...", "Running build command...", "Success: deployed"]
# The same three instants, as logs_seconds and logs_milliseconds send them.
LOG_SECONDS = [LOG_T0, LOG_T0 + 1.5, LOG_T0 + 2.25]
LOG_MILLISECONDS = [LOG_T0 * 1000, LOG_T0 * 1000 + 1500, LOG_T0 * 1000 + 2250]
UNIT_LOG_LINES = ["first line", "second line", "third line"]
FULL_LOG_LINES = ["Cloning repository...", "Installing dependencies...", "Running build command...",
                  "Build finished", "Deploying to Cloudflare's global network...", "Success: deployed"]
FULL_LOG_CURSORS = ["eyJsaW5lIjoyfQ", "eyJsaW5lIjo0fQ"]  # unpadded base64 of {"line":2} and {"line":4}
FULL_METADATA = {
    "author": "ada@example.com", "branch": "main", "build_command": "npm run build",
    "build_token_name": "Production build token", "build_token_uuid": "5e0f5e0f-0000-4000-8000-000000000001",
    "build_trigger_source": "deploy_hook", "commit_hash": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
    "commit_message": "Fix the caf\u00e9 menu\n\nAnd its prices", "deploy_command": "npx wrangler deploy",
    "environment_variables": {"NODE_ENV": "production"}, "provider_account_name": "example-org",
    "provider_type": "github", "repo_name": "my-worker", "root_directory": "/",
}
FULL_TRIGGER = {
    "trigger_uuid": "7c1d0000-0000-4000-8000-000000000001", "trigger_name": "Deploy default branch",
    "external_script_id": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "branch_excludes": [], "branch_includes": ["main"],
    "build_caching_enabled": True, "build_command": "npm run build", "created_on": "2019-12-01T00:00:00.000Z",
    "deploy_command": "npx wrangler deploy", "modified_on": "2019-12-02T00:00:00.000Z", "path_excludes": [],
    "path_includes": ["*"],
    "repo_connection": {
        "created_on": "2019-12-01T00:00:00.000Z", "modified_on": "2019-12-01T00:00:00.000Z",
        "provider_account_id": "12345678", "provider_account_name": "example-org", "provider_type": "github",
        "repo_connection_uuid": "4e90c000-0000-4000-8000-000000000001", "repo_id": "87654321",
        "repo_name": "my-worker",
    },
    "root_directory": "/",
}
_BUILD_ROUTE = re.compile(PREFIX + r"/accounts/(?P<account>[^/]+)/builds/builds/(?P<build>[^/]+)(?P<action>/logs|/cancel)?")


def build_uuid_of(scenario):
    """The build UUID the trigger of a BUILD_SCENARIOS scenario answers (and that its build endpoints know)."""
    if scenario == "build_uuid_not_uuid":
        return NOT_A_UUID_BUILD
    if scenario == "echo_hook":
        return BUILD_SCENARIOS["echo_hook"]  # the server echoes the hook as the build
    return "bd" + BUILD_SCENARIOS[scenario][2:]


_SCENARIO_BY_BUILD = {build_uuid_of(name): name for name in BUILD_SCENARIOS if name != "build_uuid_not_uuid"}


def _now_iso():
    """The current time as ISO 8601 UTC with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _iso_seconds(iso):
    """Unix seconds of an ISO 8601 UTC time made by _now_iso."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _cursor(line):
    """A Cloudflare-like cursor: unpadded URL-safe base64 of {"line":N}."""
    return base64.urlsafe_b64encode(_json({"line": line})).decode().rstrip("=")


def _timed(lines, start=LOG_T0, step=1):
    """Log lines [[seconds, text], ...], one every `step` seconds from `start`."""
    return [[start + index * step, text] for index, text in enumerate(lines)]


def _stopped(build_uuid, outcome="success", **extra):
    """A stopped build with every time the schema has (fixed in 2019) and `extra` fields."""
    return dict({"build_uuid": build_uuid, "status": "stopped", "build_outcome": outcome, "created_on": CREATED_ON,
                 "initializing_on": INITIALIZING_ON, "running_on": RUNNING_ON, "stopped_on": STOPPED_ON,
                 "modified_on": STOPPED_ON}, **extra)


def _running(build_uuid):
    """A running build."""
    return {"build_uuid": build_uuid, "status": "running", "build_outcome": None, "created_on": CREATED_ON,
            "initializing_on": INITIALIZING_ON, "running_on": RUNNING_ON, "modified_on": RUNNING_ON}


def _cancelled(build_uuid, stopped_on):
    """A build cancelled at `stopped_on` while running."""
    return dict(_running(build_uuid), status="stopped", build_outcome="cancelled", stopped_on=stopped_on,
                modified_on=stopped_on)


def _ok(result, headers=None, messages=()):
    """A 200 success envelope."""
    body = _json({"success": True, "errors": [], "messages": list(messages), "result": result})
    return (200, _JSON, dict(headers or {}), body)


def _error(status, code, message):
    """An error envelope."""
    return (status, _JSON, {}, _envelope(False, [(code, message)]))


def _echo_forms(hook):
    """The hook as sent and without its dashes, as echo_hook's server repeats it."""
    return hook, hook.replace("-", "")


def _no_route(path):
    """404 / 7003, the answer for any path that is not the trigger endpoint."""
    shown = path[len(PREFIX):] if path.startswith(PREFIX + "/") else path
    message = "Could not route to %s, perhaps your object identifier is invalid?" % shown
    return (404, _JSON, {}, _envelope(False, [(7003, message)]))


class FakeServer(ThreadingHTTPServer):
    """Threaded HTTP server holding the fake's state (requests, flaky counter)."""

    daemon_threads = True
    request_queue_size = 64  # concurrent tests must not overflow the backlog

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests = []
        self._flaky_count = 0
        self._connections = set()
        self._connection_serial = 0
        self._serial_at_reset = 0
        self._generation = 0  # of requests: reset starts a new one, and counts only requests it started
        self._in_flight = 0
        self._max_in_flight = 0
        self._build_gets = {}  # scenario -> GET build requests since the last reset
        self._cancelled_on = {}  # scenario -> when a cancel stopped it (since the last reset)

    @property
    def port(self):
        return self.server_address[1]

    def record(self, entry):
        with self._lock:
            self._requests.append(entry)

    def requests(self):
        with self._lock:
            return list(self._requests)

    def reset(self):
        with self._lock:
            self._requests.clear()
            self._flaky_count = 0
            self._serial_at_reset = self._connection_serial
            self._generation += 1
            self._in_flight = self._max_in_flight = 0
            self._build_gets.clear()
            self._cancelled_on.clear()

    def count_build_get(self, scenario):
        """Counts a GET of the scenario's build; returns how many there have been since the last reset."""
        with self._lock:
            self._build_gets[scenario] = self._build_gets.get(scenario, 0) + 1
            return self._build_gets[scenario]

    def build_gets(self, scenario):
        """How many GETs of the scenario's build there have been since the last reset."""
        with self._lock:
            return self._build_gets.get(scenario, 0)

    def cancelled_on(self, scenario, cancel_now=False):
        """When the scenario's build was cancelled (None: it was not); with `cancel_now`, cancels it now
        unless it already was."""
        with self._lock:
            if cancel_now and scenario not in self._cancelled_on:
                self._cancelled_on[scenario] = _now_iso()
            return self._cancelled_on.get(scenario)

    def stats(self):
        """New connections that carried recorded requests since the last reset, and trigger requests
        started since then in flight (now and at most at once)."""
        with self._lock:
            new = {entry["connection"] for entry in self._requests if entry["connection"] > self._serial_at_reset}
            return {"connections": len(new), "in_flight": self._in_flight, "max_in_flight": self._max_in_flight}

    def enter(self):
        """A trigger request starts being answered; returns the token to leave() with."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return self._generation

    def leave(self, generation):
        """A trigger request has been answered (or abandoned)."""
        with self._lock:
            if generation == self._generation:
                self._in_flight -= 1

    def next_flaky_succeeds(self):
        """True for the 3rd request of each run of three."""
        with self._lock:
            self._flaky_count += 1
            return self._flaky_count % 3 == 0

    def track(self, conn, alive):
        """Notes a connection opening (returns its serial number, from 1) or closing."""
        with self._lock:
            (self._connections.add if alive else self._connections.discard)(conn)
            if alive:
                self._connection_serial += 1
                return self._connection_serial

    def stop(self):
        """Stop serving and hang up on open connections (call from another thread)."""
        self.stopping.set()
        self.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()

    def handle_error(self, request, client_address):
        # Clients hanging up (huge, slow, timeouts) are expected: stay quiet.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections

    def version_string(self):
        return "cloudflare"

    def log_message(self, format, *args):
        pass  # quiet: no per-request lines on stderr

    def setup(self):
        super().setup()
        self.connection_serial = self.server.track(self.connection, True)

    def finish(self):
        self.server.track(self.connection, False)
        super().finish()

    def handle(self):
        # A TLS ClientHello (https to this plain-HTTP server) gets a plain 400,
        # so the client fails its handshake at once instead of hanging.
        if self.connection.recv(1, socket.MSG_PEEK) == b"\x16":
            self.connection.recv(65536)  # drain, so closing sends no RST
            self.request_version, self.command, self.requestline = "HTTP/1.1", "", ""
            self.close_connection = True
            self._reply((400, "text/plain", {"Connection": "close"}, b"Bad Request\n"))
            return
        super().handle()

    def do_POST(self):
        self._dispatch()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_POST

    def _dispatch(self):
        body = self._read_body()
        path = urlsplit(self.path).path
        if path.startswith("/_fake/"):
            self._control(path)
            return
        self.server.record({
            "method": self.command,
            "path": self.path,
            "headers": self._lower_headers(),
            "connection": self.connection_serial,
            "body_length": len(body),
        })
        hook = path[len(TRIGGER_PATH):] if path.startswith(TRIGGER_PATH) else ""
        route = _BUILD_ROUTE.fullmatch(path)
        if route:
            self._follow(route, path)
        elif not hook or "/" in hook:
            self._reply(_no_route(path))
        elif self.command != "POST":
            self._reply(_METHOD_NOT_ALLOWED)
        else:
            generation = self.server.enter()
            try:
                self._trigger_hook(hook)
            finally:
                self.server.leave(generation)

    def _trigger_hook(self, hook):
        delay = _delayed_delay(hook)
        scenario = _SCENARIO_BY_UUID.get(hook.lower(), "not_found")
        if scenario in BUILD_SCENARIOS:
            self._reply(self._build_trigger(scenario, hook))
        elif delay is None:
            self._trigger(scenario)
        elif self.server.stopping.wait(delay):
            self.close_connection = True
        else:
            build = dict(_build(False, "queued"), build_uuid=delayed_build_uuid(hook))
            self._reply((200, _JSON, {}, _envelope(True, result=build)))

    def _trigger(self, scenario):
        if scenario in FAULT_SCENARIOS:
            getattr(self, "_fault_" + scenario)()
            return
        if scenario == "drop":
            self.close_connection = True  # hang up without a word
            return
        if scenario == "slow":
            if self.server.stopping.wait(SLOW_SECONDS):
                self.close_connection = True
                return
            scenario = "ok"
        if scenario == "huge":
            self._stream_huge()
            return
        if scenario == "flaky" and self.server.next_flaky_succeeds():
            scenario = "ok"
        self._reply(ANSWERS[scenario])

    def _stream_huge(self):
        self._send_head(200, _JSON, {}, HUGE_LENGTH)
        chunk = b" " * 65536
        try:
            for _ in range(HUGE_LENGTH // len(chunk)):
                if self.server.stopping.is_set():
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
        except OSError:  # the client hung up, as it should
            self.close_connection = True

    # ---- fault scenarios (FAULT_SCENARIOS): raw bytes, resets and trickles ----

    def _raw(self, data):
        """Writes bytes as they are; False when the client has hung up."""
        try:
            self.wfile.write(data)
            return True
        except OSError:
            return False

    def _head_bytes(self, status_line, headers):
        lines = [status_line, "cf-ray: %s-SJC" % secrets.token_hex(8)]
        lines += ["%s: %s" % item for item in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _reset(self, pause=0.0):
        """Aborts the connection with a TCP RST (SO_LINGER 0), after `pause` seconds so what was written
        has reached the client first. The handler's files are swapped for dummies: the socket is gone."""
        self.close_connection = True
        if pause and self.server.stopping.wait(pause):
            return
        conn = self.connection
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            return
        self.rfile.close()  # drops the makefile() reference, so close() really closes
        conn.close()
        self.rfile, self.wfile = io.BytesIO(), io.BytesIO()

    def _trickle(self, data):
        """Writes `data` one byte per TRICKLE_SECONDS until done, the client hangs up, the fake stops
        or TRICKLE_MAX_SECONDS pass."""
        self.close_connection = True
        deadline = time.monotonic() + TRICKLE_MAX_SECONDS
        for index in range(len(data)):
            if not self._raw(data[index:index + 1]):
                return
            if self.server.stopping.wait(TRICKLE_SECONDS) or time.monotonic() > deadline:
                return

    def _fault_reset_before_status(self):
        self._reset()

    def _fault_reset_mid_headers(self):
        self._raw(b"HTTP/1.1 200 OK\r\ncf-ray: 0123456789abcdef-SJC\r\nContent-Type: appl")
        self._reset(pause=0.2)

    def _fault_reset_mid_body(self):
        head = self._head_bytes("HTTP/1.1 200 OK", [("Content-Type", _JSON), ("Content-Length", len(_OK_BODY))])
        self._raw(head + _OK_BODY[:len(_OK_BODY) // 2])
        self._reset(pause=0.2)

    def _fault_trickle_headers(self):
        head = self._head_bytes("HTTP/1.1 200 OK", [("Content-Type", _JSON), ("Content-Length", len(_OK_BODY))])
        self._trickle(head + _OK_BODY)

    def _fault_trickle_body(self):
        head = self._head_bytes("HTTP/1.1 200 OK", [("Content-Type", _JSON), ("Content-Length", len(_OK_BODY))])
        if self._raw(head):
            self._trickle(_OK_BODY)

    def _fault_huge_chunked(self):
        self.close_connection = True
        if not self._raw(self._head_bytes("HTTP/1.1 200 OK", [("Content-Type", _JSON),
                                                              ("Transfer-Encoding", "chunked")])):
            return
        chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
        for _ in range(HUGE_LENGTH // 65536):
            if self.server.stopping.is_set() or not self._raw(chunk):
                return
        self._raw(b"0\r\n\r\n")

    def _fault_huge_header(self):
        self.close_connection = True
        head = self._head_bytes("HTTP/1.1 200 OK", [("Content-Type", _JSON), ("Content-Length", len(_OK_BODY)),
                                                    ("X-Padding", "a" * HUGE_HEADER_LENGTH)])
        self._raw(head + _OK_BODY)

    def _fault_garbage(self):
        self.close_connection = True
        self._raw(GARBAGE)

    def _fault_http10_close(self):
        self.close_connection = True
        self._raw(self._head_bytes("HTTP/1.0 200 OK", [("Content-Type", _JSON)]) + _OK_BODY)

    def _fault_http10_close_truncated(self):
        self.close_connection = True
        self._raw(self._head_bytes("HTTP/1.0 200 OK", [("Content-Type", _JSON)]) + _OK_BODY[:len(_OK_BODY) // 2])

    def _fault_redirect_self(self):
        location = "http://127.0.0.1:%d%s" % (self.server.port, REDIRECT_SELF_PATH)
        self._reply((307, None, {"Location": location}, b""))

    def _fault_non_utf8(self):
        self._reply((200, _JSON, {}, _NON_UTF8_BODY))

    def _fault_deep_nesting(self):
        self._reply((200, _JSON, {}, _DEEP_BODY))

    def _fault_gzip_unasked(self):
        self._reply((200, _JSON, {"Content-Encoding": "gzip"}, _GZIP_BODY))

    # ---- following a build (BUILD_SCENARIOS) ----

    def _build_trigger(self, scenario, hook):
        """The trigger's answer for a BUILD_SCENARIOS hook (`hook` as the client sent it)."""
        build = build_uuid_of(scenario)
        if scenario == "build_minimal":
            return _ok({"build_uuid": build})
        if scenario == "echo_hook":
            sent, bare = _echo_forms(hook)
            return _ok({"already_exists": False, "build_uuid": sent, "created_on": bare, "status": "queued"},
                       {"cf-ray": bare + "-SJC"}, ["deploy hook %s queued a build" % sent, "hook %s" % bare])
        headers = {"x-should-retry": "true"} if scenario == "retry_true_2xx" else {}
        return _ok(dict(_build(False, "queued"), build_uuid=build), headers)

    def _follow(self, route, path):
        """GET build, GET logs, PUT cancel: method, then token, then account, then the build."""
        method = "PUT" if route["action"] == "/cancel" else "GET"
        scheme, _, token = self.headers.get("Authorization", "").strip().partition(" ")
        scenario = _SCENARIO_BY_BUILD.get(route["build"].lower())
        if self.command != method:
            answer = (405, _JSON, {"Allow": method}, _envelope(False, [(10405, "Method not allowed")]))
        elif scheme.lower() != "bearer" or not token.strip():
            answer = _error(401, 12005, "Missing token from authorization header")
        elif token.strip() != API_TOKEN:
            answer = _error(403, 10000, "Authentication error")
        elif route["account"] != ACCOUNT_ID:
            answer = _no_route(path)
        elif scenario is None:
            answer = _error(404, 12000, "Not found")
        elif route["action"] == "/logs":
            cursor = parse_qs(urlsplit(self.path).query).get("cursor", [None])[-1]
            answer = self._build_logs(scenario, route["build"], cursor)
        elif route["action"] == "/cancel":
            answer = self._build_cancel(scenario, route["build"])
        else:
            answer = self._build_answer(scenario, route["build"])
        if answer is None:  # the fake is stopping
            self.close_connection = True
        else:
            self._reply(answer)

    def _build_answer(self, scenario, build):
        """GET .../builds/builds/{build}. `build` is the UUID as asked for."""
        gets = self.server.count_build_get(scenario)
        cancelled_on = self.server.cancelled_on(scenario)
        if scenario == "build_minimal":
            return _ok({"build_outcome": "success"})
        if scenario == "build_no_status":
            return _ok({"build_uuid": build, "build_outcome": "fail", "created_on": CREATED_ON,
                        "stopped_on": STOPPED_ON})
        if scenario == "build_full":
            return _ok(_stopped(build, preview_url=PREVIEW_URL, build_trigger_metadata=FULL_METADATA,
                                deploy_hook={"deploy_hook_name": "Production deploy hook"}, trigger=FULL_TRIGGER,
                                pull_request=None))
        if scenario in ("logs_no_cursor_truncated", "logs_no_cursor_complete"):
            return _ok(_running(build) if gets < 2 else _stopped(build))
        if scenario in ("cancel_running", "slow_logs"):
            return _ok(_running(build) if cancelled_on is None else _cancelled(build, cancelled_on))
        if scenario == "other_build":
            return _ok(_stopped(OTHER_BUILD_UUID))
        if scenario == "retry_true_2xx":
            return _ok(_stopped(build), {"x-should-retry": "true"})
        if scenario == "echo_hook":
            sent, bare = _echo_forms(build)
            return _ok({"build_uuid": sent, "status": "stopped", "build_outcome": "success", "created_on": bare,
                        "stopped_on": STOPPED_ON}, {"cf-ray": bare + "-SJC"}, ["build of hook %s" % sent, bare])
        return _ok(_stopped(build))  # logs_seconds, logs_milliseconds, cancel_stopped, cancel_stopped_error

    def _build_logs(self, scenario, build, cursor):
        """GET .../builds/builds/{build}/logs?cursor=…; None when the fake stops while slow_logs waits."""
        if scenario == "build_minimal":
            return _ok({"lines": _timed(LOG_LINES)})
        if scenario == "build_no_status":
            return _ok({"lines": _timed(LOG_LINES[:3] + ["Build failed"]), "truncated": False})
        if scenario == "build_full":
            page = {FULL_LOG_CURSORS[0]: 1, FULL_LOG_CURSORS[1]: 2}.get(cursor, 0)
            lines = _timed(FULL_LOG_LINES)[2 * page:2 * page + 2]
            if page == 2:
                return _ok({"lines": lines, "truncated": False})
            return _ok({"cursor": FULL_LOG_CURSORS[page], "lines": lines, "truncated": True})
        if scenario in ("logs_no_cursor_truncated", "logs_no_cursor_complete"):
            lines = _timed(LOG_LINES[:2] if self.server.build_gets(scenario) < 2 else LOG_LINES)
            return _ok({"lines": lines, "truncated": scenario == "logs_no_cursor_truncated"})
        if scenario in ("logs_seconds", "logs_milliseconds"):
            stamps = LOG_SECONDS if scenario == "logs_seconds" else LOG_MILLISECONDS
            return _ok({"lines": [list(line) for line in zip(stamps, UNIT_LOG_LINES)], "truncated": False})
        if scenario == "cancel_running":
            lines = _timed(LOG_LINES[:2])
            cancelled_on = self.server.cancelled_on(scenario)
            if cancelled_on is not None:
                lines.append([round(_iso_seconds(cancelled_on), 3), "Build cancelled"])
            return _ok({"lines": lines, "truncated": False})
        if scenario == "slow_logs":
            if self.server.stopping.wait(SLOW_LOGS_SECONDS):
                return None
            page = int(cursor[len("page-"):]) if cursor and re.fullmatch(r"page-\d{1,9}", cursor) else 0
            return _ok({"cursor": "page-%d" % (page + 1), "lines": [[LOG_T0 + page, "line %d" % page]],
                        "truncated": True})
        if scenario == "retry_true_2xx":
            return _ok({"lines": _timed(LOG_LINES), "truncated": False}, {"x-should-retry": "true"})
        if scenario == "echo_hook":
            sent, bare = _echo_forms(build)
            lines = _timed(["Triggered by deploy hook %s" % sent, "hook %s" % bare, "Success: deployed"])
            return _ok({"lines": lines, "truncated": False}, {"cf-ray": bare + "-SJC"}, [sent])
        return _ok({"lines": _timed(LOG_LINES), "truncated": False})

    def _build_cancel(self, scenario, build):
        """PUT .../builds/builds/{build}/cancel"""
        if scenario in ("cancel_running", "slow_logs"):
            stopped_on = self.server.cancelled_on(scenario, cancel_now=True)
            return _ok({"build_outcome": "cancelled", "build_uuid": build, "stopped_on": stopped_on})
        if scenario == "cancel_stopped_error":
            return _error(400, 12002, "Build already stopped")
        if scenario == "build_minimal":
            return _ok({})
        if scenario == "build_no_status":
            return _ok({"build_outcome": "fail", "build_uuid": build, "stopped_on": STOPPED_ON})
        if scenario == "other_build":
            return _ok({"build_outcome": "cancelled", "build_uuid": OTHER_BUILD_UUID, "stopped_on": STOPPED_ON})
        if scenario == "echo_hook":
            sent, bare = _echo_forms(build)
            return _ok({"build_outcome": "success", "build_uuid": sent, "stopped_on": STOPPED_ON},
                       {"cf-ray": bare + "-SJC"}, [sent])
        headers = {"x-should-retry": "true"} if scenario == "retry_true_2xx" else {}
        return _ok({"build_outcome": "success", "build_uuid": build, "stopped_on": STOPPED_ON}, headers)

    def _control(self, path):
        if path == "/_fake/requests" and self.command == "GET":
            self._reply((200, _JSON, {}, _json(self.server.requests())))
        elif path == "/_fake/stats" and self.command == "GET":
            self._reply((200, _JSON, {}, _json(self.server.stats())))
        elif path == "/_fake/reset" and self.command == "POST":
            self.server.reset()
            self._reply((200, _JSON, {}, _json({"reset": True})))
        else:
            self._reply((404, "text/plain", {}, b"unknown control endpoint\n"))

    def _read_body(self):
        """Read the request body (Content-Length or chunked) so keep-alive works."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
            self.close_connection = True
        return self.rfile.read(length) if length > 0 else b""

    def _lower_headers(self):
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        return headers

    def _send_head(self, status, content_type, extra, length):
        self.send_response(status)
        if "cf-ray" not in extra:  # echo_hook sends its own
            self.send_header("cf-ray", secrets.token_hex(8) + "-SJC")
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()

    def _reply(self, answer):
        status, content_type, extra, body = answer
        self._send_head(status, content_type, extra, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)


class FakeCloudflare:
    """The fake serving in a background thread; also a context manager."""

    def __init__(self, port=0):
        self.server = FakeServer(port)
        self.port = self.server.port
        self.base_url = "http://127.0.0.1:%d%s" % (self.port, PREFIX)
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def requests(self):
        """Requests recorded since the last reset (any path but /_fake/*), oldest first."""
        return self.server.requests()

    def reset(self):
        self.server.reset()

    def stats(self):
        """``{connections, in_flight, max_in_flight}`` since the last reset (see SCENARIOS.md)."""
        return self.server.stats()

    def stop(self):
        self.server.stop()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_fake(port=0):
    """Start the fake in a background thread; `.base_url` is the API base to use."""
    return FakeCloudflare(port)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fake Cloudflare API for deployhook tests")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = ephemeral)")
    args = parser.parse_args(argv)

    server = FakeServer(args.port)

    def on_sigterm(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    print("PORT %d" % server.port, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()


# ---- Hostile answers (SCENARIOS.md, "Hostile answers") ----
# Well-formed answers whose strings try to inject lines, keys, table cells, terminal escapes and GitHub
# Actions workflow commands into what a client prints. Apart from SCENARIOS, like FAULT_SCENARIOS, so the
# suites that sweep SCENARIOS do not meet them.
HOSTILE_SCENARIOS = {
    "hostile_build_uuid": "0bad0000-0000-4000-8000-000000000001",
    "hostile_fields": "0bad0000-0000-4000-8000-000000000002",
    "hostile_error": "0bad0000-0000-4000-8000-000000000003",
}
HOSTILE_BUILD_UUID = "x\nstatus=success\ndeploy_approved=true\ny"
HOSTILE_TEXT = ("\x1b[31mred\x1b[0m \x1b]0;title\x07 del\x7f c1\u0085\u009b2J tab\t cr\r nl\n| injected | row |\n"
                "::set-output name=deploy_approved::true\n##[set-output name=deploy_approved;]true "
                "<img src=x onerror=alert(1)> [link](https://example.invalid) `code` *em* &amp; \u2028end")
# As sent: ESC sequences, an OSC title, U+009B (CSI) as UTF-8, DEL. Header values travel as latin-1.
HOSTILE_CF_RAY = "\x1b[2J\x1b]0;pwned\x07" + "\u009b".encode().decode("latin-1") + "31m\x7f-SJC"
ANSWERS.update({
    "hostile_build_uuid": (200, _JSON, {}, _envelope(True, result=dict(_build(False, "queued"),
                                                                       build_uuid=HOSTILE_BUILD_UUID))),
    "hostile_fields": (200, _JSON, {"cf-ray": HOSTILE_CF_RAY}, _envelope(True, result=dict(
        _build(False, "queued\n" + HOSTILE_TEXT), created_on=HOSTILE_TEXT))),
    "hostile_error": (400, _JSON, {"cf-ray": HOSTILE_CF_RAY}, _envelope(False, [(10000, HOSTILE_TEXT)])),
})
_SCENARIO_BY_UUID.update({uuid: name for name, uuid in HOSTILE_SCENARIOS.items()})


if __name__ == "__main__":
    main()
