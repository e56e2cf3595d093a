"""Finding the library: DEPLOYHOOK_LIBRARY, then the package directory, the source checkout, the system."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

import deployhook
from deployhook._errors import ErrorCode
from deployhook._library import _PROTOTYPES, OptionsPointer, ResultPointer, WaitCallback, library_path
from deployhook._models import OUTCOME_BY_NUMBER, STATUS_BY_NUMBER

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


DESCRIPTION = json.loads((REPO / "include" / "deployhook.json").read_text())
"""include/deployhook.json: every function of the C ABI with its C types (generated with the header)."""
C_TYPES: dict[str, object] = {
    "void": None, "int": ctypes.c_int, "long": ctypes.c_long, "size_t": ctypes.c_size_t, "double": ctypes.c_double,
    "void *": ctypes.c_void_p, "const char *": ctypes.c_char_p, "const char *const *": ctypes.POINTER(ctypes.c_char_p),
    "deployhook_result *": ResultPointer, "const deployhook_result *": ResultPointer,
    "deployhook_result **": ctypes.POINTER(ResultPointer),
    "deployhook_options *": OptionsPointer, "const deployhook_options *": OptionsPointer,
    "deployhook_wait_callback": WaitCallback,
}


def _ctypes(function: dict) -> tuple[object, list[object]]:
    """(restype, argtypes) for a function or callback of the JSON description."""
    return C_TYPES[function["returns"]["type"]], [C_TYPES[parameter["type"]] for parameter in function["parameters"]]


def test_prototypes_match_the_abi_description() -> None:
    """Every function of include/deployhook.json has its argtypes and restype, exactly as described, and no other."""
    described = {function["name"]: _ctypes(function) for function in DESCRIPTION["functions"]}
    assert described == {name: (restype, list(argtypes)) for name, (restype, argtypes) in _PROTOTYPES.items()}


def test_wait_callback_matches_the_abi_description() -> None:
    """WaitCallback is deployhook_wait_callback: (int event, int status, const char *text, double, void *)."""
    (callback,) = [c for c in DESCRIPTION["callbacks"] if c["name"] == "deployhook_wait_callback"]
    assert (WaitCallback._restype_, list(WaitCallback._argtypes_)) == _ctypes(callback)


def test_codes_match_the_abi_description() -> None:
    """ErrorCode has the names and values of deployhook_error; the status and outcome tables follow their enums."""
    enums = {enum["name"]: [(value["name"], value["value"]) for value in enum["values"]] for enum in DESCRIPTION["enums"]}
    assert [(f"DEPLOYHOOK_{'' if code is ErrorCode.OK else 'ERR_'}{code.name}", code.value) for code in ErrorCode] \
        == enums["deployhook_error"]
    assert [(f"DEPLOYHOOK_STATUS_{status.name}", number) for number, status in enumerate(STATUS_BY_NUMBER)] \
        == enums["deployhook_status"]
    assert [(f"DEPLOYHOOK_OUTCOME_{outcome.name if outcome else 'NONE'}", number)
            for number, outcome in enumerate(OUTCOME_BY_NUMBER)] == enums["deployhook_outcome"]


def test_names_and_version_are_ascii() -> None:
    """Every name the library gives (and its version) is plain ASCII, as the header promises."""
    from deployhook._library import lib

    names = [function(number) for number in range(-2, 40) for function in
             (lib.deployhook_error_name, lib.deployhook_status_name, lib.deployhook_outcome_name)]
    assert all(name.isascii() for name in [*names, lib.deployhook_version()])
