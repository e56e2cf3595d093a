"""Finding and loading ``libdeployhook``, and the ctypes prototypes of its C ABI.

The library is searched for in this order, and the first one that loads wins:

1. the file named by the environment variable ``DEPLOYHOOK_LIBRARY``;
2. a library bundled inside this package's directory;
3. when imported from the repository, its ``.build/release/libdeployhook.so`` (after ``swift build -c release``);
4. ``ctypes.util.find_library("deployhook")`` (a library installed on the system).

When none loads, importing :mod:`deployhook` raises an :class:`ImportError` that lists every attempt.
The library is never unloaded: it holds Swift code, which must not be ``dlclose``d.

Every function of the ABI gets its ``argtypes`` and ``restype`` here. The ``const char *`` getters
return strings *borrowed* from their result (or static), so ``c_char_p`` copies them safely; the result
itself is released with ``deployhook_free_result``. No function returns a string the caller must free.
"""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_long, c_size_t, c_void_p

ENVIRONMENT_VARIABLE = "DEPLOYHOOK_LIBRARY"
"""The environment variable naming the library file to load first."""

_FILE_NAME = "libdeployhook.dylib" if sys.platform == "darwin" else "libdeployhook.so"


class Result(ctypes.Structure):
    """The opaque ``deployhook_result``."""


class Options(ctypes.Structure):
    """The opaque ``deployhook_options``."""


ResultPointer = POINTER(Result)
OptionsPointer = POINTER(Options)

WaitCallback = CFUNCTYPE(None, c_int, c_int, c_char_p, c_double, c_void_p)
"""``deployhook_wait_callback``: (int event, int status, text, timestamp, user_data)."""

# name: (restype, argtypes), exactly as include/deployhook.json describes them (tests/test_loader.py checks it).
# Every enum crosses the ABI as an int.
_PROTOTYPES: dict[str, tuple[object, list[object]]] = {
    "deployhook_trigger": (ResultPointer, [c_char_p]),
    "deployhook_trigger_with": (ResultPointer, [c_char_p, OptionsPointer]),
    "deployhook_trigger_many": (c_int, [POINTER(c_char_p), c_size_t, OptionsPointer, POINTER(ResultPointer)]),
    "deployhook_error_code": (c_int, [ResultPointer]),
    "deployhook_free_result": (None, [ResultPointer]),
    "deployhook_error_message": (c_char_p, [ResultPointer]),
    "deployhook_error_name": (c_char_p, [c_int]),
    "deployhook_status_name": (c_char_p, [c_int]),
    "deployhook_api_error_code": (c_int, [ResultPointer]),
    "deployhook_http_status": (c_int, [ResultPointer]),
    "deployhook_build_uuid": (c_char_p, [ResultPointer]),
    "deployhook_build_status": (c_int, [ResultPointer]),
    "deployhook_already_exists": (c_int, [ResultPointer]),
    "deployhook_created_on": (c_char_p, [ResultPointer]),
    "deployhook_cf_ray": (c_char_p, [ResultPointer]),
    "deployhook_response_body": (c_char_p, [ResultPointer]),
    "deployhook_version": (c_char_p, []),
    "deployhook_version_number": (c_int, []),
    "deployhook_options_new": (OptionsPointer, []),
    "deployhook_options_free": (None, [OptionsPointer]),
    "deployhook_options_set_base_url": (c_int, [OptionsPointer, c_char_p]),
    "deployhook_options_set_timeout_ms": (c_int, [OptionsPointer, c_long]),
    "deployhook_options_set_connect_timeout_ms": (c_int, [OptionsPointer, c_long]),
    "deployhook_options_set_max_retries": (c_int, [OptionsPointer, c_int]),
    "deployhook_options_set_max_concurrency": (c_int, [OptionsPointer, c_int]),
    "deployhook_options_set_ca_file": (c_int, [OptionsPointer, c_char_p]),
    "deployhook_options_set_user_agent": (c_int, [OptionsPointer, c_char_p]),
    "deployhook_options_set_api_token": (c_int, [OptionsPointer, c_char_p]),
    "deployhook_options_set_account_id": (c_int, [OptionsPointer, c_char_p]),
    "deployhook_options_dup": (OptionsPointer, [OptionsPointer]),
    "deployhook_options_dup_linked": (OptionsPointer, [OptionsPointer]),
    "deployhook_options_set_binding_name": (c_int, [OptionsPointer, c_char_p]),
    "deployhook_options_interrupt": (c_int, [OptionsPointer]),
    "deployhook_options_shut_down": (c_int, [OptionsPointer]),
    "deployhook_last_error_message": (c_char_p, []),
    "deployhook_cancel_build": (ResultPointer, [c_char_p, OptionsPointer]),
    "deployhook_already_stopped": (c_int, [ResultPointer]),
    **{f"deployhook_{name}": (c_char_p, [ResultPointer]) for name in (
        "branch", "commit_hash", "commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name",
        "initializing_on", "running_on", "modified_on")},
    "deployhook_options_set_wait_timeout_ms": (c_int, [OptionsPointer, c_long]),
    "deployhook_wait": (ResultPointer, [c_char_p, OptionsPointer, c_int, WaitCallback, c_void_p]),
    "deployhook_trigger_and_wait": (ResultPointer, [c_char_p, OptionsPointer, c_int, WaitCallback, c_void_p]),
    "deployhook_build_outcome": (c_int, [ResultPointer]),
    "deployhook_preview_url": (c_char_p, [ResultPointer]),
    "deployhook_stopped_on": (c_char_p, [ResultPointer]),
    "deployhook_outcome_name": (c_char_p, [c_int]),
}

