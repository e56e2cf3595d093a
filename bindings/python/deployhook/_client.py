"""The :class:`Client` (options kept in a C ``deployhook_options``) and the module-level :func:`trigger`."""

from __future__ import annotations

import json
import os
import sys
import _thread
import weakref

from ctypes import c_char_p

from ._errors import DeployHookError, ErrorCode, InternalError, InvalidHookError, InvalidOptionError, error_for
from ._library import VERSION, ResultPointer, WaitCallback, lib
from ._models import OUTCOME_BY_NUMBER, STATUS_BY_NUMBER, Build, BuildOutcome, BuildStatus, parse_timestamp

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it would slow down `import deployhook`
    import ctypes
    from types import TracebackType
    from typing import Callable, Iterable, Optional, TypeVar

    from ._library import Options, Result

    StatusCallback = Optional[Callable[[Build], object]]
    LogCallback = Optional[Callable[[str], object]]
    T = TypeVar("T")

_OS_NAMES = {"darwin": "macos", "win32": "windows"}
USER_AGENT = f"deployhook/{VERSION} (python; {_OS_NAMES.get(sys.platform, sys.platform)})"
"""The User-Agent the binding sends unless told otherwise."""

_INT_MAX = 2**31 - 1  # clamp numbers into range for C: ctypes would silently wrap larger ones
_EVENT_STATUS, _EVENT_LOG = 1, 2  # deployhook_event
_SECONDS_RULE = "must be between 0.001 and 86400 seconds"


