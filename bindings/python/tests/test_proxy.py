"""Proxies, as libcurl takes them from the environment at each request (the library sets no proxy itself).

curl's rules: ``HTTPS_PROXY``/``https_proxy`` for https URLs; ``http_proxy`` (lower case only: the upper
case one is ignored, against "httpoxy") for http URLs; ``ALL_PROXY``/``all_proxy`` for both; hosts in
``NO_PROXY``/``no_proxy`` (names as written, or ``*``) are reached directly.

Every trigger runs in a child process whose environment holds exactly the proxy variables of the test
(none is inherited from the machine running the tests); the stand-in API and the recording proxy run here,
on 127.0.0.1. What the proxy sees matters for the secret: through https it sees only
``CONNECT host:port``; through plain http it sees the whole request line, hook included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from connect_proxy import ConnectProxy
from pki import PKI, Certificate
from support import REPO, closed_port
from trigger_fake import BUILD_UUID, TriggerFake

from deployhook._library import library_path

HOOK = "5ec7e700-1234-4abc-9def-0123456789ab"
HOOK_PATH = "/client/v4/workers/builds/deploy_hooks/" + HOOK

_CHILD = r"""
import json, sys
import deployhook
base_url, hook, ca_file = sys.argv[1:4]
try:
    client = deployhook.Client(base_url=base_url, ca_file=ca_file or None, max_retries=0, timeout=10,
                               connect_timeout=5)
    build = client.trigger(hook)
    print(json.dumps({"build_uuid": build.build_uuid}))
except deployhook.DeployHookError as error:
    print(json.dumps({"error": type(error).__name__, "code": int(error.code), "message": str(error),
                      "repr": repr(error), "http_status": error.http_status}))
"""


def trigger_in_child(base_url: str, environment: dict[str, str], ca_file: Path | None = None) -> dict[str, Any]:
    """Triggers HOOK at ``base_url`` in a fresh interpreter whose proxy variables are exactly
    ``environment``; returns ``{"build_uuid": ...}`` or the error's ``error``, ``code``, ``message``..."""
    child_environment = {name: value for name, value in os.environ.items()
                         if "proxy" not in name.lower() and name != "CLOUDFLARE_BASE_URL"}
    child_environment.update(environment, PYTHONPATH=str(REPO / "bindings" / "python"),
                             DEPLOYHOOK_LIBRARY=library_path)
    answer = subprocess.run([sys.executable, "-c", _CHILD, base_url, HOOK, str(ca_file or "")],
                            env=child_environment, capture_output=True, text=True, timeout=30)
    assert answer.returncode == 0, answer.stderr
    outcome: dict[str, Any] = json.loads(answer.stdout)
    for text in (outcome.get("message", ""), outcome.get("repr", ""), answer.stderr):
        for form in (HOOK, HOOK.replace("-", ""), HOOK.split("-")[-1]):
            assert form not in text.lower(), f"the hook leaked: {text!r}"
    return outcome



@pytest.fixture(scope="module")
def certificate(pki: PKI) -> Certificate:
    return pki.issue("localhost", "DNS:localhost,IP:127.0.0.1")


@pytest.fixture
def https_server(certificate: Certificate) -> Iterator[TriggerFake]:
    with TriggerFake(certificate.cert, certificate.key) as fake:
        yield fake


@pytest.fixture
def http_server() -> Iterator[TriggerFake]:
    with TriggerFake() as fake:
        yield fake


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    with ConnectProxy() as recording:
        yield recording


# ---- https: a CONNECT tunnel; the proxy sees host and port only ----

@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_https_goes_through_the_proxy_in_a_connect_tunnel(pki: PKI, https_server: TriggerFake, proxy: ConnectProxy,
                                                          variable: str, host: str) -> None:
    outcome = trigger_in_child(https_server.base_url(host), {variable: proxy.url}, pki.ca)
    assert outcome == {"build_uuid": BUILD_UUID}
    assert [(seen.method, seen.target) for seen in proxy.seen] == [("CONNECT", f"{host}:{https_server.port}")]
    # nothing of the request travels in clear: no path, no User-Agent, nothing holding the hook
    assert set(proxy.seen[0].headers) <= {"host", "proxy-connection", "user-agent"}
    assert HOOK not in json.dumps(proxy.seen[0].headers)
    assert https_server.requests == [{"method": "POST", "path": HOOK_PATH, "host": f"{host}:{https_server.port}"}]


def test_the_certificate_is_verified_through_the_tunnel(https_server: TriggerFake, proxy: ConnectProxy) -> None:
    """A proxy changes nothing to verification: without ca_file the test CA is still not trusted."""
    outcome = trigger_in_child(https_server.base_url(), {"HTTPS_PROXY": proxy.url})
    assert outcome["error"] == "TLSError" and outcome["code"] == 8
    assert [seen.method for seen in proxy.seen] == ["CONNECT"]
    https_server.settle()
    assert https_server.requests == []


