"""The :class:`Client` (options kept in a C ``deployhook_options``) and the module-level :func:`trigger`."""

from __future__ import annotations

import json
import os
import _thread
import weakref

from ctypes import c_char_p

from ._calls import Events, Plan, run_blocking, status_of
from ._errors import (DeployHookError, ErrorCode, InternalError, InvalidHookError, InvalidOptionError, error_for,
                      error_class)
from ._library import ResultPointer, lib
from ._models import OUTCOME_BY_NUMBER, Build, BuildOutcome, BuildStatus, parse_timestamp

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it would slow down `import deployhook`
    import ctypes
    from types import TracebackType
    from typing import Any, Callable, Iterable

    from ._calls import LogCallback, StatusCallback
    from ._library import Options, Result

    OptionsPointer = ctypes._Pointer[Options]
    ResultPtr = ctypes._Pointer[Result]

_BINDING_NAME = b"python"
"""This binding's name in the library's default User-Agent, ``deployhook/<version> (python; <platform>)``."""
_INT_MAX = 2**31 - 1  # clamp numbers into range for C: ctypes would silently wrap larger ones
_BASE_URL_VARIABLE = "CLOUDFLARE_BASE_URL"


class Client:
    """Triggers deploy hooks and follows builds with fixed settings. Safe to share between threads; each call
    blocks only its thread, and Ctrl-C stops a call at once (``KeyboardInterrupt``; see :meth:`trigger`).

    Every argument left at ``None`` takes the library's default; an explicit ``base_url`` beats the
    ``CLOUDFLARE_BASE_URL`` environment variable (read at each call), which beats Cloudflare's API. Likewise
    ``api_token`` and ``account_id`` beat ``CLOUDFLARE_API_TOKEN`` and ``CLOUDFLARE_ACCOUNT_ID`` (read at each
    wait or cancel); only following or cancelling a build needs them.

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
        max_concurrency: how many triggers :meth:`trigger_many` runs at once, 1 to 256 (default 8).

    Raises:
        InvalidOptionError: a value the library rejects (out of range, unreadable CA file...), with the
            library's reason; also a ValueError.
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
        self._closed = False
        self._settings: dict[str, object] = {}
        try:
            if base_url is not None:
                self._set("base_url", base_url, lib.deployhook_options_set_base_url, _c_string("base_url", base_url))
            if timeout is not None:
                self._set("timeout", timeout, lib.deployhook_options_set_timeout_ms, _milliseconds("timeout", timeout))
            if connect_timeout is not None:
                self._set("connect_timeout", connect_timeout, lib.deployhook_options_set_connect_timeout_ms,
                          _milliseconds("connect_timeout", connect_timeout))
            if max_retries is not None:
                self._set("max_retries", max_retries, lib.deployhook_options_set_max_retries,
                          _count("max_retries", max_retries))
            if max_concurrency is not None:
                self._set("max_concurrency", max_concurrency, lib.deployhook_options_set_max_concurrency,
                          _count("max_concurrency", max_concurrency))
            if ca_file is not None:
                self._set("ca_file", ca_file, lib.deployhook_options_set_ca_file, _c_path("ca_file", ca_file))
            _check(lib.deployhook_options_set_binding_name(options, _BINDING_NAME), "binding_name")
            if user_agent is not None:
                self._set("user_agent", user_agent, lib.deployhook_options_set_user_agent,
                          _c_string("user_agent", user_agent))
            if api_token is not None:  # a secret: not recorded for repr
                self._set("api_token", None, lib.deployhook_options_set_api_token,
                          _c_string("api_token", api_token, secret=True))
            if account_id is not None:
                self._set("account_id", account_id, lib.deployhook_options_set_account_id,
                          _c_string("account_id", account_id))
            if wait_timeout is not None:
                self._set("wait_timeout", wait_timeout, lib.deployhook_options_set_wait_timeout_ms,
                          _milliseconds("wait_timeout", wait_timeout))
        except BaseException:
            self._free()
            raise

    def _set(self, name: str, value: object, setter: Callable[[Any, Any], int], c_value: object) -> None:
        """Passes an option to the library, raising its reason (after ``name``) when it refuses, and records
        ``value`` (unless None) for ``repr``."""
        _check(setter(self._options, c_value), name)
        if value is not None:
            self._settings[name] = value

    def trigger(self, hook: str, wait: bool = False, on_status: StatusCallback = None, on_log: LogCallback = None,
                timeout: float | None = None) -> Build:
        """Triggers the deploy hook ``hook`` (its UUID, or the full trigger URL) and returns the build.

        Blocks until Cloudflare answers, retrying when that is safe; other threads keep running meanwhile.
        Ctrl-C stops it at once: the request is abandoned and ``KeyboardInterrupt`` raised (whether Cloudflare
        had already queued a build is then unknown). The hook is a secret: it appears in no message, exception
        or ``repr``.

        With ``wait=True`` it then waits for the build it started (or found pending) to stop, as :meth:`wait`
        does with ``on_status``, ``on_log`` and ``timeout``, and returns the final build: ``already_exists``
        from the trigger, the rest from the wait. The library checks the API token and account ID before the
        trigger: a build nobody can follow is not started.

        Raises:
            InvalidHookError: ``hook`` is not a UUID nor a trigger URL under the API base (also a ValueError).
            InvalidOptionError: ``CLOUDFLARE_BASE_URL`` is not a valid base URL (and no ``base_url`` was given),
                or ``timeout`` is out of range; nothing was sent.
            NoCredentialsError: with ``wait=True``, no API token or account ID (neither given nor in the
                environment), or a malformed one in the environment; nothing was sent. An InvalidOptionError.
            NotFoundError, RateLimitedError, APIError, HTTPError, NetworkError, TimeoutError, TLSError,
            ResponseError, InternalError: the trigger (or a poll) failed; all are :class:`DeployHookError`.
            WaitTimeoutError: see :meth:`wait`; the build was triggered all the same.
            KeyboardInterrupt: Ctrl-C (or an exception a callback raised): the call was stopped.
            TypeError: ``hook`` is not a str, or a callback or ``timeout`` is given without ``wait=True``.
        """
        return run_blocking(self._plan_trigger(hook, wait, on_status, on_log, timeout))

    def trigger_many(self, hooks: Iterable[str]) -> list[Build | DeployHookError]:
        """Triggers every hook concurrently and returns, in input order, each one's :class:`Build` or
        :class:`DeployHookError` (nothing is raised for a failed hook).

        At most ``max_concurrency`` (default 8) triggers run at once, over shared connections (libcurl's
        multi interface), each with the usual retries, all within the client's ``timeout``. The GIL is released
        meanwhile. An invalid hook fails alone, without traffic. Ctrl-C stops every trigger still running and
        raises ``KeyboardInterrupt``. Raises TypeError when a hook is not a str.
        """
        return run_blocking(self._plan_trigger_many(hooks))

    def wait(self, build: Build | str, on_status: StatusCallback = None, on_log: LogCallback = None,
             timeout: float | None = None) -> Build:
        """Waits for ``build`` (a :class:`Build`, or a build UUID) to stop; returns it with its ``outcome``.

        Polls the build with the API token and account (``api_token``/``account_id``, else
        ``CLOUDFLARE_API_TOKEN``/``CLOUDFLARE_ACCOUNT_ID``): every 2 s at first, growing to 15 s. Passing
        failures (network, rate limits, 5xx) only delay the next poll. The GIL is released while the library
        waits, so other threads keep running; Ctrl-C ends the wait at once with ``KeyboardInterrupt``.

        ``on_status(build)`` is called at the first poll and at each status change, with ``build`` at its new
        ``status`` (the last one is ``STOPPED`` unless the wait fails; the ``outcome`` is on the returned build,
        not on these). ``on_log(line)`` is called with each new line of the build's log, in order, all of them
        before ``STOPPED``: a :class:`LogLine`, the line's text as a ``str`` with its ``timestamp``; logs are
        fetched only when ``on_log`` is given. Both run on the thread that called
        ``wait``. If one raises, the wait is stopped at once and the exception raised (no later event is
        delivered).

        ``timeout`` is how long this wait may take in all, in seconds (default: the client's ``wait_timeout``,
        else 25 minutes): a hard deadline, every poll and log page included. When ``build`` is a
        :class:`Build`, the returned one keeps its ``already_exists``, and its ``cf_ray`` and ``raw`` unless the
        wait brings newer ones.

        Raises:
            WaitTimeoutError: the build did not stop in time (also the builtin ``TimeoutError``).
            NoCredentialsError: no API token or account ID (neither given nor in the environment), or a
                malformed one in the environment; an InvalidOptionError.
            InvalidOptionError: ``build`` is not a build UUID, ``timeout`` is out of range, or
                ``CLOUDFLARE_BASE_URL`` is not a valid base URL; also a ValueError.
            NotFoundError, APIError (e.g. a wrong token: ``api_code`` 10000), HTTPError, ResponseError (e.g. an
            answer about another build), InternalError...: a poll failed for good; all are
            :class:`DeployHookError`.
            KeyboardInterrupt: Ctrl-C (or an exception a callback raised): the wait was stopped.
            TypeError: ``build`` is neither a Build nor a str.
        """
        return run_blocking(self._plan_wait(build, on_status, on_log, timeout))

    def cancel(self, build: Build | str) -> Build:
        """Cancels ``build`` (a :class:`Build`, or a build UUID) and returns it stopped.

        Sends ``PUT .../builds/builds/{build_uuid}/cancel`` with the API token and account, as :meth:`wait`
        polls (``api_token``/``account_id``, else ``CLOUDFLARE_API_TOKEN``/``CLOUDFLARE_ACCOUNT_ID``), with the
        usual retries within the client's ``timeout``. The GIL is released meanwhile; Ctrl-C stops it at once
        with ``KeyboardInterrupt`` (whether Cloudflare had already cancelled the build is then unknown).

        The returned :class:`Build` carries what the answer says: ``build_uuid``, ``status`` ``STOPPED``, the
        ``outcome`` (``CANCELLED`` when this call cancelled it), ``stopped_on``, and ``already_stopped``: True
        when the build had stopped before (its ``outcome`` is then how it ended), False when this call stopped
        it. The other fields are those of the answer (mostly ``None``), not of ``build``.

        Raises:
            NoCredentialsError: no API token or account ID (neither given nor in the environment), or a
                malformed one in the environment; nothing was sent. An InvalidOptionError.
            InvalidOptionError: ``build`` is not a build UUID, or ``CLOUDFLARE_BASE_URL`` is not a valid base
                URL; nothing was sent. Also a ValueError.
            NotFoundError: no such build or account.
            APIError: any other Cloudflare error (e.g. a wrong token: ``api_code`` 10000), with its ``api_code``.
            RateLimitedError, HTTPError, NetworkError, TimeoutError, TLSError, ResponseError, InternalError: as for
                a trigger; all are :class:`DeployHookError`.
            KeyboardInterrupt: Ctrl-C: the call was stopped.
            TypeError: ``build`` is neither a Build nor a str.
        """
        return run_blocking(self._plan_cancel(build))

    # Each public call is a Plan (built here, on the calling thread, raising at once for bad arguments) that
    # run_blocking, or AsyncClient's runner, carries out.

    def _plan_trigger(self, hook: str, wait: bool, on_status: StatusCallback, on_log: LogCallback,
                      timeout: float | None) -> Plan[Any, Build]:
        encoded = _encode_hook(hook)
        if wait:
            return self._plan_follow(lib.deployhook_trigger_and_wait, encoded, _NO_BUILD, on_status, on_log,
                                     timeout, self._invalid_trigger)
        if on_status is not None or on_log is not None or timeout is not None:
            raise TypeError("on_status, on_log and timeout apply only with wait=True")
        options = self._per_call()

        def finish(result: ResultPtr | None) -> Build:
            return _raise_or_return(_read(_present(result), self._invalid_trigger))

        return Plan(options, lambda: lib.deployhook_trigger_with(encoded, options), lib.deployhook_free_result,
                    finish)

    def _plan_trigger_many(self, hooks: Iterable[str]) -> Plan[Any, list[Build | DeployHookError]]:
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
            return Plan(None, None, _ignore, lambda value: [])
        array = (c_char_p * count)(*encoded)
        results = (ResultPointer * count)()
        options = self._per_call()

        def call() -> tuple[int, bytes | None]:
            code = lib.deployhook_trigger_many(array, count, options, results)
            return code, None if code == ErrorCode.OK else lib.deployhook_last_error_message()  # thread-local

        def release(value: object) -> None:
            for index in range(count):
                if results[index]:
                    lib.deployhook_free_result(results[index])
                    results[index] = ResultPointer()

        def finish(value: tuple[int, bytes | None] | None) -> list[Build | DeployHookError]:
            assert value is not None
            code, message = value
            if code != ErrorCode.OK:
                release(value)
                raise error_for(code, _text(message or lib.deployhook_error_name(code)) or "",
                                api_code=None, http_status=None, cf_ray=None)
            outcomes: list[Build | DeployHookError] = []
            for index in range(count):
                result = results[index]  # shares the array's memory: each entry is read (and freed) once
                outcome = _read(result, self._invalid_trigger) if result else InternalError("out of memory")
                outcomes.append(errors.get(index, outcome))
            return outcomes

        return Plan(options, call, release, finish)

    def _plan_wait(self, build: Build | str, on_status: StatusCallback, on_log: LogCallback,
                   timeout: float | None) -> Plan[Any, Build]:
        given = _given(build)
        plan = self._plan_follow(lib.deployhook_wait, _build_uuid(given), given, on_status, on_log, timeout,
                                 _invalid_option)
        follow = plan.finish

        def finish(result: Any) -> Build:
            final = follow(result)
            return Build(**{**vars(final), "already_exists": given.already_exists,
                            "created_on": final.created_on or given.created_on,
                            "cf_ray": given.cf_ray if final.cf_ray is None else final.cf_ray,
                            "raw": final.raw or given.raw})

        plan.finish = finish
        return plan

    def _plan_cancel(self, build: Build | str) -> Plan[Any, Build]:
        build_uuid = _build_uuid(_given(build))
        options = self._per_call()

        def finish(result: ResultPtr | None) -> Build:
            return _raise_or_return(_read(_present(result), _invalid_option))

        return Plan(options, lambda: lib.deployhook_cancel_build(build_uuid, options), lib.deployhook_free_result,
                    finish)

    def _plan_follow(self, function: Callable[..., ResultPtr], target: bytes | None, given: Build,
                     on_status: StatusCallback, on_log: LogCallback, timeout: float | None,
                     invalid_argument: Callable[[], type[DeployHookError]]) -> Plan[Any, Build]:
        """A plan calling ``deployhook_wait`` or ``deployhook_trigger_and_wait`` on ``target``, relaying its
        events; an invalid argument raises the class ``invalid_argument()`` names."""
        events = Events(given, on_status, on_log)  # holds the CFUNCTYPE object until the call has returned
        options = self._per_call(wait_timeout=timeout)
        follow_logs = int(on_log is not None)

        def finish(result: ResultPtr | None) -> Build:
            outcome = _read(_present(result), invalid_argument)
            if events.error is not None:
                raise events.error
            return _raise_or_return(outcome)

        return Plan(options, lambda: function(target, options, follow_logs, events.callback, None),
                    lib.deployhook_free_result, finish, events)

    def _per_call(self, wait_timeout: float | None = None) -> OptionsPointer:
        """A copy of the options for one call (``deployhook_options_dup_linked``: the same settings and
        connections; shutting it down stops this call alone, while an interrupt of the client's options reaches
        it too), with ``wait_timeout`` if given; the plan's runner frees it."""
        milliseconds = None if wait_timeout is None else _milliseconds("timeout", wait_timeout)
        with self._lock:
            if self._closed:
                raise RuntimeError("this deployhook.Client is closed")
            options: OptionsPointer = lib.deployhook_options_dup_linked(self._options)
        if not options:
            raise MemoryError("deployhook_options_dup_linked failed")
        if milliseconds is not None:
            try:
                _check(lib.deployhook_options_set_wait_timeout_ms(options, milliseconds), "timeout")
            except BaseException:
                lib.deployhook_options_free(options)
                raise
        return options

    def _invalid_trigger(self) -> type[DeployHookError]:
        """The class of a trigger's invalid argument: InvalidOptionError when the API base the library read from
        ``CLOUDFLARE_BASE_URL`` is what it refused (the library's setter refuses it too), else InvalidHookError."""
        if "base_url" in self._settings:
            return InvalidHookError
        text = os.environ.get(_BASE_URL_VARIABLE)
        if not text:
            return InvalidHookError
        probe = lib.deployhook_options_new()
        if not probe:
            raise MemoryError("deployhook_options_new failed")
        try:
            refused = lib.deployhook_options_set_base_url(probe, os.fsencode(text)) != ErrorCode.OK
        finally:
            lib.deployhook_options_free(probe)
        return InvalidOptionError if refused else InvalidHookError

    def close(self) -> None:
        """Frees the C options; calls in flight finish with their own copies. Idempotent; later calls raise
        RuntimeError."""
        with self._lock:
            self._closed = True
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


