"""Checks, from the inside, a deployhook installed from its wheel: run by Tests/wheel/run.sh with the virtual
environment's Python, in a mount namespace where the Swift toolchain is hidden.

Usage: check_installed.py BASE_URL SWIFT_TOOLCHAIN_DIR

Prints ``PASS: <check>`` or ``FAIL: <check>: <why>`` per check; exits 0 once every check has run.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import sysconfig
import traceback
from datetime import datetime, timezone
from importlib import metadata

OK_HOOK = "11111111-1111-4111-8111-111111111111"  # the fake's "ok" scenario
UNKNOWN_HOOK = "12345678-1234-4234-8234-123456789abc"  # no scenario: 404, Cloudflare code 12000
OK_BUILD_UUID = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
OK_CREATED_ON = datetime(2019, 12, 27, 18, 11, 19, 117000, tzinfo=timezone.utc)


def check(name: str, test) -> None:
    """Runs ``test`` and prints whether it passed; an exception (a failed assert) is a failure."""
    try:
        test()
    except Exception as error:
        print(f"FAIL: {name}: {error!r}", flush=True)
        traceback.print_exc()
    else:
        print(f"PASS: {name}", flush=True)


def imported_from_venv() -> None:
    """deployhook comes from this environment's site-packages, and its version is the wheel's."""
    import deployhook

    site_packages = os.path.realpath(sysconfig.get_paths()["platlib"])
    assert sys.prefix != sys.base_prefix, f"not a virtual environment: {sys.prefix}"
    assert os.path.realpath(deployhook.__file__).startswith(site_packages + os.sep), deployhook.__file__
    assert deployhook.__version__ == metadata.version("deployhook"), (deployhook.__version__,
                                                                      metadata.version("deployhook"))


def loaded_bundled_library(toolchain: str) -> None:
    """The library loaded is the one inside the package, and no file of the Swift toolchain is mapped."""
    import deployhook
    from deployhook import _library

    bundled = os.path.join(os.path.dirname(deployhook.__file__), "libdeployhook.so")
    assert _library.library_path == bundled, f"loaded {_library.library_path}, not {bundled}"
    with open("/proc/self/maps") as maps:
        mapped = {line.split()[-1] for line in maps if "/" in line}
    assert os.path.realpath(bundled) in mapped, "the bundled library is not mapped"
    from_toolchain = [path for path in mapped if path.startswith(toolchain + os.sep)]
    assert not from_toolchain, f"mapped from the toolchain: {from_toolchain}"


def swift_unreachable(toolchain: str) -> None:
    """The Swift toolchain is out of reach: no swift binary, on PATH or where it was installed."""
    assert shutil.which("swift") is None, shutil.which("swift")
    assert not os.path.exists(os.path.join(toolchain, "usr", "bin", "swift"))


def trigger_ok(base_url: str) -> None:
    """The ok hook returns the fake's build."""
    import deployhook

    with deployhook.Client(base_url=base_url) as client:
        build = client.trigger(OK_HOOK)
    assert build.build_uuid == OK_BUILD_UUID, build
    assert build.status is deployhook.BuildStatus.QUEUED, build
    assert build.already_exists is False, build
    assert build.created_on == OK_CREATED_ON, build
    assert re.fullmatch(r"[0-9a-f]{16}-SJC", build.cf_ray or ""), build.cf_ray


def trigger_unknown(base_url: str) -> None:
    """An unknown hook raises NotFoundError (HTTP 404, Cloudflare code 12000)."""
    import deployhook

    with deployhook.Client(base_url=base_url) as client:
        try:
            client.trigger(UNKNOWN_HOOK)
        except deployhook.NotFoundError as error:
            assert error.code is deployhook.ErrorCode.NOT_FOUND, error.code
            assert (error.http_status, error.api_code) == (404, 12000), (error.http_status, error.api_code)
        else:
            raise AssertionError("no NotFoundError")


def trigger_many(base_url: str) -> None:
    """trigger_many returns, in order, the ok hook's Build and the unknown hook's NotFoundError."""
    import deployhook

    with deployhook.Client(base_url=base_url) as client:
        ok, unknown = client.trigger_many([OK_HOOK, UNKNOWN_HOOK])
    assert isinstance(ok, deployhook.Build) and ok.build_uuid == OK_BUILD_UUID, ok
    assert isinstance(unknown, deployhook.NotFoundError), unknown


def main() -> None:
    """Runs every check."""
    base_url, toolchain = sys.argv[1], os.path.realpath(sys.argv[2])
    check("deployhook is imported from the venv's site-packages, at the wheel's version", imported_from_venv)
    check("the bundled libdeployhook.so is loaded, nothing from the Swift toolchain",
          lambda: loaded_bundled_library(toolchain))
    check("the Swift toolchain is out of reach", lambda: swift_unreachable(toolchain))
    check("Client.trigger of the ok hook returns its build", lambda: trigger_ok(base_url))
    check("Client.trigger of an unknown hook raises NotFoundError", lambda: trigger_unknown(base_url))
    check("Client.trigger_many returns the build and the NotFoundError", lambda: trigger_many(base_url))


if __name__ == "__main__":
    main()
