"""Every error kind: the exception class, ``code``, ``api_code``, ``http_status`` and ``cf_ray``."""

from __future__ import annotations

import builtins
import pickle
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from support import HOOKS, FakeAPI, closed_port
from tls_fake import TLSFake, make_certificates

import deployhook
from deployhook import (
    APIError,
    DeployHookError,
    ErrorCode,
    HTTPError,
    InternalError,
    InvalidHookError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ResponseError,
    TLSError,
)
from deployhook._errors import error_for
from deployhook._library import lib

# scenario, Client options, exception class, api_code, http_status
ANSWERED_ERRORS = [
    ("unknown", {}, NotFoundError, 12000, 404),
    ("rate_limited", {"max_retries": 0}, RateLimitedError, 12051, 429),
    ("api_error", {}, APIError, 10000, 403),
    ("success_false", {}, APIError, 10001, 200),
    ("no_retry_500", {}, APIError, 10013, 500),
    ("html_502", {"max_retries": 0}, HTTPError, None, 502),
    ("redirect", {}, HTTPError, None, 302),
    ("truncated", {}, ResponseError, None, 200),
    ("huge", {}, ResponseError, None, 200),
]


@pytest.mark.parametrize(("scenario", "options", "error_class", "api_code", "http_status"), ANSWERED_ERRORS,
                         ids=[case[0] for case in ANSWERED_ERRORS])
def test_answered_errors(fake: FakeAPI, scenario: str, options: dict[str, Any], error_class: type[DeployHookError],
                         api_code: int | None, http_status: int) -> None:
    client = deployhook.Client(base_url=fake.base_url, **options)
    with pytest.raises(error_class) as caught:
        client.trigger(HOOKS[scenario])
    error = caught.value
    assert type(error) is error_class
    assert error.code is error_class.code
    assert error.api_code == api_code
    assert error.http_status == http_status
    assert error.cf_ray is not None and error.cf_ray.endswith("-SJC")
    assert str(error) and str(error) == error.args[0]


@pytest.mark.parametrize(("scenario", "max_retries", "attempts"), [
    ("rate_limited", 0, 1), ("rate_limited", 2, 3), ("html_502", 1, 2), ("no_retry_500", 2, 1), ("api_error", 2, 1),
])
def test_retries(fake: FakeAPI, scenario: str, max_retries: int, attempts: int) -> None:
    with pytest.raises(DeployHookError):
        deployhook.Client(base_url=fake.base_url, max_retries=max_retries).trigger(HOOKS[scenario])
    assert len(fake.requests()) == attempts


def test_dropped_connection_is_a_network_error(fake: FakeAPI) -> None:
    with pytest.raises(NetworkError) as caught:
        deployhook.Client(base_url=fake.base_url, max_retries=0).trigger(HOOKS["drop"])
    assert caught.value.code is ErrorCode.NETWORK
    assert caught.value.http_status is None and caught.value.api_code is None and caught.value.cf_ray is None


def test_refused_connection_is_a_network_error() -> None:
    client = deployhook.Client(base_url=f"http://127.0.0.1:{closed_port()}/client/v4", max_retries=0)
    with pytest.raises(NetworkError) as caught:
        client.trigger(HOOKS["ok"])
    assert caught.value.http_status is None


