"""Checks the manylinux wheel made by scripts/build_wheel.sh; run by Tests/wheel/run.sh.

Usage: check_manylinux_contents.py WHEEL LIBRARY_COPY BUNDLED_LIST

Prints ``PASS: <check>`` or ``FAIL: <check>: <why>`` per check. Writes the wheel's libdeployhook.so to
LIBRARY_COPY (for readelf) and the names of the libraries in deployhook.libs/, one a line, to BUNDLED_LIST.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import platform
import re
import sys
import zipfile


def report(ok: bool, check: str, why: object = "") -> None:
    """Prints the check's outcome."""
    print(f"PASS: {check}" if ok else f"FAIL: {check}: {why}")


def main() -> None:
    """Runs every check and writes the two files."""
    wheel_path, library_copy, bundled_list = sys.argv[1:]
    wheel = zipfile.ZipFile(wheel_path)
    names = set(wheel.namelist())
    dist_info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/WHEEL"))

    tag = os.path.basename(wheel_path)[:-len(".whl")].split("-", 2)[2]
    fields = dict(line.split(": ", 1) for line in wheel.read(f"{dist_info}/WHEEL").decode().splitlines() if line)
    report(re.fullmatch(rf"py3-none-manylinux_2_\d+_{platform.machine()}", tag) is not None
           and fields.get("Tag") == tag and fields.get("Root-Is-Purelib") == "false",
           f"the wheel is tagged {tag}, in its name and in WHEEL", fields)

    bundled = sorted(name.split("/", 1)[1] for name in names
                     if name.startswith("deployhook.libs/") and not name.endswith("/"))
    expected = {"deployhook/__init__.py", "deployhook/_library.py", "deployhook/py.typed", "deployhook/libdeployhook.so"}
    report(expected <= names and any(re.fullmatch(r"libcurl-[0-9a-f]{8}\.so\..*", name) for name in bundled),
           f"it holds deployhook/libdeployhook.so and bundles libcurl in deployhook.libs/ ({len(bundled)} libraries)",
           f"missing {sorted(expected - names)}, bundled {bundled}")

    rows = list(csv.reader(io.TextIOWrapper(wheel.open(f"{dist_info}/RECORD"), encoding="utf-8")))
    bad = [path for path, digest, size in rows if path != f"{dist_info}/RECORD" and (
        digest != "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(wheel.read(path)).digest()).rstrip(b"=").decode()
        or size != str(wheel.getinfo(path).file_size))]
    unlisted = {name for name in names if not name.endswith("/")} - {row[0] for row in rows}
    report(not bad and not unlisted, "RECORD lists every file with its sha256 and size", f"{bad} {sorted(unlisted)}")

    with open(library_copy, "wb") as library:
        library.write(wheel.read("deployhook/libdeployhook.so"))
    with open(bundled_list, "w") as listing:
        listing.write("".join(f"{name}\n" for name in bundled))


if __name__ == "__main__":
    main()
