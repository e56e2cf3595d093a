"""An HTTPS stand-in for Cloudflare's API, with a throw-away CA made by the openssl command.

Used by the TLS tests (certificate rejected, then trusted through ``ca_file``) and, run as a script
inside a private network namespace where /etc/hosts points api.cloudflare.com at 127.0.0.1, by the
test of the default API base: nothing leaves the machine, yet the library's real default is used.

Script mode: ``python3 tls_fake.py CERT_DIR HOOK`` serves on 127.0.0.1:443, triggers HOOK with a
``Client(ca_file=...)`` that sets no base URL, and prints ``{"build_uuid": ..., "requests": [...]}``.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

OK_BODY = json.dumps({
    "success": True, "errors": [], "messages": [],
    "result": {"already_exists": False, "build_uuid": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
               "created_on": "2019-12-27T18:11:19.117Z", "status": "queued"},
}).encode()


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """Creates a CA and a server certificate for api.cloudflare.com and 127.0.0.1; returns (ca, cert, key)."""
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, request = directory / "server.pem", directory / "server.key", directory / "server.csr"
    extensions = directory / "server.ext"
    extensions.write_text("subjectAltName=DNS:api.cloudflare.com,IP:127.0.0.1\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    commands = [
        ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=deployhook test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
        ["openssl", "req", *ec, "-keyout", key, "-out", request, "-subj", "/CN=api.cloudflare.com"],
        ["openssl", "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "2", "-extfile", extensions],
    ]
    for command in commands:
        subprocess.run([str(part) for part in command], check=True, capture_output=True)
    return ca, cert, key


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"path": self.path, "host": self.headers.get("Host")})  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(OK_BODY)))
        self.send_header("cf-ray", "0123456789abcdef-SJC")
        self.end_headers()
        self.wfile.write(OK_BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class TLSFake:
    """Serves the ok answer over HTTPS on 127.0.0.1 in a background thread; a context manager."""

    def __init__(self, cert: Path, key: Path, port: int = 0) -> None:
        self.server = HTTPServer(("127.0.0.1", port), _Handler)
        self.server.requests = []  # type: ignore[attr-defined]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The requests answered so far: their path and Host header."""
        return self.server.requests  # type: ignore[attr-defined,no-any-return]

    def __enter__(self) -> TLSFake:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _probe_default_base(cert_dir: Path, hook: str) -> None:
    """Script mode: serve as api.cloudflare.com:443 and trigger with no base URL set anywhere."""
    import deployhook

    with TLSFake(cert_dir / "server.pem", cert_dir / "server.key", port=443) as fake:
        build = deployhook.Client(ca_file=str(cert_dir / "ca.pem"), max_retries=0, timeout=10).trigger(hook)
        print(json.dumps({"build_uuid": build.build_uuid, "requests": fake.requests}))


if __name__ == "__main__":
    _probe_default_base(Path(sys.argv[1]), sys.argv[2])
