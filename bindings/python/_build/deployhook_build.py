"""The PEP 517 build backend of the deployhook Python package: the standard library only, no download.

``build_wheel`` runs the Swift build of the repository this directory lives in (``swift build -c release``,
two levels up) and bundles the library it makes, ``libdeployhook.so`` (self-contained: the Swift runtime is
linked in statically), stripped, as ``deployhook/libdeployhook.so``. The wheel then installs and runs on a
machine without Swift; the library needs only system libraries (libcurl). Setting
``DEPLOYHOOK_BUNDLE_LIBRARY=/path/to/libdeployhook.so`` bundles that file instead, without running Swift.

``build_editable`` (``pip install -e``) bundles nothing: the package is imported from this directory, so it
loads the checkout's ``.build/release`` library (build it first). There is no sdist: the package cannot be
built apart from the Swift sources around it, so ``build_sdist`` only says so.

PEP 517 runs every hook with the working directory set to the source tree, ``bindings/python``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

BUNDLE_VARIABLE = "DEPLOYHOOK_BUNDLE_LIBRARY"
"""The environment variable naming a prebuilt library to bundle instead of running the Swift build."""

PACKAGE = "deployhook"
LIBRARY = "libdeployhook.dylib" if sys.platform == "darwin" else "libdeployhook.so"
_STRIP = ["strip", "-x"] if sys.platform == "darwin" else ["strip", "--strip-unneeded"]
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the same timestamp for every entry: the same inputs make the same wheel


def _project() -> dict:
    """The ``[project]`` table of ``pyproject.toml``."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # get_requires_for_build_* asked for it
        import tomli as tomllib
    with open("pyproject.toml", "rb") as file:
        project = tomllib.load(file)["project"]
    return {**project, "version": _version()}


def _version() -> str:
    """The version: VERSION at the top of the repository, the one place it is written by hand."""
    path = Path.cwd().resolve().parent.parent / "VERSION"
    if not path.is_file():
        raise RuntimeError(f"no {path}: build the wheel from bindings/python inside the deployhook repository")
    return path.read_text(encoding="utf-8").strip()


def _metadata(project: dict) -> str:
    """The core metadata (``METADATA``) from ``[project]``, with the README as the long description."""
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
        *(f"Classifier: {classifier}" for classifier in project.get("classifiers", [])),
        *(f"Requires-Dist: {requirement}" for requirement in project.get("dependencies", [])),
        "Description-Content-Type: text/markdown",
    ]
    readme = Path(project["readme"]).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + readme


def _dist_info(project: dict, tag: str) -> tuple[str, dict[str, str]]:
    """The ``.dist-info`` directory's name and its files (but ``RECORD``), for a wheel of this tag."""
    wheel = f"Wheel-Version: 1.0\nGenerator: deployhook_build\nRoot-Is-Purelib: false\nTag: {tag}\n"
    name = f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    return name, {"METADATA": _metadata(project), "WHEEL": wheel, "top_level.txt": f"{PACKAGE}\n"}


def _platform_tag() -> str:
    """The wheel tag of a bundled library: any Python 3 (ctypes loads it), this machine's platform."""
    return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _swift_build() -> Path:
    """Runs ``swift build -c release`` on the repository two levels up; returns the library it made."""
    root = Path.cwd().resolve().parent.parent
    if not (root / "Package.swift").is_file():
        raise RuntimeError(f"no Package.swift in {root}: build the wheel from bindings/python inside the deployhook "
                           f"repository, or set {BUNDLE_VARIABLE} to a prebuilt {LIBRARY}")
    swift = shutil.which("swift")
    if swift is None:
        raise RuntimeError(f"swift is not on PATH: install the Swift toolchain (https://swift.org/install), "
                           f"or set {BUNDLE_VARIABLE} to a prebuilt {LIBRARY}")
    print(f"deployhook_build: {swift} build -c release --package-path {root}", file=sys.stderr, flush=True)
    subprocess.run([swift, "build", "-c", "release", "--package-path", str(root)], check=True)
    return root / ".build" / "release" / LIBRARY


