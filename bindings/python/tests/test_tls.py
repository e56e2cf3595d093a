"""TLS: certificate verification against an HTTPS stand-in on 127.0.0.1, with a CA made at test time.

Verification can never be turned off: a certificate is accepted only when it chains to the system's CAs or
to ``ca_file``, is within its validity period and names the host connected to. On any failure the hook
was never sent (the stand-in received no request) and no message holds it.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pki import PKI, Certificate
from support import REPO
from trigger_fake import BUILD_UUID, CF_RAY, TriggerFake

import deployhook
from deployhook import BuildStatus, DeployHookError, ErrorCode, InvalidOptionError, TLSError
from deployhook._library import library_path

HOOK = "5ec7e700-1234-4abc-9def-0123456789ab"
HEADER = REPO / "include" / "deployhook.h"


def assert_no_hook(error: BaseException) -> None:
    """Neither the message, the repr nor the arguments of ``error`` hold the hook, in any spelling."""
    for text in (str(error), repr(error), *map(str, error.args)):
        lowered = text.lower()
        for form in (HOOK, HOOK.replace("-", ""), HOOK.split("-")[-1]):
            assert form not in lowered, f"the hook leaked: {text!r}"


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set for the machine running the tests must not carry these loopback connections."""
    for name in list(os.environ):
        if "proxy" in name.lower():
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def good(pki: PKI) -> Certificate:
    return pki.issue("localhost", "DNS:localhost,IP:127.0.0.1")


@pytest.fixture
def server(good: Certificate) -> Iterator[TriggerFake]:
    with TriggerFake(good.cert, good.key) as fake:
        yield fake


def refused(fake: TriggerFake, host: str = "127.0.0.1", **options: object) -> DeployHookError:
    """Triggers ``fake`` expecting a TLSError; checks that nothing was sent and no message holds the hook."""
    options.setdefault("max_retries", 0)
    with pytest.raises(TLSError) as caught:
        deployhook.Client(base_url=fake.base_url(host), timeout=10, **options).trigger(HOOK)  # type: ignore[arg-type]
    error = caught.value
    assert error.code is ErrorCode.TLS and isinstance(error, DeployHookError)
    assert error.http_status is None and error.api_code is None and error.cf_ray is None
    assert_no_hook(error)
    fake.settle()
    assert fake.requests == [], "the request (and with it the hook) went over an unverified connection"
    return error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_ca_file_trusts_the_test_ca(pki: PKI, server: TriggerFake, host: str) -> None:
    build = deployhook.Client(base_url=server.base_url(host), ca_file=pki.ca, max_retries=0, timeout=10).trigger(HOOK)
    assert build.build_uuid == BUILD_UUID
    assert build.status is BuildStatus.QUEUED
    assert build.already_exists is False
    assert build.created_on == datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    assert build.cf_ray == CF_RAY
    assert HOOK not in repr(build)
    assert server.requests == [{"method": "POST", "path": "/client/v4/workers/builds/deploy_hooks/" + HOOK,
                                "host": f"{host}:{server.port}"}]


def test_ca_file_as_str_path(pki: PKI, server: TriggerFake) -> None:
    client = deployhook.Client(base_url=server.base_url(), ca_file=str(pki.ca), max_retries=0, timeout=10)
    assert client.trigger(HOOK).build_uuid == BUILD_UUID


def test_default_trust_refuses_the_test_ca(server: TriggerFake) -> None:
    """Without ca_file only the system's CAs count, and the test CA is not among them."""
    error = refused(server)
    assert server.handshake_failures and "unknown ca" in server.handshake_failures[0].lower()
    assert "certificate" in str(error).lower()


def test_a_different_ca_is_not_trusted(tmp_path: Path, server: TriggerFake) -> None:
    stranger = PKI(tmp_path / "other-ca", name="some other CA")
    refused(server, ca_file=stranger.ca)
    assert server.handshake_failures and "unknown ca" in server.handshake_failures[0].lower()


