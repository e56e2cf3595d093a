"""Error codes and the exception raised for each of them."""

from __future__ import annotations

import builtins
from enum import IntEnum


class ErrorCode(IntEnum):
    """The C ABI's ``deployhook_error`` codes, with the same names and values."""

    OK = 0
    """Success."""
    INVALID_ARGUMENT = 1
    """A bad hook, option or argument; nothing was sent."""
    NOT_FOUND = 2
    """No such deploy hook (HTTP 404, Cloudflare code 12000)."""
    RATE_LIMITED = 3
    """Rate limited (HTTP 429, Cloudflare code 12051), after retries."""
    API = 4
    """Any other Cloudflare error envelope (``success: false``)."""
    HTTP = 5
    """A non-2xx answer with no Cloudflare envelope (an HTML 502, a redirect), after retries."""
    NETWORK = 6
    """Could not resolve, connect, send or receive."""
    TIMEOUT = 7
    """The connect timeout or the total deadline passed."""
    TLS = 8
    """The TLS handshake or certificate verification failed."""
    RESPONSE = 9
    """A malformed, unreadable or oversized response."""
    INTERNAL = 10
    """A bug or resource failure inside the library."""
    WAIT_TIMEOUT = 11
    """Waiting for a build: it did not stop before the wait timeout."""
    CANCELLED = 12
    """The call was interrupted."""
    NO_CREDENTIALS = 13
    """Following a build needs an API token and an account ID, and one is missing or malformed; nothing was sent."""


class DeployHookError(Exception):
    """Base class of every error deployhook raises. ``str(error)`` is the message; it never holds the hook.

    Attributes:
        code: the kind of failure.
        api_code: Cloudflare's error code (e.g. 12000) when the answer carried one, else ``None``.
        http_status: the HTTP status when an answer arrived, else ``None``.
        cf_ray: Cloudflare's request id (the ``cf-ray`` header), worth quoting to support, else ``None``.
    """

    code: ErrorCode = ErrorCode.INTERNAL
    """The kind of failure; each subclass has its own."""

    def __init__(
        self, message: str, *, api_code: int | None = None, http_status: int | None = None, cf_ray: str | None = None
    ) -> None:
        super().__init__(message)
        self.api_code = api_code
        self.http_status = http_status
        self.cf_ray = cf_ray


class InvalidHookError(DeployHookError, ValueError):
    """The deploy hook is not a UUID nor a trigger URL under the API base; nothing was sent."""

    code = ErrorCode.INVALID_ARGUMENT


class InvalidOptionError(DeployHookError, ValueError):
    """A :class:`~deployhook.Client` option was rejected (out of range, unreadable CA file, ...), or a wait lacks
    one (no API token or account ID) or was given something that is not a build UUID."""

    code = ErrorCode.INVALID_ARGUMENT


class NotFoundError(DeployHookError):
    """No deploy hook has this UUID (HTTP 404, Cloudflare code 12000); while waiting, no such build or account."""

    code = ErrorCode.NOT_FOUND


class RateLimitedError(DeployHookError):
    """Cloudflare kept answering 429 (code 12051) until the retries ran out."""

    code = ErrorCode.RATE_LIMITED


class APIError(DeployHookError):
    """Cloudflare answered with an error envelope (``success: false``); see ``api_code``."""

    code = ErrorCode.API


class HTTPError(DeployHookError):
    """A non-2xx answer that is not a Cloudflare envelope (an HTML 502, a redirect); see ``http_status``."""

    code = ErrorCode.HTTP


class NetworkError(DeployHookError):
    """The host could not be resolved or reached, or the connection broke."""

    code = ErrorCode.NETWORK


class TimeoutError(DeployHookError, builtins.TimeoutError):
    """The connect timeout or the total deadline passed. Also the builtin :class:`TimeoutError`."""

    code = ErrorCode.TIMEOUT


class TLSError(DeployHookError):
    """The TLS handshake or the certificate verification failed."""

    code = ErrorCode.TLS


class ResponseError(DeployHookError):
    """The answer was malformed, unreadable or larger than 1 MiB."""

    code = ErrorCode.RESPONSE


class InternalError(DeployHookError):
    """A bug or a resource failure inside the library."""

    code = ErrorCode.INTERNAL


class WaitTimeoutError(DeployHookError, builtins.TimeoutError):
    """Waiting for a build: it did not stop before the wait timeout. Also the builtin ``TimeoutError``."""

    code = ErrorCode.WAIT_TIMEOUT


class CancelledError(DeployHookError):
    """The call was interrupted (another thread, Ctrl-C, a cancelled task)."""

    code = ErrorCode.CANCELLED


class NoCredentialsError(InvalidOptionError):
    """Following a build needs an API token and an account ID, and one is missing or malformed; nothing was sent."""

    code = ErrorCode.NO_CREDENTIALS


_CLASSES: dict[int, type[DeployHookError]] = {
    cls.code: cls
    for cls in (InvalidHookError, NotFoundError, RateLimitedError, APIError, HTTPError, NetworkError,
                TimeoutError, TLSError, ResponseError, InternalError, WaitTimeoutError, CancelledError,
                NoCredentialsError)
}


def error_class(code: int) -> type[DeployHookError]:
    """The class of the errors with this code; :class:`InternalError` for a code it does not know (which only a
    newer library could send)."""
    return _CLASSES.get(code, InternalError)


def error_for(
    code: int, message: str, *, api_code: int | None, http_status: int | None, cf_ray: str | None
) -> DeployHookError:
    """The exception for a failed trigger or wait: the class of its code; :class:`InternalError` for a code it
    does not know (which only a newer library could send)."""
    return error_class(code)(message, api_code=api_code, http_status=http_status, cf_ray=cf_ray)