def _check(code: int, name: str) -> None:
    """Raises the library's reason, after the name of the argument, when the setter of argument ``name``
    returned an error: InvalidOptionError for an invalid argument, else the class of the code."""
    if code == ErrorCode.OK:
        return
    reason = _text(lib.deployhook_last_error_message() or lib.deployhook_error_name(code))
    raise (InvalidOptionError if code == ErrorCode.INVALID_ARGUMENT else error_class(code))(f"{name}: {reason}")


def _invalid_option() -> type[DeployHookError]:
    """The class of a wait's invalid argument (the build UUID, or the API base)."""
    return InvalidOptionError


def _given(build: Build | str) -> Build:
    """The build a wait or a cancel was given: a Build as it is, a build UUID as a Build knowing only that."""
    if isinstance(build, Build):
        return build
    if isinstance(build, str):
        return Build(build, BuildStatus.UNKNOWN, None, None, None, {})
    raise TypeError(f"build must be a Build or a build UUID str, not {type(build).__name__}")


def _build_uuid(build: Build) -> bytes | None:
    """The build's UUID as a C string (None, which the library refuses, when the Build has none)."""
    return None if build.build_uuid is None else _c_string("build", build.build_uuid)


def _ignore(value: object) -> None:
    """Frees nothing."""


def _present(result: ResultPtr | None) -> ResultPtr:
    """The result a C call returned; MemoryError when it returned none (out of memory)."""
    if not result:
        raise MemoryError("libdeployhook returned no result")
    return result


