"""Helpers shared by the tests: the fake API's scenarios and a client for its control endpoints."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
FAKE_SCRIPT = REPO / "Tests" / "fake_api" / "fake_cloudflare.py"


def _load_fake_module() -> Any:
    """The fake's module, for its constants (scenario UUIDs, expected values)."""
    spec = importlib.util.spec_from_file_location("fake_cloudflare", FAKE_SCRIPT)
    assert spec is not None and spec.loader is not None, f"cannot load {FAKE_SCRIPT}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_cloudflare = _load_fake_module()
HOOKS: dict[str, str] = dict(fake_cloudflare.SCENARIOS, unknown=fake_cloudflare.UNKNOWN_UUID)
"""Scenario name -> hook UUID (see Tests/fake_api/SCENARIOS.md); "unknown" is answered 404."""


class FakeAPI:
    """A running fake: its API base, and its control endpoints."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/client/v4"

    def requests(self) -> list[dict[str, Any]]:
        """The trigger requests received since the last reset, oldest first."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_fake/requests", timeout=10) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def stats(self) -> dict[str, int]:
        """``{connections, in_flight, max_in_flight}`` since the last reset (Tests/fake_api/SCENARIOS.md)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_fake/stats", timeout=10) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def reset(self) -> None:
        """Forgets recorded requests, the flaky counter and the statistics."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/_fake/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


def closed_port() -> int:
    """A loopback TCP port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # type: ignore[no-any-return]


def spin_python(seconds: float) -> tuple[int, float]:
    """Runs a Python loop for `seconds`; returns how many turns it made and its longest pause (seconds).
    While another thread waits inside the C library, a released GIL shows as many turns and no long pause."""
    started = last = time.monotonic()
    iterations, longest_pause = 0, 0.0
    while (now := time.monotonic()) - started < seconds:
        longest_pause = max(longest_pause, now - last)
        last = now
        iterations += 1
    return iterations, longest_pause


def rss_kib() -> int:
    """This process's resident set size in KiB (Linux: /proc/self/status)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


class StallingServer:
    """A TCP server on 127.0.0.1 that reads requests and never answers: a server too slow for any call to end
    by itself (the fake has no slow cancel). Records each connection's first bytes and counts the connections
    the client has closed. A context manager; leaving it closes everything."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/client/v4"
        self.received: list[bytes] = []
        self.closed_by_client = 0
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            first = connection.recv(65536)
            with self._lock:
                self.received.append(first)
            while connection.recv(65536):  # until the client hangs up
                pass
        except OSError:
            return
        with self._lock:
            self.closed_by_client += 1

    def __enter__(self) -> StallingServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()


def in_threads(*calls: Callable[[], object]) -> list[object]:
    """Runs the calls at once, one thread each; returns what each returned or raised, in order (each
    thread must end within 60 s)."""
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
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
