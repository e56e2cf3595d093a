"""Finding the library: DEPLOYHOOK_LIBRARY, then the package directory, the source checkout, the system."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

import deployhook
from deployhook._library import _PROTOTYPES, OptionsPointer, ResultPointer, WaitCallback, library_path

PACKAGE = Path(deployhook.__file__).parent
FILE_NAME = Path(library_path).name
CHECKOUT_LIBRARY = REPO / ".build" / "release" / FILE_NAME


def _run(code: str, python_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a fresh interpreter that sees only ``python_path`` and ``environment``."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEPLOYHOOK_LIBRARY", "PYTHONPATH")}
    env.update(environment, PYTHONPATH=str(python_path))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=python_path)


def _copy_package(destination: Path) -> Path:
    """A copy of the package's Python files, away from the source checkout; returns its parent."""
    shutil.copytree(PACKAGE, destination / "deployhook", ignore=shutil.ignore_patterns("__pycache__", "*.so",
                                                                                         "*.dylib"))
    return destination


@pytest.mark.skipif(not CHECKOUT_LIBRARY.exists(), reason="needs `swift build -c release`")
def test_checkout_build_is_found_without_environment() -> None:
    if (PACKAGE / FILE_NAME).exists():
        pytest.skip("a library is bundled in the package directory")
    answer = _run("import deployhook, deployhook._library as l; print(deployhook.__version__, l.library_path)",
                  REPO / "bindings" / "python")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == [deployhook.__version__, str(CHECKOUT_LIBRARY)]


def test_environment_variable_comes_first(tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere" / "libdeployhook-custom.so"
    chosen.parent.mkdir()
    shutil.copy(library_path, chosen)
    answer = _run("import deployhook._library as l; print(l.library_path)", REPO / "bindings" / "python",
                  DEPLOYHOOK_LIBRARY=str(chosen))
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == str(chosen)


def test_bundled_library_is_found(tmp_path: Path) -> None:
    parent = _copy_package(tmp_path)
    shutil.copy(library_path, parent / "deployhook" / FILE_NAME)
    answer = _run("import deployhook._library as l; print(l.library_path)", parent)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == str(parent / "deployhook" / FILE_NAME)


def test_unloadable_environment_variable_warns_and_falls_back(tmp_path: Path) -> None:
    parent = _copy_package(tmp_path)
    shutil.copy(library_path, parent / "deployhook" / FILE_NAME)
    answer = _run("import deployhook._library as l; print(l.library_path)", parent,
                  DEPLOYHOOK_LIBRARY=str(tmp_path / "missing.so"))
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == str(parent / "deployhook" / FILE_NAME)
    assert "RuntimeWarning" in answer.stderr and "missing.so" in answer.stderr


def test_import_error_lists_what_was_tried(tmp_path: Path) -> None:
    from ctypes.util import find_library

    if find_library("deployhook"):
        pytest.skip("a libdeployhook is installed on the system")
    not_a_library = tmp_path / "not-a-library.so"
    not_a_library.write_text("not ELF")
    parent = _copy_package(tmp_path)
    bare_import = _run("import deployhook; print(deployhook.ErrorCode.OK)", parent, DEPLOYHOOK_LIBRARY=str(not_a_library))
    assert bare_import.returncode == 0, bare_import.stderr  # the library loads on first use, not at import
    answer = _run("from deployhook import trigger", parent, DEPLOYHOOK_LIBRARY=str(not_a_library))
    assert answer.returncode != 0
    message = answer.stderr[answer.stderr.index("ImportError"):]
    assert f"DEPLOYHOOK_LIBRARY: {not_a_library}" in message
    assert f"bundled: {parent / 'deployhook' / FILE_NAME} (no such file)" in message
    assert "source checkout" not in message  # the copy is not in the repository
    assert "system: ctypes.util.find_library('deployhook') found nothing" in message
    assert "swift build -c release" in message


HEADER = REPO / "include" / "deployhook.h"
C_TYPES: dict[str, object] = {
    "void": None, "int": ctypes.c_int, "long": ctypes.c_long, "const char *": ctypes.c_char_p,
    "deployhook_error": ctypes.c_int, "deployhook_status": ctypes.c_int,  # C enums are int-sized
    "deployhook_result *": ResultPointer, "const deployhook_result *": ResultPointer,
    "deployhook_options *": OptionsPointer, "const deployhook_options *": OptionsPointer,
    "deployhook_outcome": ctypes.c_int, "double": ctypes.c_double, "void *": ctypes.c_void_p,
    "deployhook_wait_callback": WaitCallback, "size_t": ctypes.c_size_t,
    "const char *const *": ctypes.POINTER(ctypes.c_char_p), "deployhook_result * *": ctypes.POINTER(ResultPointer),
}


def _c_type(declaration: str) -> object:
    """The ctypes type for a C type, or a parameter declaration with its name (``const char *hook``)."""
    text = re.sub(r"\s*\*\s*", " *", declaration.strip())
    if text not in C_TYPES:
        text = re.sub(r"\s*\w+$", "", text)
    return C_TYPES[text]


def test_prototypes_match_the_header() -> None:
    """Every function of include/deployhook.h has its argtypes and restype, exactly as declared."""
    header = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.DOTALL)
    declared = {name: (_c_type(result), [] if params.strip() in ("", "void") else
                       [_c_type(param) for param in params.split(",")])
                for result, name, params in re.findall(r"^([\w ]+?\s*\**)\s*(deployhook_\w+)\(([^)]*)\);", header,
                                                         flags=re.MULTILINE)}
    assert declared == {name: (restype, list(argtypes)) for name, (restype, argtypes) in _PROTOTYPES.items()}