@pytest.mark.parametrize(("host", "no_proxy"), [
    ("127.0.0.1", {"NO_PROXY": "127.0.0.1"}),
    ("127.0.0.1", {"no_proxy": "127.0.0.1"}),
    ("localhost", {"NO_PROXY": "localhost"}),
    ("localhost", {"no_proxy": "example.com, localhost"}),
    ("127.0.0.1", {"NO_PROXY": "*"}),
], ids=repr)
def test_no_proxy_hosts_are_reached_directly(pki: PKI, https_server: TriggerFake, proxy: ConnectProxy, host: str,
                                             no_proxy: dict[str, str]) -> None:
    outcome = trigger_in_child(https_server.base_url(host), {"HTTPS_PROXY": proxy.url, **no_proxy}, pki.ca)
    assert outcome == {"build_uuid": BUILD_UUID}
    assert proxy.seen == []
    assert [request["path"] for request in https_server.requests] == [HOOK_PATH]


def test_no_proxy_matches_names_as_written(pki: PKI, https_server: TriggerFake, proxy: ConnectProxy) -> None:
    """curl does not resolve names for NO_PROXY: "localhost" there does not cover 127.0.0.1."""
    outcome = trigger_in_child(https_server.base_url("127.0.0.1"),
                               {"HTTPS_PROXY": proxy.url, "NO_PROXY": "localhost"}, pki.ca)
    assert outcome == {"build_uuid": BUILD_UUID}
    assert [(seen.method, seen.target) for seen in proxy.seen] == [("CONNECT", f"127.0.0.1:{https_server.port}")]


def test_http_proxy_variables_do_not_apply_to_https(pki: PKI, https_server: TriggerFake, proxy: ConnectProxy) -> None:
    outcome = trigger_in_child(https_server.base_url(), {"http_proxy": proxy.url, "HTTP_PROXY": proxy.url}, pki.ca)
    assert outcome == {"build_uuid": BUILD_UUID}
    assert proxy.seen == []


@pytest.mark.parametrize("proxy_url", ["http://127.0.0.1:{port}", "http://user:s3cret-pw@127.0.0.1:{port}"])
def test_dead_proxy_is_a_network_error(pki: PKI, https_server: TriggerFake, proxy_url: str) -> None:
    outcome = trigger_in_child(https_server.base_url(), {"HTTPS_PROXY": proxy_url.format(port=closed_port())},
                               pki.ca)
    assert outcome["error"] == "NetworkError" and outcome["code"] == 6
    assert outcome["http_status"] is None
    assert "s3cret-pw" not in outcome["message"] + outcome["repr"]
    assert https_server.connections == 0


@pytest.mark.parametrize("status", [403, 407])
def test_proxy_refusing_the_tunnel_is_a_network_error(pki: PKI, https_server: TriggerFake, status: int) -> None:
    """libcurl reports a refused CONNECT as CURLE_RECV_ERROR ("CONNECT tunnel failed, response 407"): a
    NetworkError, with no HTTP status (the refusal came from the proxy, not from the API)."""
    with ConnectProxy(refuse=status) as refusing:
        outcome = trigger_in_child(https_server.base_url(),
                                   {"HTTPS_PROXY": refusing.url.replace("//", "//user:s3cret-pw@")}, pki.ca)
        assert [(seen.method, seen.target) for seen in refusing.seen] == [("CONNECT", f"127.0.0.1:{https_server.port}")]
        assert refusing.seen[0].headers.get("proxy-authorization", "").startswith("Basic ")
    assert outcome["error"] == "NetworkError" and outcome["code"] == 6
    assert str(status) in outcome["message"]
    assert outcome["http_status"] is None
    assert "s3cret-pw" not in outcome["message"] + outcome["repr"]
    assert https_server.connections == 0


# ---- plain http: the proxy sees the whole request, hook included ----

def test_plain_http_through_http_proxy_shows_the_hook_to_the_proxy(http_server: TriggerFake,
                                                                   proxy: ConnectProxy) -> None:
    """With an http:// API base (the emulator, a test double) and http_proxy set, the proxy receives an
    absolute-URI POST whose path is the secret trigger URL. Only https keeps the hook from a proxy."""
    outcome = trigger_in_child(http_server.base_url(), {"http_proxy": proxy.url})
    assert outcome == {"build_uuid": BUILD_UUID}
    assert [(seen.method, seen.target) for seen in proxy.seen] == [("POST", http_server.base_url() + "/workers/builds/"
                                                                    "deploy_hooks/" + HOOK)]
    assert http_server.requests == [{"method": "POST", "path": HOOK_PATH, "host": f"127.0.0.1:{http_server.port}"}]


def test_upper_case_http_proxy_is_ignored_for_http(http_server: TriggerFake, proxy: ConnectProxy) -> None:
    """curl never reads HTTP_PROXY (a CGI script's HTTP_PROXY can come from a request's Proxy: header)."""
    outcome = trigger_in_child(http_server.base_url(), {"HTTP_PROXY": proxy.url})
    assert outcome == {"build_uuid": BUILD_UUID}
    assert proxy.seen == []
    assert [request["path"] for request in http_server.requests] == [HOOK_PATH]


def test_https_proxy_variable_does_not_apply_to_http(http_server: TriggerFake, proxy: ConnectProxy) -> None:
    outcome = trigger_in_child(http_server.base_url(), {"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url})
    assert outcome == {"build_uuid": BUILD_UUID}
    assert proxy.seen == []


def test_no_proxy_applies_to_http_too(http_server: TriggerFake, proxy: ConnectProxy) -> None:
    outcome = trigger_in_child(http_server.base_url(), {"http_proxy": proxy.url, "no_proxy": "127.0.0.1"})
    assert outcome == {"build_uuid": BUILD_UUID}
    assert proxy.seen == []