def _read(result: ResultPtr, invalid_argument: Callable[[], type[DeployHookError]]) -> Build | DeployHookError:
    """Reads everything from ``result``, frees it exactly once, and returns the build or the error (of class
    ``invalid_argument()`` for an invalid argument)."""
    try:
        code = lib.deployhook_error_code(result)
        cf_ray = _text(lib.deployhook_cf_ray(result))
        if code != ErrorCode.OK:
            message = _text(lib.deployhook_error_message(result) or lib.deployhook_error_name(code)) or ""
            api_code = lib.deployhook_api_error_code(result) or None
            http_status = lib.deployhook_http_status(result) or None
            if code == ErrorCode.INVALID_ARGUMENT:
                return invalid_argument()(message, api_code=api_code, http_status=http_status, cf_ray=cf_ray)
            return error_for(code, message, api_code=api_code, http_status=http_status, cf_ray=cf_ray)
        build_uuid = _text(lib.deployhook_build_uuid(result))
        status = lib.deployhook_build_status(result)
        already_exists = lib.deployhook_already_exists(result)
        created_on = _text(lib.deployhook_created_on(result))
        body = lib.deployhook_response_body(result)
        outcome = lib.deployhook_build_outcome(result)
        preview_url = _text(lib.deployhook_preview_url(result))
        stopped_on = _text(lib.deployhook_stopped_on(result))
        detail = {name: _text(getattr(lib, f"deployhook_{name}")(result)) for name in _DETAILS}
        already_stopped = lib.deployhook_already_stopped(result)
    finally:
        lib.deployhook_free_result(result)
    return Build(
        build_uuid=build_uuid,
        status=status_of(status),
        already_exists=None if already_exists < 0 else bool(already_exists),
        created_on=parse_timestamp(created_on),
        cf_ray=cf_ray,
        raw=_decoded(body),
        outcome=OUTCOME_BY_NUMBER[outcome] if 0 <= outcome < len(OUTCOME_BY_NUMBER) else BuildOutcome.UNKNOWN,
        preview_url=preview_url,
        stopped_on=parse_timestamp(stopped_on),
        branch=detail["branch"],
        commit_hash=detail["commit_hash"],
        commit_message=detail["commit_message"],
        author=detail["author"],
        trigger_source=detail["trigger_source"],
        deploy_hook_name=detail["deploy_hook_name"],
        trigger_name=detail["trigger_name"],
        initializing_on=parse_timestamp(detail["initializing_on"]),
        running_on=parse_timestamp(detail["running_on"]),
        modified_on=parse_timestamp(detail["modified_on"]),
        already_stopped=None if already_stopped < 0 else bool(already_stopped),
    )