# The C library's dlopen and dlerror, for _open.
_process = ctypes.CDLL(None)
_dlopen = _process.dlopen
_dlopen.restype, _dlopen.argtypes = c_void_p, [c_char_p, c_int]
_dlerror = _process.dlerror
_dlerror.restype, _dlerror.argtypes = c_char_p, []

_BUILD_HINT = (
    "Build it from the repository root with `swift build -c release` (it lands in .build/release/), then set "
    "DEPLOYHOOK_LIBRARY to its path or install it where the system's dynamic linker finds it."
)


def _candidates() -> list[tuple[str, str | None]]:
    """The places to try, in order, as ``(where, path)``; a ``None`` path means "ask find_library"."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    checkout_root = os.path.dirname(os.path.dirname(os.path.dirname(package_dir)))
    candidates: list[tuple[str, str | None]] = []
    explicit = os.environ.get(ENVIRONMENT_VARIABLE)
    if explicit:
        candidates.append((ENVIRONMENT_VARIABLE, explicit))
    candidates.append(("bundled", os.path.join(package_dir, _FILE_NAME)))
    if os.path.exists(os.path.join(checkout_root, "Package.swift")):  # imported from the repository itself
        candidates.append(("source checkout", os.path.join(checkout_root, ".build", "release", _FILE_NAME)))
    candidates.append(("system", None))
    return candidates


def _open(path: str) -> ctypes.CDLL:
    """Loads ``path`` and declares every prototype; raises OSError or AttributeError when unusable.

    ctypes.CDLL would dlopen with RTLD_NOW, binding every function of the library and of its dependencies
    (libcurl's and Swift's, dozens) up front; a C program gets lazy binding, which starts 1.5 ms sooner.
    So the library is opened with RTLD_LAZY and the handle given to CDLL (not PyDLL: calls release the GIL).
    """
    handle = _dlopen(os.fsencode(path), os.RTLD_LAZY | os.RTLD_LOCAL)
    if not handle:
        raise OSError(_dlerror().decode(errors="replace"))
    library = ctypes.CDLL(path, handle=handle)
    for name, (restype, argtypes) in _PROTOTYPES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    return library


def load() -> tuple[ctypes.CDLL, str]:
    """Finds and loads the library; returns it and where it came from. Raises ImportError."""
    tried: list[str] = []
    for where, path in _candidates():
        if path is None:
            from ctypes.util import find_library  # costly (it imports subprocess): only as a last resort

            path = find_library("deployhook")
            if path is None:
                tried.append(f"  - {where}: ctypes.util.find_library('deployhook') found nothing")
                continue
        elif where != ENVIRONMENT_VARIABLE and not os.path.exists(path):
            tried.append(f"  - {where}: {path} (no such file)")
            continue
        try:
            return _open(path), path
        except (OSError, AttributeError) as error:
            tried.append(f"  - {where}: {path} ({error})")
            if where == ENVIRONMENT_VARIABLE:
                import warnings  # only on this path: importing it costs every start-up

                warnings.warn(f"{ENVIRONMENT_VARIABLE}={path} could not be loaded ({error}); looking elsewhere",
                              RuntimeWarning, stacklevel=2)
    raise ImportError("deployhook could not load its C library, libdeployhook. Tried, in order:\n"
                      + "\n".join(tried) + "\n" + _BUILD_HINT)


lib, library_path = load()
"""The loaded library (kept for the life of the process) and the file it was loaded from."""

VERSION: str = lib.deployhook_version().decode("ascii")
"""The library's version, e.g. ``0.1.0``."""
