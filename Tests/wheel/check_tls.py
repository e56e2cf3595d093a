"""Checks, from the inside, a deployhook installed from the manylinux wheel on a machine made to look like
another distribution: run by Tests/wheel/run.sh with the virtual environment's Python, in a mount namespace
where the Swift toolchain and the system's libcurl (and the libraries the wheel bundles) are hidden, and /etc
is a copy in which Debian's CA bundle is gone and a CA file sits, at most, at another distribution's path.

Usage: check_tls.py HTTPS_BASE_URL SWIFT_TOOLCHAIN_DIR trusted|refused CA_PATH|none

Triggers the TLS stand-in (Tests/wheel/tls_server.py) with a Client that sets no CA file, so the library
picks its CA store itself; ``trusted`` expects the build, ``refused`` a TLSError. CA_PATH is the one
well-known bundle path expected to exist (``none``: none of them). Prints ``PASS: <check>`` or
``FAIL: <check>: <why>`` per check; exits 0 once every check has run.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import traceback

HOOK = "11111111-1111-4111-8111-111111111111"
BUILD_UUID = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"  # tls_fake's answer

WELL_KNOWN_BUNDLES = [  # Sources/DeployHook/CABundle.swift's list
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/cacert.pem",
]
CA_VARIABLES = ("CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


def check(name: str, test) -> None:
    """Runs ``test`` and prints whether it passed; an exception (a failed assert) is a failure."""
    try:
        test()
    except Exception as error:
        print(f"FAIL: {name}: {error!r}", flush=True)
        traceback.print_exc()
    else:
        print(f"PASS: {name}", flush=True)


def mapped_files() -> set[str]:
    """The files mapped into this process."""
    files = set()
    with open("/proc/self/maps") as maps:
        for line in maps:  # address perms offset device inode [path]
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/"):
                files.add(fields[5].strip())
    return files


def system_libcurl_hidden() -> None:
    """Every libcurl file of the system reads as empty (an empty file is bind-mounted over it)."""
    files = {os.path.realpath(path) for pattern in ("/usr/lib/*/libcurl*.so*", "/usr/lib/libcurl*.so*",
                                                    "/usr/lib64/libcurl*.so*", "/lib/*/libcurl*.so*")
             for path in glob.glob(pattern)}
    visible = sorted(path for path in files if os.path.getsize(path) > 0)
    assert not visible, f"not hidden: {visible}"


def ca_store_as_expected(ca_path: str) -> None:
    """Of the well-known bundle paths only ``ca_path`` exists (or none); Debian's CA directory is gone."""
    existing = [path for path in WELL_KNOWN_BUNDLES if os.path.exists(path)]
    assert existing == ([] if ca_path == "none" else [ca_path]), f"existing bundles: {existing}"
    assert not os.path.exists("/etc/ssl/certs"), "/etc/ssl/certs exists"


def swift_unreachable(toolchain: str) -> None:
    """The Swift toolchain is out of reach: no swift binary, on PATH or where it was installed."""
    assert shutil.which("swift") is None, shutil.which("swift")
    assert not os.path.exists(os.path.join(toolchain, "usr", "bin", "swift"))


def trigger(base_url: str, expect: str) -> None:
    """A Client with no CA file triggers the TLS stand-in: the build when ``trusted``, a TLSError when ``refused``."""
    import deployhook

    with deployhook.Client(base_url=base_url, max_retries=0, timeout=10) as client:
        if expect == "trusted":
            build = client.trigger(HOOK)
            assert build.build_uuid == BUILD_UUID, build
            return
        try:
            client.trigger(HOOK)
        except deployhook.TLSError as error:
            assert error.code is deployhook.ErrorCode.TLS, error.code
        else:
            raise AssertionError("the stand-in's certificate was trusted")


def bundled_libcurl_loaded() -> None:
    """The package's libdeployhook.so is loaded, and the only libcurl mapped is the one in deployhook.libs/."""
    import deployhook
    from deployhook import _library

    package = os.path.dirname(os.path.realpath(deployhook.__file__))
    libs = os.path.join(os.path.dirname(package), "deployhook.libs")
    assert _library.library_path == os.path.join(os.path.dirname(deployhook.__file__), "libdeployhook.so"), \
        _library.library_path
    mapped = mapped_files()
    assert os.path.join(package, "libdeployhook.so") in mapped, "the bundled libdeployhook.so is not mapped"
    curls = sorted(path for path in mapped if os.path.basename(path).startswith("libcurl"))
    assert curls and all(os.path.dirname(path) == libs for path in curls), f"libcurl mapped from: {curls}"


def main() -> None:
    """Runs every check."""
    base_url, toolchain, expect, ca_path = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3], sys.argv[4]
    variables = ", ".join(f"{name} set" for name in CA_VARIABLES if os.environ.get(name)) or "no CA variable"
    where = "no well-known bundle" if ca_path == "none" else f"a bundle only at {ca_path}"
    check("the system's libcurl files are hidden (empty)", system_libcurl_hidden)
    check(f"the CA store: {where}, no /etc/ssl/certs", lambda: ca_store_as_expected(ca_path))
    check("the Swift toolchain is out of reach", lambda: swift_unreachable(toolchain))
    check(f"with {where} and {variables}, a TLS trigger is {expect}", lambda: trigger(base_url, expect))
    check("/proc/self/maps: the wheel's libdeployhook.so and only its bundled libcurl are loaded",
          bundled_libcurl_loaded)


if __name__ == "__main__":
    main()
