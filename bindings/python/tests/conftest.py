"""Fixtures: the shared fake Cloudflare API (Tests/fake_api), run in its own process, and the test CA.

A separate process keeps the fake's threads off this interpreter's GIL and out of its memory,
so the GIL and RSS tests measure the binding alone.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from pki import PKI, openssl_missing
from support import FAKE_SCRIPT, FakeAPI


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeAPI]:
    """The fake API, started once per session on an ephemeral loopback port."""
    process = subprocess.Popen([sys.executable, str(FAKE_SCRIPT), "--port", "0"], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    first_line = process.stdout.readline().split()
    assert first_line[:1] == ["PORT"], f"the fake did not start: {first_line!r}"
    yield FakeAPI(process, int(first_line[1]))
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def fake(fake_server: FakeAPI) -> FakeAPI:
    """The fake, with its recorded requests and flaky counter reset."""
    fake_server.reset()
    return fake_server


@pytest.fixture(autouse=True)
def _no_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without CLOUDFLARE_BASE_URL; the ones about it set it themselves."""
    monkeypatch.delenv("CLOUDFLARE_BASE_URL", raising=False)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    """The test CA; tests that need one are skipped, with the reason, when openssl is missing."""
    reason = openssl_missing()
    if reason is not None:
        pytest.skip(reason)
    return PKI(tmp_path_factory.mktemp("pki"))
