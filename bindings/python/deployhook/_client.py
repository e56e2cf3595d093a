"""The :class:`Client` (options kept in a C ``deployhook_options``) and the module-level :func:`trigger`."""

from __future__ import annotations

import json
import os
import sys
import threading
import weakref

from ._errors import DeployHookError, ErrorCode, InvalidHookError, InvalidOptionError, error_for
from ._library import VERSION, lib
from ._models import STATUS_BY_NUMBER, Build, BuildStatus, parse_timestamp

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it would slow down `import deployhook`
    import ctypes
    from types import TracebackType
    from typing import Callable

    from ._library import Result

_OS_NAMES = {"darwin": "macos", "win32": "windows"}
USER_AGENT = f"deployhook/{VERSION} (python; {_OS_NAMES.get(sys.platform, sys.platform)})"
"""The User-Agent the binding sends unless told otherwise."""

_INT_MAX = 2**31 - 1  # clamp numbers into range for C: ctypes would silently wrap larger ones


class Client:
    """Triggers deploy hooks with fixed settings. Safe to share between threads; each call blocks only its thread.

    Every argument left at ``None`` takes the library's default; an explicit ``base_url`` beats the
    ``CLOUDFLARE_BASE_URL`` environment variable (read at each trigger), which beats Cloudflare's API.

    Args:
        base_url: the API base, e.g. ``https://api.cloudflare.com/client/v4`` (the default).
        timeout: the deadline of a whole trigger, retries and their waits included, in seconds (default 60).
        connect_timeout: the limit on each connection attempt, in seconds (default 5).
        max_retries: how often a failed attempt is retried when that is safe, 0 to 100 (default 2).
        ca_file: a PEM file of CA certificates to trust instead of the system's.
        user_agent: the User-Agent header (default ``deployhook/<version> (python; <platform>)``).

    Raises:
        InvalidOptionError: a value the library rejects (out of range, unreadable CA file...); also a ValueError.
        TypeError: a value of the wrong type.

    A client holds a small C object: :meth:`close` it (or use ``with``), or let garbage collection free it.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        ca_file: str | os.PathLike[str] | None = None,
        user_agent: str | None = None,
    ) -> None:
        options = lib.deployhook_options_new()
        if not options:
            raise MemoryError("deployhook_options_new failed")
        self._options = options
        self._free = weakref.finalize(self, lib.deployhook_options_free, options)
        self._lock = threading.Lock()
        self._calls = 0  # triggers in flight; the options are freed only once none is
        self._closed = False
        self._settings: dict[str, object] = {}
        try:
            if base_url is not None:
                self._set("base_url", base_url, lib.deployhook_options_set_base_url, _c_string("base_url", base_url),
                          "must be an http(s) URL with a host and no user info, query or fragment")
            if timeout is not None:
                self._set("timeout", timeout, lib.deployhook_options_set_timeout_ms,
                          _milliseconds("timeout", timeout), "must be between 0.001 and 86400 seconds")
            if connect_timeout is not None:
                self._set("connect_timeout", connect_timeout, lib.deployhook_options_set_connect_timeout_ms,
                          _milliseconds("connect_timeout", connect_timeout), "must be between 0.001 and 86400 seconds")
            if max_retries is not None:
                self._set("max_retries", max_retries, lib.deployhook_options_set_max_retries,
                          _count("max_retries", max_retries), "must be between 0 and 100")
            if ca_file is not None:
                self._set("ca_file", ca_file, lib.deployhook_options_set_ca_file, _c_path("ca_file", ca_file),
                          "must name a readable file")
            self._set("user_agent", user_agent, lib.deployhook_options_set_user_agent,
                      _c_string("user_agent", USER_AGENT if user_agent is None else user_agent),
                      "must be 1 to 1024 bytes without control characters")
        except BaseException:
            self._free()
            raise

    def _set(self, name: str, value: object, setter: Callable[[object, object], int], c_value: object,
             rule: str) -> None:
        """Passes an option to the library; records it for ``repr``, or raises when the library rejects it."""
        if setter(self._options, c_value) != ErrorCode.OK:
            raise InvalidOptionError(f"{name} {rule}, got {value!r}")
        if value is not None:
            self._settings[name] = value

    def trigger(self, hook: str) -> Build:
        """Triggers the deploy hook ``hook`` (its UUID, or the full trigger URL) and returns the build.

        Blocks until Cloudflare answers, retrying when that is safe; other threads keep running meanwhile.
        The hook is a secret: it appears in no message, exception or ``repr``.

        Raises:
            InvalidHookError: ``hook`` is not a UUID nor a trigger URL under the API base (also a ValueError).
            NotFoundError, RateLimitedError, APIError, HTTPError, NetworkError, TimeoutError, TLSError,
            ResponseError, InternalError: the trigger failed; all are :class:`DeployHookError`.
            TypeError: ``hook`` is not a str.
        """
        encoded = _encode_hook(hook)
        with self._lock:
            if self._closed:
                raise RuntimeError("this deployhook.Client is closed")
            self._calls += 1
        try:
            result = lib.deployhook_trigger_with(encoded, self._options)
        finally:
            with self._lock:
                self._calls -= 1
                release = self._closed and self._calls == 0
            if release:
                self._free()
        if not result:
            raise MemoryError("deployhook_trigger_with failed")
        outcome = _read(result)
        if isinstance(outcome, DeployHookError):
            raise outcome
        return outcome

    def close(self) -> None:
        """Frees the C options (after the triggers in flight end). Idempotent; later triggers raise RuntimeError."""
        with self._lock:
            self._closed = True
            release = self._calls == 0
        if release:
            self._free()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={value!r}" for name, value in self._settings.items())
        return f"<deployhook.Client({settings}){' closed' if self._closed else ''}>"


_default_client: Client | None = None


def trigger(hook: str) -> Build:
    """Triggers the deploy hook ``hook`` with the default settings (``CLOUDFLARE_BASE_URL`` honoured).

    The same as ``Client().trigger(hook)``, with one shared client; see :meth:`Client.trigger`.
    """
    global _default_client
    if _default_client is None:
        _default_client = Client()
    return _default_client.trigger(hook)


def _read(result: ctypes._Pointer[Result]) -> Build | DeployHookError:
    """Reads everything from ``result``, frees it exactly once, and returns the build or the error."""
    try:
        code = lib.deployhook_error_code(result)
        cf_ray = _text(lib.deployhook_cf_ray(result))
        if code != ErrorCode.OK:
            message = lib.deployhook_error_message(result) or lib.deployhook_error_name(code)
            return error_for(code, _text(message) or "", api_code=lib.deployhook_api_error_code(result) or None,
                             http_status=lib.deployhook_http_status(result) or None, cf_ray=cf_ray)
        build_uuid = _text(lib.deployhook_build_uuid(result))
        status = lib.deployhook_build_status(result)
        already_exists = lib.deployhook_already_exists(result)
        created_on = _text(lib.deployhook_created_on(result))
        body = lib.deployhook_response_body(result)
    finally:
        lib.deployhook_free_result(result)
    return Build(
        build_uuid=build_uuid,
        status=STATUS_BY_NUMBER[status] if 0 <= status < len(STATUS_BY_NUMBER) else BuildStatus.UNKNOWN,
        already_exists=None if already_exists < 0 else bool(already_exists),
        created_on=parse_timestamp(created_on),
        cf_ray=cf_ray,
        raw=json.loads(body) if body else {},
    )


def _text(value: bytes | None) -> str | None:
    """A C string borrowed from the library, decoded (copied) into a str."""
    return None if value is None else value.decode("utf-8", "replace")


def _encode_hook(hook: str) -> bytes:
    """The hook as a C string. Neither error quotes it: the hook is a secret."""
    if not isinstance(hook, str):
        raise TypeError(f"the deploy hook must be a str, not {type(hook).__name__}")
    if "\0" in hook:
        raise InvalidHookError("the deploy hook contains spaces or control characters")
    return hook.encode("utf-8", "surrogatepass")  # never fails; the library rejects what is not a hook


def _c_string(name: str, value: str) -> bytes:
    """An option's text as a C string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidOptionError(f"{name} must not contain NUL characters, got {value!r}")
    return value.encode("utf-8", "surrogatepass")


def _c_path(name: str, value: str | os.PathLike[str]) -> bytes:
    """A file name as a C string, in the file system's encoding."""
    path = os.fsencode(value)
    if b"\0" in path:
        raise InvalidOptionError(f"{name} must not contain NUL characters, got {value!r}")
    return path


def _milliseconds(name: str, seconds: float) -> int:
    """Seconds as whole milliseconds for C, clamped into C's range (the library rejects the out-of-range)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    try:
        milliseconds = round(seconds * 1000)
    except (ValueError, OverflowError):  # NaN, infinity
        milliseconds = -1
    return max(-1, min(_INT_MAX, milliseconds))


def _count(name: str, value: int) -> int:
    """An int for C, clamped into C's range (the library rejects the out-of-range)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return max(-1, min(_INT_MAX, value))
