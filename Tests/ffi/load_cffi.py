"""cffi in ABI mode: include/deployhook.cdef loads unmodified with ffi.cdef, and the library answers through it.

Usage (from the repository root): python3 Tests/ffi/load_cffi.py [LIBRARY]   (default .build/release/libdeployhook.so)
"""
import sys

import cffi

ffi = cffi.FFI()
with open("include/deployhook.cdef") as file:
    ffi.cdef(file.read())  # the file as is
lib = ffi.dlopen(sys.argv[1] if len(sys.argv) > 1 else ".build/release/libdeployhook.so")

failures = 0


def check(ok: bool, what: str) -> None:
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += not ok


version = ffi.string(lib.deployhook_version()).decode("ascii")
parts = [int(part) for part in version.split(".")] if version.count(".") == 2 else []
check(len(parts) == 3, f"deployhook_version() is MAJOR.MINOR.PATCH: {version}")
check(lib.deployhook_version_number() == lib.DEPLOYHOOK_VERSION_NUMBER, "deployhook_version_number() is DEPLOYHOOK_VERSION_NUMBER")
check(len(parts) == 3 and parts[0] * 1000000 + parts[1] * 1000 + parts[2] == lib.DEPLOYHOOK_VERSION_NUMBER,
      "the version string and number agree")
check(ffi.string(lib.deployhook_error_name(lib.DEPLOYHOOK_ERR_NOT_FOUND)) == b"DEPLOYHOOK_ERR_NOT_FOUND", "deployhook_error_name(NOT_FOUND)")
check(ffi.string(lib.deployhook_error_name(999)) == b"DEPLOYHOOK_ERR_UNKNOWN", "deployhook_error_name(999) is UNKNOWN")

# Owned handles, an int-returning setter, borrowed strings and the callback typedef, without traffic.
options = ffi.gc(lib.deployhook_options_new(), lib.deployhook_options_free)
check(lib.deployhook_options_set_timeout_ms(options, 0) == lib.DEPLOYHOOK_ERR_INVALID_ARGUMENT, "a bad timeout is INVALID_ARGUMENT")
result = ffi.gc(lib.deployhook_trigger_with(b"not a hook", options), lib.deployhook_free_result)
check(lib.deployhook_error_code(result) == lib.DEPLOYHOOK_ERR_INVALID_ARGUMENT, "an invalid hook is INVALID_ARGUMENT")
message = lib.deployhook_error_message(result)
check(message != ffi.NULL and ffi.string(message).isascii(), f"its message is ASCII: {ffi.string(message)!r}")
callback = ffi.callback("deployhook_wait_callback", lambda event, status, text, timestamp, user_data: None)
waited = ffi.gc(lib.deployhook_wait(ffi.NULL, options, 0, callback, ffi.NULL), lib.deployhook_free_result)
check(lib.deployhook_error_code(waited) == lib.DEPLOYHOOK_ERR_INVALID_ARGUMENT, "deployhook_wait(NULL, ...) with a callback is INVALID_ARGUMENT")

print("cffi loads deployhook.cdef: all checks passed" if failures == 0 else f"{failures} checks failed")
sys.exit(1 if failures else 0)
