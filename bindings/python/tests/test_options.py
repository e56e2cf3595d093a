"""Client options: base URL precedence, validation, closing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import HOOKS, REPO, FakeAPI, closed_port, fake_cloudflare
from tls_fake import make_certificates

import deployhook
from deployhook import InvalidOptionError, NetworkError
from deployhook._library import library_path


def test_environment_base_url_is_used_when_none_is_given(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", fake.base_url)
    assert deployhook.Client().trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID
    assert deployhook.trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID
    assert len(fake.requests()) == 2


def test_environment_is_read_at_each_trigger(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    client = deployhook.Client(max_retries=0)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", f"http://127.0.0.1:{closed_port()}/client/v4")
    with pytest.raises(NetworkError):
        client.trigger(HOOKS["ok"])
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", fake.base_url)
    assert client.trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID


def test_explicit_base_url_beats_the_environment(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/client/v4"
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", dead)
    assert deployhook.Client(base_url=fake.base_url).trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", fake.base_url)
    with pytest.raises(NetworkError):
        deployhook.Client(base_url=dead, max_retries=0).trigger(HOOKS["ok"])
    assert len(fake.requests()) == 1


def test_invalid_environment_base_url_is_rejected_before_sending(fake: FakeAPI,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "ftp://example.invalid")
    with pytest.raises(ValueError, match="CLOUDFLARE_BASE_URL"):
        deployhook.trigger(HOOKS["ok"])


def _can_use_namespaces() -> bool:
    tools = all(shutil.which(tool) for tool in ("unshare", "ip", "mount", "openssl"))
    return tools and subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux") or not _can_use_namespaces(),
                    reason="needs Linux, root, unshare, ip, mount and openssl")
def test_default_base_url_is_cloudflare(tmp_path: Path) -> None:
    """With no base URL anywhere, the trigger goes to https://api.cloudflare.com/client/v4.

    Run in a private network namespace (only its own loopback: nothing can leave the machine) and mount
    namespace whose /etc/hosts maps api.cloudflare.com to 127.0.0.1, where tls_fake.py serves HTTPS with
    a certificate from a throw-away CA that the client is told to trust.
    """
    make_certificates(tmp_path)
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n127.0.0.1 api.cloudflare.com\n")
    script = Path(__file__).with_name("tls_fake.py")
    environment = {key: value for key, value in os.environ.items() if key != "CLOUDFLARE_BASE_URL"}
    environment.update(DEPLOYHOOK_LIBRARY=library_path, PYTHONPATH=str(REPO / "bindings" / "python"))
    command = (f"ip link set lo up && mount --bind {hosts} /etc/hosts && "
               f"exec {sys.executable} {script} {tmp_path} {HOOKS['ok']}")
    answer = subprocess.run(["unshare", "--net", "--mount", "sh", "-c", command], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    report = json.loads(answer.stdout)
    assert report["build_uuid"] == fake_cloudflare.BUILD_UUID
    assert report["requests"] == [{"path": "/client/v4/workers/builds/deploy_hooks/" + HOOKS["ok"],
                                   "host": "api.cloudflare.com"}]


@pytest.mark.parametrize("options", [
    {"base_url": "ftp://example.com"}, {"base_url": "https://user@example.com"}, {"base_url": "not a url"},
    {"base_url": "https://example.com/\0"},
    {"timeout": 0}, {"timeout": -1}, {"timeout": 0.0004}, {"timeout": 86_400.5}, {"timeout": float("nan")},
    {"timeout": float("inf")}, {"timeout": 2**64}, {"connect_timeout": 0}, {"connect_timeout": 1e20},
    {"max_retries": -1}, {"max_retries": 101}, {"max_retries": 2**32}, {"max_retries": -(2**32)},
    {"ca_file": "/nonexistent/ca.pem"}, {"ca_file": ""}, {"ca_file": "a\0b"},
    {"user_agent": ""}, {"user_agent": "x" * 1025}, {"user_agent": "bad\nagent"}, {"user_agent": "a\0b"},
], ids=repr)
def test_invalid_options(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidOptionError) as caught:
        deployhook.Client(**options)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code is deployhook.ErrorCode.INVALID_ARGUMENT
    assert str(caught.value).startswith(next(iter(options)) + ": ")  # the argument, then the library's reason


@pytest.mark.parametrize("options", [
    {"base_url": b"http://127.0.0.1"}, {"timeout": "5"}, {"timeout": True}, {"connect_timeout": [1]},
    {"max_retries": 1.0}, {"max_retries": True}, {"ca_file": 3}, {"user_agent": 3},
], ids=repr)
def test_option_types(options: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        deployhook.Client(**options)


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        deployhook.Client("http://127.0.0.1/client/v4")  # type: ignore[call-arg]


def test_valid_options_are_accepted(fake: FakeAPI, tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")  # set time checks for a PEM certificate block only
    client = deployhook.Client(base_url=fake.base_url + "/", timeout=0.001, connect_timeout=86_400, max_retries=100,
                               ca_file=ca_file, user_agent="x" * 1024)
    client.close()
    deployhook.Client(timeout=86_400, connect_timeout=0.001, max_retries=0).close()


def test_repr_shows_the_options_given(fake: FakeAPI) -> None:
    client = deployhook.Client(base_url=fake.base_url, timeout=2.5, max_retries=1)
    assert repr(client) == f"<deployhook.Client(base_url={fake.base_url!r}, timeout=2.5, max_retries=1)>"
    client.close()
    assert repr(client).endswith(" closed>")
    assert repr(deployhook.Client()) == "<deployhook.Client()>"


def test_closed_client_refuses_to_trigger(fake: FakeAPI) -> None:
    with deployhook.Client(base_url=fake.base_url) as client:
        assert client.trigger(HOOKS["ok"]).build_uuid == fake_cloudflare.BUILD_UUID
    client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        client.trigger(HOOKS["ok"])
    assert len(fake.requests()) == 1
