#!/usr/bin/env python3
"""The version of deployhook: VERSION at the top of the repository is the one hand-edited place.

Every other place that carries it is written from VERSION by `--write` (`make version`) and checked by
`--check` (CI): the Swift constant, the C header's macros, the build tree's pkg-config file and the name of
its library link (the SONAME's number is the major version, bumped on every incompatible ABI change).
The Python package, the installed .pc file, the SONAME and the tarball name read VERSION when they are
built. With a built library and CLI, `--check` also compares what they report.

Usage: version.py            print the version
       version.py --write    rewrite the generated places from VERSION
       version.py --check    exit 1, naming each place that disagrees with VERSION
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = (ROOT / "VERSION").read_text().strip()
if not re.fullmatch(r"(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})", VERSION):
    sys.exit(f"VERSION: {VERSION!r} is not MAJOR.MINOR.PATCH (each 0-999)")
MAJOR, MINOR, PATCH = (int(part) for part in VERSION.split("."))
NUMBER = MAJOR * 1_000_000 + MINOR * 1_000 + PATCH
SONAME = f"libdeployhook.so.{MAJOR}"
BUILD_TREE_LIB = ROOT / "packaging/build-tree/lib"

# (file, pattern, replacement): each pattern's single match is rewritten to carry VERSION.
GENERATED = [
    ("Sources/DeployHook/Version.swift", r'staticString: StaticString = "[^"]*"',
     f'staticString: StaticString = "{VERSION}"'),
    ("Sources/DeployHook/Version.swift", r"number: Int32 = [\d_]+", f"number: Int32 = {NUMBER:_}"),
    ("Sources/CDeployHook/deployhook_types.h", r'#define DEPLOYHOOK_VERSION "[^"]*"',
     f'#define DEPLOYHOOK_VERSION "{VERSION}"'),
    ("Sources/CDeployHook/deployhook_types.h", r"#define DEPLOYHOOK_VERSION_NUMBER \d+",
     f"#define DEPLOYHOOK_VERSION_NUMBER {NUMBER}"),
    ("include/deployhook.h", r'#define DEPLOYHOOK_VERSION "[^"]*"', f'#define DEPLOYHOOK_VERSION "{VERSION}"'),
    ("include/deployhook.h", r"#define DEPLOYHOOK_VERSION_NUMBER \d+", f"#define DEPLOYHOOK_VERSION_NUMBER {NUMBER}"),
    ("packaging/build-tree/deployhook.pc", r"Version: .*", f"Version: {VERSION}"),
    ("bindings/node/package.json", r'"version": "[^"]*"', f'"version": "{VERSION}"'),
    ("bindings/rust/Cargo.toml", r'(?m)^version = "[^"]*"', f'version = "{VERSION}"'),
]


def generated_mismatches(write: bool) -> list[str]:
    """The generated places that disagree with VERSION; rewrites them when `write`."""
    bad = []
    for name, pattern, replacement in GENERATED:
        path = ROOT / name
        text = path.read_text()
        matches = re.findall(pattern, text)
        if len(matches) != 1:
            sys.exit(f"{name}: expected one match of {pattern!r}, found {len(matches)}")
        if matches[0] != replacement:
            bad.append(f"{name}: {matches[0]!r}, want {replacement!r}")
            if write:
                path.write_text(re.sub(pattern, replacement, text))
    links = sorted(path.name for path in BUILD_TREE_LIB.glob("libdeployhook.so.*"))
    if links != [SONAME]:
        bad.append(f"packaging/build-tree/lib: links {links}, want ['{SONAME}']")
        if write:
            for name in links:
                (BUILD_TREE_LIB / name).unlink()
            (BUILD_TREE_LIB / SONAME).symlink_to("../../../.build/release/libdeployhook.so")
    return bad


def built_mismatches() -> list[str]:
    """What the built library and CLI report, where they exist, against VERSION."""
    bad = []
    library = ROOT / ".build/release/libdeployhook.so"
    if library.exists():
        dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True).stdout
        soname = re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]", dynamic)
        if not soname or soname.group(1) != SONAME:
            bad.append(f"{library}: SONAME {soname and soname.group(1)!r}, want {SONAME!r}")
        script = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); lib.deployhook_version.restype = ctypes.c_char_p;"
                  " print(lib.deployhook_version().decode(), lib.deployhook_version_number())")
        said = subprocess.run([sys.executable, "-c", script, str(library)], capture_output=True, text=True).stdout.split()
        if said != [VERSION, str(NUMBER)]:
            bad.append(f"{library}: deployhook_version() and _number() say {said}, want {[VERSION, str(NUMBER)]}")
        python = subprocess.run([sys.executable, "-c", "import deployhook; print(deployhook.__version__)"],
                                capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "bindings/python")})
        if python.stdout.strip() != VERSION:
            bad.append(f"bindings/python: deployhook.__version__ is {python.stdout.strip()!r}{python.stderr[-200:]}")
    cli = ROOT / ".build/release/deployhook-cli"
    if cli.exists():
        said = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
        if VERSION not in said.split():
            bad.append(f"{cli} --version: {said.strip()!r}")
    return bad


def main() -> None:
    if sys.argv[1:] == []:
        print(VERSION)
    elif sys.argv[1:] == ["--write"]:
        rewritten = generated_mismatches(write=True)
        for line in rewritten:
            print(f"rewrote {line}")
        if rewritten:
            (ROOT / "Package.swift").touch()  # SwiftPM reads the SONAME from VERSION only when the manifest changes
    elif sys.argv[1:] == ["--check"]:
        bad = generated_mismatches(write=False) + built_mismatches()
        for line in bad:
            print(f"version drift: {line}", file=sys.stderr)
        if bad:
            sys.exit("run `make version` (after editing VERSION) and rebuild")
        print(f"every place says version {VERSION}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