class Client:
    """Triggers deploy hooks and follows builds with fixed settings. Safe to share between threads; each call
    blocks only its thread.

    Every argument left at ``None`` takes the library's default; an explicit ``base_url`` beats the
    ``CLOUDFLARE_BASE_URL`` environment variable (read at each call), which beats Cloudflare's API. Likewise
    ``api_token`` and ``account_id`` beat ``CLOUDFLARE_API_TOKEN`` and ``CLOUDFLARE_ACCOUNT_ID`` (read at each
    wait); only waiting for a build needs them.

    Args:
        base_url: the API base, e.g. ``https://api.cloudflare.com/client/v4`` (the default).
        timeout: the deadline of a whole trigger, retries and their waits included, in seconds (default 60);
            while waiting, the deadline of each poll.
        connect_timeout: the limit on each connection attempt, in seconds (default 5).
        max_retries: how often a failed attempt is retried when that is safe, 0 to 100 (default 2).
        ca_file: a PEM file of CA certificates to trust instead of the system's.
        user_agent: the User-Agent header (default ``deployhook/<version> (python; <platform>)``).
        api_token: a Cloudflare API token with Workers Builds permissions, to follow builds. A secret like the
            hook: it appears in no ``repr``, message or exception, and is never sent to the trigger endpoint.
        account_id: the Cloudflare account the builds belong to.
        wait_timeout: how long a wait may take in all, in seconds (default 1500: builds time out after 20 min).

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
        api_token: str | None = None,
        account_id: str | None = None,
        wait_timeout: float | None = None,
        max_concurrency: int | None = None,
    ) -> None:
        options = lib.deployhook_options_new()
        if not options:
            raise MemoryError("deployhook_options_new failed")
        self._options = options
        self._free = weakref.finalize(self, lib.deployhook_options_free, options)
        self._lock = _thread.allocate_lock()  # threading.Lock itself, without importing threading
        self._calls = 0  # calls in flight; the options are freed only once none is
        self._closed = False
        self._settings: dict[str, object] = {}
        self._has_api_token = api_token is not None
        self._replay: list[Callable[[object], int]] = []  # applies each setting again, to copy the options
        try:
            if base_url is not None:
                self._set("base_url", base_url, lib.deployhook_options_set_base_url, _c_string("base_url", base_url),
                          "must be an http(s) URL with a host and no user info, query or fragment")
            if timeout is not None:
                self._set("timeout", timeout, lib.deployhook_options_set_timeout_ms,
                          _milliseconds("timeout", timeout), _SECONDS_RULE)
            if connect_timeout is not None:
                self._set("connect_timeout", connect_timeout, lib.deployhook_options_set_connect_timeout_ms,
                          _milliseconds("connect_timeout", connect_timeout), _SECONDS_RULE)
            if max_retries is not None:
                self._set("max_retries", max_retries, lib.deployhook_options_set_max_retries,
                          _count("max_retries", max_retries), "must be between 0 and 100")
            if max_concurrency is not None:
                self._set("max_concurrency", max_concurrency, lib.deployhook_options_set_max_concurrency,
                          _count("max_concurrency", max_concurrency), "must be between 1 and 256")
            if ca_file is not None:
                self._set("ca_file", ca_file, lib.deployhook_options_set_ca_file, _c_path("ca_file", ca_file),
                          "must name a readable file holding a PEM certificate")
            self._set("user_agent", user_agent, lib.deployhook_options_set_user_agent,
                      _c_string("user_agent", USER_AGENT if user_agent is None else user_agent),
                      "must be 1 to 1024 bytes without control characters")
            if api_token is not None:  # a secret: neither recorded for repr nor quoted in errors
                self._set("api_token", None, lib.deployhook_options_set_api_token,
                          _c_string("api_token", api_token, secret=True), "must be 1 to 1024 visible ASCII characters")
            if account_id is not None:
                self._set("account_id", account_id, lib.deployhook_options_set_account_id,
                          _c_string("account_id", account_id), "must be 1 to 64 letters, digits, '-' or '_'")
            if wait_timeout is not None:
                self._set("wait_timeout", wait_timeout, lib.deployhook_options_set_wait_timeout_ms,
                          _milliseconds("wait_timeout", wait_timeout), _SECONDS_RULE)
        except BaseException:
            self._free()
            raise

    def _set(self, name: str, value: object, setter: Callable[[object, object], int], c_value: object,
             rule: str) -> None:
        """Passes an option to the library and records it (``value``, unless None, for ``repr``); raises when
        the library rejects it, quoting ``value`` unless it is None."""
        if setter(self._options, c_value) != ErrorCode.OK:
            raise InvalidOptionError(f"{name} {rule}" + ("" if value is None else f", got {value!r}"))
        self._replay.append(lambda options: setter(options, c_value))  # a closure: no repr shows the token
        if value is not None:
            self._settings[name] = value

    def trigger(self, hook: str, wait: bool = False, on_status: StatusCallback = None, on_log: LogCallback = None,
                timeout: float | None = None) -> Build:
        """Triggers the deploy hook ``hook`` (its UUID, or the full trigger URL) and returns the build.

        Blocks until Cloudflare answers, retrying when that is safe; other threads keep running meanwhile.
        The hook is a secret: it appears in no message, exception or ``repr``.

        With ``wait=True`` it then waits for the build it started (or found pending) to stop, as :meth:`wait`
        does with ``on_status``, ``on_log`` and ``timeout``, and returns the final build: ``already_exists``
        from the trigger, the rest from the wait. The API token and account ID are checked
        before the trigger: a build nobody can follow is not started.

        Raises:
            InvalidHookError: ``hook`` is not a UUID nor a trigger URL under the API base (also a ValueError).
            NotFoundError, RateLimitedError, APIError, HTTPError, NetworkError, TimeoutError, TLSError,
            ResponseError, InternalError: the trigger (or a poll) failed; all are :class:`DeployHookError`.
            InvalidOptionError: with ``wait=True``, no API token or account ID (neither given nor in the
                environment); nothing was sent.
            WaitTimeoutError: see :meth:`wait`; the build was triggered all the same.
            TypeError: ``hook`` is not a str, or a callback or ``timeout`` is given without ``wait=True``.
        """
        encoded = _encode_hook(hook)
        if wait:
            self._check_credentials()
            return self._follow(lib.deployhook_trigger_and_wait, encoded, _NO_BUILD, on_status, on_log, timeout,
                                InvalidHookError)
        if on_status is not None or on_log is not None or timeout is not None:
            raise TypeError("on_status, on_log and timeout apply only with wait=True")
        return _raise_or_return(_read(self._run(lambda options: lib.deployhook_trigger_with(encoded, options))))

    def trigger_many(self, hooks: Iterable[str]) -> list[Build | DeployHookError]:
        """Triggers every hook concurrently and returns, in input order, each one's :class:`Build` or
        :class:`DeployHookError` (nothing is raised for a failed hook).

        At most ``max_concurrency`` (default 8) triggers run at once, over shared connections (libcurl's
        multi interface), each with the usual retries and its own deadline. The GIL is released meanwhile.
        An invalid hook fails alone, without traffic. Raises TypeError when a hook is not a str.
        """
        errors: dict[int, DeployHookError] = {}
        encoded: list[bytes | None] = []
        for index, hook in enumerate(hooks):
            try:
                encoded.append(_encode_hook(hook))
            except InvalidHookError as error:  # e.g. a NUL inside: C could not even see it whole
                errors[index] = error
                encoded.append(None)
        count = len(encoded)
        if count == 0:
            return []
        array = (c_char_p * count)(*encoded)
        results = (ResultPointer * count)()
        code = self._call(lambda options: lib.deployhook_trigger_many(array, count, options, results))
        if code != ErrorCode.OK:
            raise InternalError(f"deployhook_trigger_many failed: {lib.deployhook_error_name(code).decode()}")
        outcomes: list[Build | DeployHookError] = []
        for index in range(count):
            outcome = _read(results[index]) if results[index] else InternalError("out of memory")
            outcomes.append(errors.get(index, outcome))
        return outcomes

    def wait(self, build: Build | str, on_status: StatusCallback = None, on_log: LogCallback = None,
             timeout: float | None = None) -> Build:
        """Waits for ``build`` (a :class:`Build`, or a build UUID) to stop; returns it with its ``outcome``.

        Polls the build with the API token and account (``api_token``/``account_id``, else
        ``CLOUDFLARE_API_TOKEN``/``CLOUDFLARE_ACCOUNT_ID``): every 2 s at first, growing to 15 s. Passing
        failures (network, rate limits, 5xx) only delay the next poll. The GIL is released while the library
        waits, so other threads keep running.

        ``on_status(build)`` is called at the first poll and at each status change, with ``build`` at its new
        ``status`` (the last one is ``STOPPED`` unless the wait fails; the ``outcome`` is on the returned build,
        not on these). ``on_log(line)`` is called with each new line of the build's log, in order; logs are
        fetched only when ``on_log`` is given. Both run on this thread, during the wait. If one raises, the
        exception is kept, every later event is ignored, and it is re-raised (rather than any result or error of
        the wait) once the wait has ended: the wait itself cannot be interrupted, and goes on until the build
        stops or time runs out. The same holds for Ctrl-C, which Python sees at the next event at the earliest.

        ``timeout`` is how long this wait may take in all, in seconds (default: the client's ``wait_timeout``,
        else 25 minutes). When ``build`` is a :class:`Build`, the returned one keeps its ``already_exists``,
        and its ``cf_ray`` and ``raw`` unless the wait brings newer ones.

        Raises:
            WaitTimeoutError: the build did not stop in time (also the builtin ``TimeoutError``).
            InvalidOptionError: no API token or account ID (neither given nor in the environment), ``build``
                is not a build UUID, or ``timeout`` is out of range; also a ValueError.
            NotFoundError, APIError (e.g. a wrong token: ``api_code`` 10000), HTTPError, ResponseError,
            InternalError...: a poll failed for good; all are :class:`DeployHookError`.
            TypeError: ``build`` is neither a Build nor a str.
        """
        if isinstance(build, Build):
            given = build
        elif isinstance(build, str):
            given = Build(build, BuildStatus.UNKNOWN, None, None, None, {})
        else:
            raise TypeError(f"build must be a Build or a build UUID str, not {type(build).__name__}")
        build_uuid = given.build_uuid
        if build_uuid is None or "\0" in build_uuid or not build_uuid.isascii():
            raise InvalidOptionError("the build UUID is not a UUID")
        final = self._follow(lib.deployhook_wait, build_uuid.encode("ascii"), given, on_status, on_log, timeout,
                             InvalidOptionError)
        return Build(final.build_uuid, final.status, given.already_exists, final.created_on or given.created_on,
                     given.cf_ray if final.cf_ray is None else final.cf_ray, final.raw or given.raw, final.outcome,
                     final.preview_url, final.stopped_on)

    def _follow(self, function: Callable[..., ctypes._Pointer[Result]], target: bytes, given: Build,
                on_status: StatusCallback, on_log: LogCallback, timeout: float | None,
                invalid_argument: type[DeployHookError]) -> Build:
        """Calls ``deployhook_wait`` or ``deployhook_trigger_and_wait`` on ``target``, relaying its events; an
        invalid argument raises ``invalid_argument``."""
        events = _Events(given, on_status, on_log)  # holds the CFUNCTYPE object until the call has returned
        options = None if timeout is None else self._copy_options(wait_timeout=timeout)
        try:
            result = self._run(lambda own: function(target, own if options is None else options,
                                                     int(on_log is not None), events.callback, None))
        finally:
            if options is not None:
                lib.deployhook_options_free(options)
        outcome = _read(result, invalid_argument)
        if events.error is not None:
            raise events.error
        return _raise_or_return(outcome)

    def _check_credentials(self) -> None:
        """Raises InvalidOptionError when a wait would lack the API token or the account ID.

        The library finds that too, before sending anything, but with the same code as a bad hook: checking
        here first tells the two apart.
        """
        if not (self._has_api_token or os.environ.get("CLOUDFLARE_API_TOKEN")) or not (
                "account_id" in self._settings or os.environ.get("CLOUDFLARE_ACCOUNT_ID")):
            raise InvalidOptionError("following a build needs an account ID and an API token "
                                     "(CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN)")

    def _copy_options(self, *, wait_timeout: float) -> ctypes._Pointer[Options]:
        """New C options holding this client's settings and ``wait_timeout``; the caller frees them."""
        milliseconds = _milliseconds("timeout", wait_timeout)
        options = lib.deployhook_options_new()
        if not options:
            raise MemoryError("deployhook_options_new failed")
        try:
            for apply in self._replay:
                if apply(options) != ErrorCode.OK:
                    raise InvalidOptionError("this client's options could not be copied (is its ca_file readable?)")
            if lib.deployhook_options_set_wait_timeout_ms(options, milliseconds) != ErrorCode.OK:
                raise InvalidOptionError(f"timeout {_SECONDS_RULE}, got {wait_timeout!r}")
        except BaseException:
            lib.deployhook_options_free(options)
            raise
        return options

    def _run(self, call: Callable[[ctypes._Pointer[Options]], ctypes._Pointer[Result]]) -> ctypes._Pointer[Result]:
        """:meth:`_call` for a function that returns a result; MemoryError when it returned none."""
        result = self._call(call)
        if not result:
            raise MemoryError("libdeployhook returned no result")
        return result

    def _call(self, call: Callable[[ctypes._Pointer[Options]], T]) -> T:
        """``call(options)``, the options kept alive until it returns even if :meth:`close` comes meanwhile."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this deployhook.Client is closed")
            self._calls += 1
        try:
            return call(self._options)
        finally:
            with self._lock:
                self._calls -= 1
                release = self._closed and self._calls == 0
            if release:
                self._free()

    def close(self) -> None:
        """Frees the C options (after the calls in flight end). Idempotent; later calls raise RuntimeError."""
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


class _Events:
    """Relays the library's wait events to ``on_status`` and ``on_log``, on the waiting thread.

    ctypes would only print an exception raised in a callback: the first one is kept in ``error`` instead,
    for the caller to re-raise once the C call has returned, and every later event is ignored.
    """

    def __init__(self, given: Build, on_status: StatusCallback, on_log: LogCallback) -> None:
        self.error: BaseException | None = None
        self._given = given
        self._on_status = on_status
        self._on_log = on_log
        self.callback = _NO_CALLBACK if on_status is None and on_log is None else WaitCallback(self._receive)

    def _receive(self, event: int, status: int, text: bytes | None, timestamp: float, user_data: object) -> None:
        """The ``deployhook_wait_callback``."""
        if self.error is not None:
            return
        try:
            if event == _EVENT_STATUS and self._on_status is not None:
                given = self._given
                build_uuid = text.decode("ascii", "replace") if text is not None else given.build_uuid
                self._on_status(Build(build_uuid, _status(status), given.already_exists, given.created_on,
                                      given.cf_ray, given.raw))
            elif event == _EVENT_LOG and self._on_log is not None and text is not None:
                self._on_log(text.decode("utf-8", "replace"))
        except BaseException as error:  # KeyboardInterrupt too: it must reach the caller, not ctypes' printout
            self.error = error


_NO_CALLBACK = WaitCallback()
"""A NULL ``deployhook_wait_callback`` (ctypes refuses None for one)."""

_NO_BUILD = Build(None, BuildStatus.UNKNOWN, None, None, None, {})
"""What is known of a build before the trigger has answered."""

_default_client: Client | None = None


def trigger(hook: str, wait: bool = False, on_status: StatusCallback = None, on_log: LogCallback = None,
            timeout: float | None = None) -> Build:
    """Triggers the deploy hook ``hook`` with the default settings (``CLOUDFLARE_BASE_URL`` honoured) and, with
    ``wait=True``, waits for the build (``CLOUDFLARE_API_TOKEN`` and ``CLOUDFLARE_ACCOUNT_ID`` needed).

    The same as ``Client().trigger(hook, ...)``, with one shared client; see :meth:`Client.trigger`.
    """
    global _default_client
    if _default_client is None:
        _default_client = Client()
    return _default_client.trigger(hook, wait, on_status, on_log, timeout)


def _read(result: ctypes._Pointer[Result],
          invalid_argument: type[DeployHookError] = InvalidHookError) -> Build | DeployHookError:
    """Reads everything from ``result``, frees it exactly once, and returns the build or the error (of class
    ``invalid_argument`` for an invalid argument)."""
    try:
        code = lib.deployhook_error_code(result)
        cf_ray = _text(lib.deployhook_cf_ray(result))
        if code != ErrorCode.OK:
            message = _text(lib.deployhook_error_message(result) or lib.deployhook_error_name(code)) or ""
            api_code = lib.deployhook_api_error_code(result) or None
            http_status = lib.deployhook_http_status(result) or None
            if code == ErrorCode.INVALID_ARGUMENT:
                return invalid_argument(message, api_code=api_code, http_status=http_status, cf_ray=cf_ray)
            return error_for(code, message, api_code=api_code, http_status=http_status, cf_ray=cf_ray)
        build_uuid = _text(lib.deployhook_build_uuid(result))
        status = lib.deployhook_build_status(result)
        already_exists = lib.deployhook_already_exists(result)
        created_on = _text(lib.deployhook_created_on(result))
        body = lib.deployhook_response_body(result)
        outcome = lib.deployhook_build_outcome(result)
        preview_url = _text(lib.deployhook_preview_url(result))
        stopped_on = _text(lib.deployhook_stopped_on(result))
    finally:
        lib.deployhook_free_result(result)
    return Build(
        build_uuid=build_uuid,
        status=_status(status),
        already_exists=None if already_exists < 0 else bool(already_exists),
        created_on=parse_timestamp(created_on),
        cf_ray=cf_ray,
        raw=_decoded(body),
        outcome=OUTCOME_BY_NUMBER[outcome] if 0 <= outcome < len(OUTCOME_BY_NUMBER) else BuildOutcome.UNKNOWN,
        preview_url=preview_url,
        stopped_on=parse_timestamp(stopped_on),
    )


def _decoded(body: bytes | None) -> dict:
    """The answer's JSON object, or ``{}`` when there is none (the library has already judged the answer)."""
    try:
        value = json.loads(body) if body else {}
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike: never a bare exception for the caller
        return {}
    return value if isinstance(value, dict) else {}


def _raise_or_return(outcome: Build | DeployHookError) -> Build:
    """The build, or raises the error."""
    if isinstance(outcome, DeployHookError):
        raise outcome
    return outcome


def _status(number: int) -> BuildStatus:
    """A ``deployhook_status`` number as a :class:`BuildStatus`; ``UNKNOWN`` for one a newer library may add."""
    return STATUS_BY_NUMBER[number] if 0 <= number < len(STATUS_BY_NUMBER) else BuildStatus.UNKNOWN


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


def _c_string(name: str, value: str, *, secret: bool = False) -> bytes:
    """An option's text as a C string; an error quotes it unless it is a ``secret``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidOptionError(f"{name} must not contain NUL characters" + ("" if secret else f", got {value!r}"))
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
