"""A small forward proxy on 127.0.0.1 that records what it sees: CONNECT tunnels and absolute-URI requests.

Each connection gets a thread. ``CONNECT host:port`` is recorded, answered 200 and then relayed byte for byte
both ways (the proxy sees only the encrypted stream). Any other request (plain http through a proxy:
``POST http://host:port/path HTTP/1.1``) is recorded with its request line and headers, sent on to the
origin in origin form, and the rest relayed both ways. Only 127.0.0.1 and localhost (taken as 127.0.0.1)
are ever connected to: any other target is refused with 403, so nothing leaves the machine.
``refuse=407`` (or another status) answers every request with that status instead.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_LOCAL_NAMES = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}
_REASONS = {403: "Forbidden", 407: "Proxy Authentication Required", 502: "Bad Gateway"}


@dataclass
class Seen:
    """One request the proxy received: ``method`` (CONNECT, POST...), ``target`` as sent (``host:port`` for
    CONNECT, the absolute URI otherwise) and its ``headers`` (names in lower case)."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)


class ConnectProxy:
    """The proxy, serving in background threads from construction until ``close()``; a context manager."""

    def __init__(self, refuse: int | None = None) -> None:
        self.refuse = refuse
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._seen: list[Seen] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def seen(self) -> list[Seen]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._seen)

    def close(self) -> None:
        self._closed = True
        self.listener.close()

    def __enter__(self) -> ConnectProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(10)
            head, rest = _read_head(client)
            if head is None:
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            with self._lock:
                self._seen.append(Seen(method, target, headers))
            if self.refuse is not None:
                _answer(client, self.refuse)
                return
            if method == "CONNECT":
                host, _, port = target.rpartition(":")
                address = _LOCAL_NAMES.get(host.strip("[]"))
                if address is None or not port.isdigit():
                    _answer(client, 403)
                    return
                upstream = socket.create_connection((address, int(port)), timeout=10)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
            else:
                url = urlsplit(target)
                address = _LOCAL_NAMES.get(url.hostname or "")
                if url.scheme != "http" or address is None:
                    _answer(client, 403)
                    return
                upstream = socket.create_connection((address, url.port or 80), timeout=10)
                origin_form = url.path + (f"?{url.query}" if url.query else "")
                kept = [line for line in lines[1:] if not line.lower().startswith("proxy-")]
                upstream.sendall("\r\n".join([f"{method} {origin_form} {version}", *kept, "", ""]).encode("latin-1")
                                 + rest)
            _relay(client, upstream)
        except OSError:
            pass
        finally:
            client.close()
            if upstream is not None:
                upstream.close()


def _read_head(connection: socket.socket) -> tuple[bytes | None, bytes]:
    """Reads up to the blank line ending a request head: (head without it, bytes already read past it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk or len(data) > 65536:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _answer(connection: socket.socket, status: int) -> None:
    reason = _REASONS.get(status, "Refused")
    extra = "Proxy-Authenticate: Basic realm=\"test\"\r\n" if status == 407 else ""
    connection.sendall(f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
                       .encode("ascii"))


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Copies bytes both ways until either side closes."""
    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    other = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    other.start()
    pump(client, upstream)
    other.join(timeout=10)