_DETAILS = ("branch", "commit_hash", "commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name",
            "initializing_on", "running_on", "modified_on")
"""The build's details, each read with its accessor ``deployhook_<name>`` for the Build field of that name."""


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose repeated keys keep their first value, as the library reads them."""
    decoded: dict[str, Any] = {}
    for key, value in pairs:
        decoded.setdefault(key, value)
    return decoded


def _decoded(body: bytes | None) -> dict[str, Any]:
    """The answer's JSON object, or ``{}`` when there is none (the library has already judged the answer). A
    repeated key keeps its first value, as in the library's reading, so ``raw`` agrees with the fields."""
    try:
        value = json.loads(body, object_pairs_hook=_first_wins) if body else {}
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike: never a bare exception for the caller
        return {}
    return value if isinstance(value, dict) else {}


def _raise_or_return(outcome: Build | DeployHookError) -> Build:
    """The build, or raises the error."""
    if isinstance(outcome, DeployHookError):
        raise outcome
    return outcome


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
    """An argument's text as a C string; TypeError unless it is a str. A NUL inside cannot cross to C (the
    library would see only the text before it): that raises InvalidOptionError, quoting the value unless it is
    a ``secret``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidOptionError(f"{name}: a NUL character cannot be passed to the library"
                                 + ("" if secret else f" ({value!r})"))
    return value.encode("utf-8", "surrogatepass")


def _c_path(name: str, value: str | os.PathLike[str]) -> bytes:
    """A file name as a C string, in the file system's encoding (a NUL inside raises as in _c_string)."""
    path = os.fsencode(value)
    if b"\0" in path:
        raise InvalidOptionError(f"{name}: a NUL character cannot be passed to the library ({value!r})")
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