def test_tls_failures_are_not_retried(server: TriggerFake) -> None:
    started = time.monotonic()
    refused(server, max_retries=2)
    assert server.connections == 1
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("alt_names", "host"), [
    ("DNS:other.test", "127.0.0.1"),
    ("DNS:other.test", "localhost"),
    ("DNS:localhost", "127.0.0.1"),   # a name does not cover the address it resolves to
    ("IP:127.0.0.1", "localhost"),    # nor an address the name
], ids=["other.test@127.0.0.1", "other.test@localhost", "name-only@127.0.0.1", "address-only@localhost"])
def test_certificate_for_another_host_is_refused(pki: PKI, alt_names: str, host: str) -> None:
    certificate = pki.issue(alt_names.split(":")[1], alt_names)
    with TriggerFake(certificate.cert, certificate.key) as fake:
        error = refused(fake, host, ca_file=pki.ca)
    assert "host" in str(error).lower() or "name" in str(error).lower()


@pytest.mark.parametrize("period", ["expired", "not yet valid"])
def test_certificate_outside_its_validity_is_refused(pki: PKI, period: str) -> None:
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=3) if period == "expired" else now + timedelta(days=2)
    certificate = pki.issue("localhost", "DNS:localhost,IP:127.0.0.1", not_before=start,
                            not_after=start + timedelta(days=1))
    with TriggerFake(certificate.cert, certificate.key) as fake:
        error = refused(fake, ca_file=pki.ca)
    assert period in str(error).lower() or "expired" in str(error).lower() or "valid" in str(error).lower()


def _not_pem(pki: PKI, tmp_path: Path, kind: str) -> Path:
    if kind == "der":
        return pki.der_ca()  # the right CA, in the wrong encoding
    path = tmp_path / f"{kind}.pem"
    path.write_bytes({"empty": b"", "text": b"not a certificate\n",
                      "key": pki.ca_key.read_bytes(),  # PEM, but no certificate in it
                      "truncated": pki.ca.read_bytes()[:200]}[kind])
    return path


@pytest.mark.parametrize("kind", ["der", "empty", "text", "key"])
def test_ca_file_without_a_pem_certificate_is_refused_when_set(pki: PKI, tmp_path: Path, kind: str) -> None:
    """A file with no ``-----BEGIN CERTIFICATE-----`` block is an invalid option: nothing is ever sent."""
    path = _not_pem(pki, tmp_path, kind)
    with pytest.raises(deployhook.InvalidOptionError):
        deployhook.Client(ca_file=path)


def test_truncated_pem_ca_file_fails_at_connect_time_as_tls(pki: PKI, server: TriggerFake, tmp_path: Path) -> None:
    """A PEM block that is cut short passes the check at set time; libcurl cannot load it at connect time,
    and the trigger fails as a TLS error (CURLE_SSL_CACERT_BADFILE): not retried, and nothing sent."""
    path = _not_pem(pki, tmp_path, "truncated")
    deployhook.Client(ca_file=path).close()
    error = refused(server, ca_file=path)
    assert "ca" in str(error).lower() or str(path) in str(error)


def test_ca_file_is_checked_for_readability_when_set_and_read_at_connect_time(
        pki: PKI, good: Certificate, tmp_path: Path) -> None:
    copy = tmp_path / "ca.pem"
    shutil.copy(pki.ca, copy)
    # The server closes each connection, so every trigger connects (and verifies) anew: a connection
    # already verified would be reused without reading the file again.
    with TriggerFake(good.cert, good.key, keep_alive=False) as server:
        _check_ca_file_read_at_connect_time(server, copy, pki)
    with pytest.raises(InvalidOptionError, match="ca_file"):
        deployhook.Client(ca_file=tmp_path)  # a directory is not a readable file
    with pytest.raises(InvalidOptionError, match="ca_file"):
        deployhook.Client(ca_file=tmp_path / "missing.pem")


