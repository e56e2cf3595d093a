"""The :class:`AsyncClient`: :class:`~deployhook.Client`'s calls as coroutines for asyncio."""

from __future__ import annotations

import asyncio

from ._calls import Worker
from ._client import Client

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from types import TracebackType
    from typing import Any, Iterable, TypeVar

    from ._calls import Event, LogCallback, Plan, StatusCallback
    from ._errors import DeployHookError
    from ._models import Build

    T = TypeVar("T")

_DEFAULT_CONCURRENCY = 8
"""The default of ``max_concurrency`` (``deployhook_options_set_max_concurrency``'s)."""
_STOP_SECONDS = 2.0
"""How long a cancelled call is waited for (the library promises 100 ms) before it is left to end alone."""
_STOP_SLICE_SECONDS = 0.01


class AsyncClient:
    """Triggers deploy hooks and follows builds from asyncio code: :class:`~deployhook.Client`'s calls as
    coroutines, with the same arguments and errors.

    No call blocks the event loop: each runs the C library on a thread of its own while the loop goes on.
    Cancelling the task that awaits a call (``task.cancel()``, ``asyncio.wait_for``, ``asyncio.timeout``)
    stops the call within milliseconds (the library's ``deployhook_options_shut_down``) and raises
    :class:`asyncio.CancelledError`; nothing is left running or allocated.

    Calls share the client's connections (each works on a copy of the client's options that shares them).
    As :meth:`trigger_many` does, at most ``max_concurrency`` (default 8) triggers are in flight at once:
    more wait their turn, without blocking the loop, and then reuse the connections the earlier ones left
    open, so 100 triggers started together open about 8 connections, not 100. Waits are not counted.

    >>> async with deployhook.AsyncClient(api_token=token, account_id=account) as client:  # doctest: +SKIP
    ...     build = await client.trigger(hook)
    ...     final = await client.wait(build, on_log=print)

    Args: as :class:`~deployhook.Client` (``base_url``, ``timeout``, ``connect_timeout``, ``max_retries``,
    ``ca_file``, ``user_agent``, ``api_token``, ``account_id``, ``wait_timeout``, ``max_concurrency``).

    Raises:
        InvalidOptionError: a value the library rejects, with its reason; also a ValueError.
        TypeError: a value of the wrong type.
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
        self._client = Client(base_url=base_url, timeout=timeout, connect_timeout=connect_timeout,
                              max_retries=max_retries, ca_file=ca_file, user_agent=user_agent, api_token=api_token,
                              account_id=account_id, wait_timeout=wait_timeout, max_concurrency=max_concurrency)
        self._concurrency = _DEFAULT_CONCURRENCY if max_concurrency is None else max_concurrency
        self._slots: asyncio.Semaphore | None = None  # made in the loop that first triggers (Python 3.9 binds it)

    async def trigger(self, hook: str, wait: bool = False, on_status: StatusCallback = None,
                      on_log: LogCallback = None, timeout: float | None = None) -> Build:
        """Triggers the deploy hook ``hook`` (its UUID, or the full trigger URL) and returns the build; with
        ``wait=True``, waits for it to stop as :meth:`wait` does. See :meth:`deployhook.Client.trigger` for
        the arguments and errors; ``on_status`` and ``on_log`` run on the event loop's thread.

        Raises:
            asyncio.CancelledError: the task was cancelled; the call was stopped (whether Cloudflare had
                already queued a build is then unknown).
        """
        if wait:  # not counted: a wait may last many minutes
            return await _run(self._client._plan_trigger(hook, wait, on_status, on_log, timeout))
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        async with self._slots:  # the plan (and its copy of the options) is made once a slot is free
            return await _run(self._client._plan_trigger(hook, wait, on_status, on_log, timeout))

    async def trigger_many(self, hooks: Iterable[str]) -> list[Build | DeployHookError]:
        """Triggers every hook concurrently (at most ``max_concurrency`` at once, over shared connections) and
        returns, in input order, each one's :class:`~deployhook.Build` or :class:`~deployhook.DeployHookError`;
        see :meth:`deployhook.Client.trigger_many`. Cancelling the task stops every trigger still running."""
        return await _run(self._client._plan_trigger_many(hooks))

    async def wait(self, build: Build | str, on_status: StatusCallback = None, on_log: LogCallback = None,
                   timeout: float | None = None) -> Build:
        """Waits for ``build`` (a :class:`~deployhook.Build`, or a build UUID) to stop and returns it with its
        ``outcome``; see :meth:`deployhook.Client.wait`. ``on_status(build)`` and ``on_log(line)`` are plain
        functions, called on the event loop's thread in order; if one raises, the wait is stopped and the
        exception raised. Cancelling the task stops the wait."""
        return await _run(self._client._plan_wait(build, on_status, on_log, timeout))

    async def cancel(self, build: Build | str) -> Build:
        """Cancels ``build`` (a :class:`~deployhook.Build`, or a build UUID) and returns it stopped, with its
        ``outcome``, ``stopped_on`` and ``already_stopped``; see :meth:`deployhook.Client.cancel`. Cancelling the
        task stops the call (whether Cloudflare had already cancelled the build is then unknown)."""
        return await _run(self._client._plan_cancel(build))

    async def close(self) -> None:
        """Frees the C options; calls in flight finish with their own copies. Idempotent; later calls raise
        RuntimeError."""
        self._client.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "<deployhook.Async" + repr(self._client)[len("<deployhook."):]


async def _run(plan: Plan[Any, T]) -> T:
    """Runs the plan's C call on a thread of its own; the event loop receives its events (in order) and its
    end. A cancelled task interrupts the call, waits for it to end (without blocking the loop) and frees what
    it returned before CancelledError goes on."""
    if plan.call is None:
        return plan.finish(None)
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()

    def notify() -> None:  # on the worker's thread; after every event it sent, so after their delivery
        loop.call_soon_threadsafe(_settle, ended)

    worker: Worker[Any, T] = Worker(plan, notify)
    events = plan.events
    if events is not None:
        deliver = events.deliver

        def send(item: Event) -> None:
            loop.call_soon_threadsafe(deliver, item)

        events.sink = send
        events.interrupt = worker.interrupt
    worker.start()
    try:
        await ended
    except BaseException:  # CancelledError, or anything else raised into this task
        worker.interrupt()
        deadline = loop.time() + _STOP_SECONDS
        try:
            while not worker.finished and loop.time() < deadline:
                await asyncio.sleep(_STOP_SLICE_SECONDS)
        except BaseException:  # cancelled again: the worker frees what its call returns
            pass
        worker.discard()
        raise
    return worker.finish()


def _settle(future: asyncio.Future[None]) -> None:
    """Marks the call as ended, unless its task was cancelled meanwhile."""
    if not future.done():
        future.set_result(None)