def _library() -> bytes:
    """The library to bundle, stripped when ``strip`` exists: ``DEPLOYHOOK_BUNDLE_LIBRARY``'s, else a fresh build's."""
    source = Path(os.environ[BUNDLE_VARIABLE]) if os.environ.get(BUNDLE_VARIABLE) else _swift_build()
    if not source.is_file():
        raise RuntimeError(f"{source} is not a file")
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / LIBRARY
        shutil.copyfile(source, copy)
        if shutil.which(_STRIP[0]):
            subprocess.run([*_STRIP, str(copy)], check=True)
        return copy.read_bytes()


def _package_files() -> dict[str, bytes]:
    """The package's modules and ``py.typed``, by their path in the wheel (no caches, no stray library)."""
    return {path.as_posix(): path.read_bytes() for path in sorted(Path(PACKAGE).rglob("*"))
            if path.suffix == ".py" or path.name == "py.typed"}


def _write_wheel(directory: str, project: dict, tag: str, files: dict[str, bytes]) -> str:
    """Writes the wheel of ``files`` plus its ``.dist-info`` (``RECORD`` with sha256) into ``directory``;
    returns its file name."""
    dist_info, info_files = _dist_info(project, tag)
    files = {**files, **{f"{dist_info}/{name}": text.encode() for name, text in info_files.items()}}
    file_name = f"{project['name'].replace('-', '_')}-{project['version']}-{tag}.whl"
    record = []
    with zipfile.ZipFile(Path(directory) / file_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, _ZIP_DATE)
            entry.external_attr = (0o100755 if name.endswith(LIBRARY) else 0o100644) << 16
            wheel.writestr(entry, data, zipfile.ZIP_DEFLATED)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{name},sha256={digest},{len(data)}\n")
        record.append(f"{dist_info}/RECORD,,\n")
        entry = zipfile.ZipInfo(f"{dist_info}/RECORD", _ZIP_DATE)
        entry.external_attr = 0o100644 << 16
        wheel.writestr(entry, "".join(record), zipfile.ZIP_DEFLATED)
    return file_name


def _prepare_metadata(metadata_directory: str, tag: str) -> str:
    """Writes the ``.dist-info`` directory of a wheel of this tag into ``metadata_directory``; returns its name."""
    name, info_files = _dist_info(_project(), tag)
    (Path(metadata_directory) / name).mkdir()
    for file_name, text in info_files.items():
        (Path(metadata_directory) / name / file_name).write_text(text, encoding="utf-8")
    return name


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    """PEP 517: nothing to install, but a TOML parser before Python 3.11 (which has tomllib)."""
    return [] if sys.version_info >= (3, 11) else ["tomli>=1.1"]


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: dict | None = None) -> str:
    """PEP 517: the wheel's ``.dist-info``, without building the library."""
    return _prepare_metadata(metadata_directory, _platform_tag())


def build_wheel(wheel_directory: str, config_settings: dict | None = None,
                metadata_directory: str | None = None) -> str:
    """PEP 517: builds the library and the wheel that bundles it into ``wheel_directory``; returns its name."""
    files = {**_package_files(), f"{PACKAGE}/{LIBRARY}": _library()}
    return _write_wheel(wheel_directory, _project(), _platform_tag(), files)


def build_sdist(sdist_directory: str, config_settings: dict | None = None) -> str:
    """PEP 517: refuses, saying why; an sdist of this directory alone would lack the Swift sources."""
    raise RuntimeError("deployhook has no sdist (its wheel bundles a library built from the whole repository): "
                       "build the wheel directly, with `pip wheel bindings/python` or "
                       "`python -m build --wheel bindings/python`")


get_requires_for_build_editable = get_requires_for_build_wheel  # PEP 660: the same as for a wheel


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: dict | None = None) -> str:
    """PEP 660: the editable wheel's ``.dist-info``."""
    return _prepare_metadata(metadata_directory, "py3-none-any")


def build_editable(wheel_directory: str, config_settings: dict | None = None,
                   metadata_directory: str | None = None) -> str:
    """PEP 660: a wheel holding only a ``.pth`` file that puts this source tree on ``sys.path``."""
    files = {f"__editable__.{PACKAGE}.pth": f"{Path.cwd().resolve()}\n".encode()}
    return _write_wheel(wheel_directory, _project(), "py3-none-any", files)
