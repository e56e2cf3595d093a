"""The HTTPS stand-in for the manylinux wheel test: makes a throw-away CA and a server certificate it signed
(for 127.0.0.1), serves the ok trigger answer over TLS on 127.0.0.1, and prints ``PORT n`` once listening.
Serves until killed. Reuses bindings/python/tests' tls_fake (which uses the openssl command).

Usage: tls_server.py CERT_DIR   (the CA lands in CERT_DIR/ca.pem)
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python" / "tests"))

from tls_fake import TLSFake, make_certificates  # noqa: E402


def main() -> None:
    """Makes the certificates, serves, prints the port, waits forever."""
    directory = Path(sys.argv[1])
    directory.mkdir(parents=True, exist_ok=True)
    _, cert, key = make_certificates(directory)
    with TLSFake(cert, key) as fake:
        print(f"PORT {fake.port}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
