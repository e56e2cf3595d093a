"""A stand-in for the trigger endpoint on 127.0.0.1, over HTTPS (with a given certificate) or plain HTTP.

Unlike tls_fake.TLSFake, the TLS handshake runs on each connection's own thread (a client that stalls
blocks nobody) and its failures are recorded, so a test can tell that the client aborted the handshake
(and so never sent the request line, which holds the hook) rather than that nothing connected at all.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BUILD_UUID = "7d101e68-c544-41ce-9b19-662ebf464d4c"
CREATED_ON = "2024-05-06T07:08:09.123Z"
CF_RAY = "8f00c0ffee000001-LHR"
OK_BODY = json.dumps({
    "success": True, "errors": [], "messages": [],
    "result": {"already_exists": False, "build_uuid": BUILD_UUID, "created_on": CREATED_ON, "status": "queued"},
}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError) as error:  # the client refused the certificate, or hung up
                with self.server.lock:
                    self.server.handshake_failures.append(str(error))
                raise
        super().setup()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.requests.append({"method": self.command, "path": self.path,
                                         "host": self.headers.get("Host")})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(OK_BODY)))
        self.send_header("cf-ray", CF_RAY)
        if not self.server.keep_alive:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(OK_BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    context: ssl.SSLContext | None
    keep_alive = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.handshake_failures: list[str] = []
        self.connections = 0
        self.finished = 0

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = self.socket.accept()
        with self.lock:
            self.connections += 1
        if self.context is not None:  # the handshake happens later, on the connection's thread
            connection = self.context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self.lock:
            self.finished += 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a refused handshake is recorded in handshake_failures; nothing to print


class TriggerFake:
    """Answers every POST like the trigger endpoint (a queued build) and records it; a context manager.

    With ``cert`` and ``key`` it speaks HTTPS, else plain HTTP. ``base_url(host)`` is the API base to use.
    With ``keep_alive=False`` it closes each connection after its answer, so every trigger connects anew.
    """

    def __init__(self, cert: Path | None = None, key: Path | None = None, keep_alive: bool = True) -> None:
        self.server = _Server()
        self.server.context = None
        self.server.keep_alive = keep_alive
        if cert is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.context = context
        self.scheme = "https" if cert is not None else "http"
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def base_url(self, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}/client/v4"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The requests answered so far: method, path and Host header."""
        with self.server.lock:
            return list(self.server.requests)

    @property
    def handshake_failures(self) -> list[str]:
        """The server side's view of each failed TLS handshake (e.g. the client's "unknown ca" alert)."""
        with self.server.lock:
            return list(self.server.handshake_failures)

    @property
    def connections(self) -> int:
        """How many TCP connections were accepted so far."""
        with self.server.lock:
            return self.server.connections

    def settle(self, seconds: float = 5) -> None:
        """Waits (at most ``seconds``) until every accepted connection has been closed and recorded: a client
        may report a refused handshake before the server has read its alert."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.server.lock:
                if self.server.finished >= self.server.connections:
                    return
            time.sleep(0.01)

    def __enter__(self) -> TriggerFake:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
