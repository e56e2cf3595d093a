"""Duplicate JSON keys (issue 11, item 18): the library takes the first value of a repeated key, and so does
Build.raw, so that the typed fields and the raw envelope never disagree."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import deployhook
from deployhook import BuildStatus

HOOK = "d0b1e000-0000-4000-8000-000000000001"
FIRST_UUID = "f1257000-0000-4000-8000-000000000001"
LATER_UUID = "1a7e2000-0000-4000-8000-000000000002"
BODY = ('{"success":true,"errors":[],"messages":[],'
        '"result":{"build_uuid":"' + FIRST_UUID + '","status":"queued","already_exists":false,'
        '"created_on":"2019-12-27T18:11:19.117Z","nested":{"a":1,"a":2},'
        '"build_uuid":"' + LATER_UUID + '","status":"running","already_exists":true},'
        '"result":{"build_uuid":"' + LATER_UUID + '"},"success":false}').encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/client/v4"
    server.shutdown()
    server.server_close()


def test_the_first_value_of_a_repeated_key_wins_everywhere(base_url: str) -> None:
    build = deployhook.Client(base_url=base_url, max_retries=0).trigger(HOOK)
    assert build.build_uuid == FIRST_UUID and build.status is BuildStatus.QUEUED  # the library's reading
    assert build.already_exists is False
    assert build.raw["success"] is True
    assert build.raw["result"]["build_uuid"] == build.build_uuid  # Build.raw agrees
    assert build.raw["result"]["status"] == "queued" and build.raw["result"]["already_exists"] is False
    assert build.raw["result"]["nested"] == {"a": 1}