def _check_ca_file_read_at_connect_time(server: TriggerFake, copy: Path, pki: PKI) -> None:
    client = deployhook.Client(base_url=server.base_url(), ca_file=copy, max_retries=0, timeout=10)
    assert client.trigger(HOOK).build_uuid == BUILD_UUID
    copy.unlink()  # gone after it was set: the next trigger cannot verify, and says so as a TLS error
    with pytest.raises(TLSError) as caught:
        client.trigger(HOOK)
    assert_no_hook(caught.value)
    shutil.copy(pki.der_ca(), copy)  # back, but not PEM
    with pytest.raises(TLSError):
        client.trigger(HOOK)
    shutil.copy(pki.ca, copy)  # back as it was: trusted again (read at each connection, not cached)
    assert client.trigger(HOOK).build_uuid == BUILD_UUID
    assert len(server.requests) == 2


def test_one_client_makes_one_tls_handshake_for_many_triggers(pki: PKI, server: TriggerFake) -> None:
    with deployhook.Client(base_url=server.base_url(), ca_file=pki.ca, max_retries=0, timeout=10) as client:
        for _ in range(5):
            assert client.trigger(HOOK).build_uuid == BUILD_UUID
    assert len(server.requests) == 5
    assert server.connections == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_ca_file_is_refused_when_set(pki: PKI, tmp_path: Path) -> None:
    locked = tmp_path / "locked.pem"
    shutil.copy(pki.ca, locked)
    locked.chmod(0)
    with pytest.raises(InvalidOptionError, match="ca_file"):
        deployhook.Client(ca_file=locked)


def test_the_hook_given_as_a_url_is_not_in_tls_messages(server: TriggerFake) -> None:
    with pytest.raises(TLSError) as caught:
        deployhook.Client(base_url=server.base_url(), max_retries=0).trigger(
            server.base_url() + "/workers/builds/deploy_hooks/" + HOOK.upper())
    assert_no_hook(caught.value)
    assert server.requests == []


def _can_bind_mount() -> bool:
    return (sys.platform.startswith("linux") and shutil.which("unshare") is not None
            and Path("/etc/ssl/certs").is_dir()
            and subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode == 0)


_CHILD = """
import sys, deployhook
try:
    client = deployhook.Client(base_url=sys.argv[1], ca_file=sys.argv[2] or None, max_retries=0, timeout=10)
    build = client.trigger(sys.argv[3])
    print("OK", build.build_uuid)
except deployhook.DeployHookError as error:
    print(type(error).__name__, error)
"""


@pytest.mark.skipif(not _can_bind_mount(), reason="needs Linux, root, unshare --mount and /etc/ssl/certs")
def test_ca_file_replaces_the_system_store(pki: PKI, tmp_path: Path) -> None:
    """The header: "Sets a PEM file of CA certificates to trust instead of the system's".

    In a private mount namespace /etc/ssl/certs (libcurl's default CA bundle and CA directory on Debian and
    Ubuntu) is replaced by a directory that holds only a pretend system CA, bundled and hashed as
    c_rehash does. Without ca_file a certificate from it is trusted (the stand-in works); with ca_file
    naming another CA it must not be.
    """
    system = PKI(tmp_path / "system-ca", name="pretend system CA")
    certificate = system.issue("localhost", "DNS:localhost,IP:127.0.0.1")
    store = tmp_path / "store"
    store.mkdir()
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", system.ca], capture_output=True,
                                  text=True, check=True).stdout.strip()
    shutil.copy(system.ca, store / f"{subject_hash}.0")
    shutil.copy(system.ca, store / "ca-certificates.crt")
    child = tmp_path / "child.py"
    child.write_text(_CHILD)
    environment = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    environment.update(PYTHONPATH=str(REPO / "bindings" / "python"), DEPLOYHOOK_LIBRARY=library_path)

    def trigger(base_url: str, ca_file: Path | None) -> str:
        command = 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"'
        answer = subprocess.run(["unshare", "--mount", "sh", "-c", command, "sh", str(store), sys.executable,
                                 str(child), base_url, str(ca_file or ""), HOOK],
                                env=environment, capture_output=True, text=True, timeout=30)
        assert answer.returncode == 0, answer.stderr
        assert HOOK not in answer.stdout + answer.stderr
        return answer.stdout.strip()

    with TriggerFake(certificate.cert, certificate.key) as fake:
        default = trigger(fake.base_url(), None)
        if not default.startswith("OK"):
            pytest.skip(f"this libcurl's default CA store is not under /etc/ssl/certs: {default}")
        with_ca_file = trigger(fake.base_url(), pki.ca)
        assert with_ca_file.startswith("TLSError"), (
            "with ca_file set, a CA from the system's CA directory is still trusted: the library sets "
            "CURLOPT_CAINFO but leaves libcurl's default CURLOPT_CAPATH (/etc/ssl/certs) in place")
        assert len(fake.requests) == 1


