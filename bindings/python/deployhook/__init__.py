"""Trigger Cloudflare Workers Builds deploy hooks, through the C library ``libdeployhook``.

>>> import deployhook
>>> build = deployhook.trigger(os.environ["CLOUDFLARE_DEPLOY_HOOK"])  # doctest: +SKIP
>>> build.status, build.build_uuid  # doctest: +SKIP
(<BuildStatus.QUEUED: 'queued'>, '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e')
>>> deployhook.Client().wait(build, on_log=print).outcome  # doctest: +SKIP
<BuildOutcome.SUCCESS: 'success'>

Waiting for a build polls it with an API token and the account ID: ``Client(api_token=..., account_id=...)``,
or ``CLOUDFLARE_API_TOKEN`` and ``CLOUDFLARE_ACCOUNT_ID``; cancelling one (``Client.cancel``) needs them too.
Ctrl-C stops any call at once. From asyncio, use :class:`AsyncClient`: the same calls as coroutines, which
never block the event loop and stop when cancelled.

The hook's UUID and the API token are secrets: they never appear in a ``repr``, a message or an exception.
Failures raise a :class:`DeployHookError` subclass chosen by its :class:`ErrorCode`.
The C library is found through ``DEPLOYHOOK_LIBRARY``, inside this package, in the source checkout's
``.build/release/``, or on the system; see :mod:`deployhook._library`. It is loaded on first use of
``Client``, ``AsyncClient``, ``trigger`` or ``__version__`` (an ``ImportError`` then lists what was tried), so that
``import deployhook`` and ``python3 -m deployhook.emulator`` work without it.
"""

from __future__ import annotations

from ._errors import (
    APIError,
    DeployHookError,
    ErrorCode,
    HTTPError,
    InternalError,
    InvalidHookError,
    InvalidOptionError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ResponseError,
    TimeoutError,
    TLSError,
    WaitTimeoutError,
    CancelledError,
    NoCredentialsError,
)
from ._models import Build, BuildOutcome, BuildStatus, LogLine

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it would double the time `import deployhook` takes
    from typing import Any

    from ._async import AsyncClient
    from ._client import Client, trigger
    from ._library import VERSION as __version__


def __getattr__(name: str) -> Any:
    """Loads the C library on first use of a name that needs it (PEP 562)."""
    if name in ("Client", "trigger"):
        from . import _client

        return getattr(_client, name)
    if name == "AsyncClient":
        from ._async import AsyncClient

        return AsyncClient
    if name == "__version__":
        from ._library import VERSION

        return VERSION
    raise AttributeError(f"module 'deployhook' has no attribute {name!r}")


__all__ = [
    "APIError",
    "AsyncClient",
    "Build",
    "BuildOutcome",
    "BuildStatus",
    "Client",
    "DeployHookError",
    "ErrorCode",
    "HTTPError",
    "InternalError",
    "InvalidHookError",
    "InvalidOptionError",
    "LogLine",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "ResponseError",
    "TLSError",
    "TimeoutError",
    "WaitTimeoutError",
    "CancelledError",
    "NoCredentialsError",
    "__version__",
    "trigger",
]