def test_total_timeout(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(deployhook.TimeoutError) as caught:
        client.trigger(HOOKS["slow"])
    assert time.monotonic() - started < 3
    assert isinstance(caught.value, builtins.TimeoutError)
    assert caught.value.code is ErrorCode.TIMEOUT
    assert caught.value.http_status is None


def test_connect_timeout() -> None:
    """A listener whose accept queue is full drops new SYNs, so the connection attempt hangs."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())  # fills the queue; nothing is ever accepted
        port = listener.getsockname()[1]
        client = deployhook.Client(base_url=f"http://127.0.0.1:{port}/client/v4", connect_timeout=0.3, timeout=30,
                                   max_retries=0)
        started = time.monotonic()
        with pytest.raises(deployhook.TimeoutError):
            client.trigger(HOOKS["ok"])
        assert time.monotonic() - started < 5


def test_https_to_a_plain_http_server_is_a_tls_error(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=f"https://127.0.0.1:{fake.port}/client/v4", max_retries=0)
    with pytest.raises(TLSError) as caught:
        client.trigger(HOOKS["ok"])
    assert caught.value.code is ErrorCode.TLS


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make test certificates")
    return make_certificates(tmp_path_factory.mktemp("certificates"))


def test_untrusted_certificate_is_a_tls_error_and_ca_file_trusts_it(certificates: tuple[Path, Path, Path]) -> None:
    ca, cert, key = certificates
    with TLSFake(cert, key) as server:
        base_url = f"https://127.0.0.1:{server.port}/client/v4"
        with pytest.raises(TLSError):
            deployhook.Client(base_url=base_url, max_retries=0).trigger(HOOKS["ok"])
        build = deployhook.Client(base_url=base_url, ca_file=ca, max_retries=0).trigger(HOOKS["ok"])
        assert build.build_uuid is not None
        assert server.requests == [{"path": "/client/v4/workers/builds/deploy_hooks/" + HOOKS["ok"],
                                    "host": f"127.0.0.1:{server.port}"}]


@pytest.mark.parametrize("hook", [
    "", "   ", "not-a-uuid", HOOKS["ok"][:-1], HOOKS["ok"] + "0", HOOKS["ok"].replace("-", "_"),
    "https://evil.example/client/v4/workers/builds/deploy_hooks/" + HOOKS["ok"],
    HOOKS["ok"] + "\0", HOOKS["ok"][:8] + "\udcff" + HOOKS["ok"][9:], "é" * 36,
])
def test_invalid_hooks_send_nothing(fake: FakeAPI, hook: str) -> None:
    client = deployhook.Client(base_url=fake.base_url)
    with pytest.raises(InvalidHookError) as caught:
        client.trigger(hook)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT
    assert caught.value.http_status is None and caught.value.api_code is None
    assert fake.requests() == []


@pytest.mark.parametrize("hook", [None, 42, HOOKS["ok"].encode()])
def test_hook_must_be_a_str(hook: Any) -> None:
    with pytest.raises(TypeError):
        deployhook.Client().trigger(hook)


def test_error_codes_match_the_c_names() -> None:
    assert [code.value for code in ErrorCode] == list(range(len(ErrorCode)))
    for code in ErrorCode:
        assert lib.deployhook_error_name(code).decode() == ("DEPLOYHOOK_" if code is ErrorCode.OK else "DEPLOYHOOK_ERR_") + code.name
    assert lib.deployhook_error_name(len(ErrorCode)) == b"DEPLOYHOOK_ERR_UNKNOWN"  # the C enum has no more


def test_every_error_code_has_its_class() -> None:
    for code in ErrorCode:
        if code is ErrorCode.OK:
            continue
        error = error_for(code, "message", api_code=None, http_status=None, cf_ray=None)
        assert error.code is code
        assert type(error).code is code
        assert isinstance(error, DeployHookError)
    assert type(error_for(ErrorCode.INTERNAL, "m", api_code=None, http_status=None, cf_ray=None)) is InternalError
    assert type(error_for(99, "from a newer library", api_code=None, http_status=None, cf_ray=None)) is InternalError


def test_exception_hierarchy() -> None:
    assert issubclass(InvalidHookError, ValueError)
    assert issubclass(deployhook.InvalidOptionError, ValueError)
    assert issubclass(deployhook.TimeoutError, builtins.TimeoutError)
    assert deployhook.TimeoutError is not builtins.TimeoutError
    for name in ("InvalidHookError", "InvalidOptionError", "NotFoundError", "RateLimitedError", "APIError",
                 "HTTPError", "NetworkError", "TimeoutError", "TLSError", "ResponseError", "InternalError"):
        assert issubclass(getattr(deployhook, name), DeployHookError)


def test_errors_pickle(fake: FakeAPI) -> None:
    with pytest.raises(NotFoundError) as caught:
        deployhook.Client(base_url=fake.base_url).trigger(HOOKS["unknown"])
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), str(copy), copy.code, copy.api_code, copy.http_status, copy.cf_ray) == (
        NotFoundError, str(caught.value), ErrorCode.NOT_FOUND, 12000, 404, caught.value.cf_ray)
    timeout = pickle.loads(pickle.dumps(deployhook.TimeoutError("late", http_status=None)))
    assert type(timeout) is deployhook.TimeoutError and str(timeout) == "late"