# ---- There is no way to turn verification off ----

_OPTION_SETTERS = {
    "deployhook_options_set_base_url", "deployhook_options_set_timeout_ms",
    "deployhook_options_set_connect_timeout_ms", "deployhook_options_set_max_retries",
    "deployhook_options_set_ca_file", "deployhook_options_set_user_agent", "deployhook_options_set_api_token",
    "deployhook_options_set_account_id", "deployhook_options_set_wait_timeout_ms",
    "deployhook_options_set_max_concurrency", "deployhook_options_set_binding_name",
}
_DISABLING_WORDS = re.compile(r"verif|insecure|ssl|tls|peer|pin|skip|trust|unsafe|no_?check", re.IGNORECASE)


def _declared_functions() -> set[str]:
    """Names of the functions the header declares (comment lines left out)."""
    names = set()
    for line in HEADER.read_text().splitlines():
        if line.lstrip().startswith(("*", "/*", "//", "#")):
            continue
        names.update(re.findall(r"\b(deployhook_\w+)\s*\(", line))
    return names


def test_header_has_no_option_to_disable_verification() -> None:
    functions = _declared_functions()
    assert "deployhook_trigger_with" in functions and "deployhook_options_new" in functions
    assert {name for name in functions if name.startswith("deployhook_options_set_")} == _OPTION_SETTERS
    assert [name for name in functions if _DISABLING_WORDS.search(name)] == []
    text = HEADER.read_text()
    for word in ("SSL_VERIFYPEER", "SSL_VERIFYHOST", "insecure", "CURLOPT"):
        assert word not in text
    assert "Certificate verification cannot be turned off" in text


@pytest.mark.skipif(shutil.which("nm") is None, reason="needs nm to list the library's symbols")
def test_library_exports_no_function_to_disable_verification() -> None:
    symbols = subprocess.run(["nm", "-D", "--defined-only", library_path], capture_output=True, text=True,
                             check=True).stdout.split()
    exported = {name for name in symbols if name.startswith("deployhook_")}
    assert "deployhook_options_set_ca_file" in exported
    assert exported <= _declared_functions(), f"exported but not declared: {exported - _declared_functions()}"
    assert [name for name in exported if _DISABLING_WORDS.search(name)] == []


def test_client_has_no_option_to_disable_verification() -> None:
    parameters = set(inspect.signature(deployhook.Client).parameters)
    assert parameters == {"base_url", "timeout", "connect_timeout", "max_retries", "ca_file", "user_agent",
                          "api_token", "account_id", "wait_timeout", "max_concurrency"}
    for option in ("verify", "insecure", "verify_ssl", "ssl_verify", "tls_verify", "cert_reqs", "check_hostname"):
        with pytest.raises(TypeError):
            deployhook.Client(**{option: False})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        deployhook.Client(ca_file=False)  # type: ignore[arg-type]
    assert [name for name in dir(deployhook.Client) if _DISABLING_WORDS.search(name)] == []
