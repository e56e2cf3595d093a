"""Running one blocking C call so that it can be stopped: a :class:`Plan`, run by :func:`run_blocking` (for
:class:`~deployhook.Client`) or by ``_async.run`` (for :class:`~deployhook.AsyncClient`).

Every call gets options of its own, a ``deployhook_options_dup_linked`` of its client's (the same settings and
the same open connections), so that ``deployhook_options_shut_down`` of the copy ends this call and no other,
whether it has begun yet or not.

On the main thread, where Ctrl-C raises :class:`KeyboardInterrupt`, the C call runs on a worker thread (ctypes
releases the GIL) while the calling thread waits for it, interruptibly; the wait callbacks' events are queued
by the worker and delivered on the calling thread, in order. When anything is raised on the calling thread
(Ctrl-C, or a callback's exception), the call is interrupted, joined and its result freed before the
exception goes on. On other threads, which no signal interrupts, the call runs on the calling thread itself.
"""

from __future__ import annotations

import _thread
import sys
from collections import deque

from ._library import WaitCallback, lib
from ._models import STATUS_BY_NUMBER, Build, BuildStatus, LogLine

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it would slow down `import deployhook`
    import ctypes
    from typing import Callable, Generic, Optional, TypeVar

    from ._library import Options

    V = TypeVar("V")
    T = TypeVar("T")
    StatusCallback = Optional[Callable[[Build], object]]
    LogCallback = Optional[Callable[[LogLine], object]]
    Event = tuple[int, int, Optional[bytes], float]
    OptionsPointer = ctypes._Pointer[Options]
else:
    V = T = None

    class Generic:
        """Stands in for typing.Generic at run time, where typing is not imported."""

        def __class_getitem__(cls, item: object) -> type:
            return cls

_EVENT_STATUS, _EVENT_LOG = 1, 2  # deployhook_event
_SLICE_SECONDS = 0.1
"""How long the calling thread waits at a time for the worker (Ctrl-C ends the wait at once anyway)."""
_STOP_SECONDS = 2.0
"""How long an interrupted call is waited for (the library promises 100 ms) before it is left to end alone."""
_IMPORTING_THREAD = _thread.get_ident()


class Plan(Generic[V, T]):
    """One C call, ready to run: ``call()`` makes it with ``options`` (owned by the plan's runner, which frees
    them once the call has ended) and returns what C returned; ``finish(value)`` turns that into the answer
    (freeing what C returned, and raising the callbacks' exception if any); ``release(value)`` frees what C
    returned when nobody will ``finish`` it. ``call`` is None for a call that needs no C at all
    (``finish(None)`` is the answer)."""

    def __init__(self, options: OptionsPointer | None, call: Callable[[], V] | None, release: Callable[[V], object],
                 finish: Callable[[V | None], T], events: Events | None = None) -> None:
        self.options = options
        self.call = call
        self.release = release
        self.finish = finish
        self.events = events


class Events:
    """Relays a wait's events to ``on_status`` and ``on_log``.

    The C callback copies each event and hands it to ``sink`` (set by the runner: straight to :meth:`deliver`
    when the C call runs on the calling thread, else a queue that the calling thread drains, or the event
    loop). :meth:`deliver` calls the user's callbacks; the first exception one raises is kept in ``error``,
    the call is interrupted (``interrupt``, set by the runner), and every later event is ignored.
    """

    def __init__(self, given: Build, on_status: StatusCallback, on_log: LogCallback) -> None:
        self.error: BaseException | None = None
        self.closed = False
        self.interrupt: Callable[[], object] = _nothing
        self._given = given
        self._on_status = on_status
        self._on_log = on_log
        self.sink: Callable[[Event], object] = self.deliver
        self.callback = _NO_CALLBACK if on_status is None and on_log is None else WaitCallback(self._receive)

    def _receive(self, event: int, status: int, text: bytes | None, timestamp: float, user_data: object) -> None:
        """The ``deployhook_wait_callback``: ctypes has already copied ``text`` into bytes."""
        try:
            self.sink((event, status, text, timestamp))
        except BaseException as error:  # e.g. the event loop is closed: never an exception into ctypes
            if self.error is None:
                self.error = error

    def deliver(self, item: Event) -> None:
        """Calls the user's callback for one event (on the thread that must run it)."""
        if self.error is not None or self.closed:
            return
        event, status, text, timestamp = item
        try:
            if event == _EVENT_STATUS and self._on_status is not None:
                given = self._given
                build_uuid = text.decode("ascii", "replace") if text is not None else given.build_uuid
                self._on_status(Build(build_uuid, status_of(status), given.already_exists, given.created_on,
                                      given.cf_ray, given.raw))
            elif event == _EVENT_LOG and self._on_log is not None and text is not None:
                self._on_log(LogLine(text.decode("utf-8", "replace"), timestamp))
        except BaseException as error:  # KeyboardInterrupt too: it must reach the caller, not ctypes' printout
            self.error = error
            self.interrupt()


def _nothing() -> None:
    """The interrupt of :class:`Events` before a runner sets it."""


_NO_CALLBACK = WaitCallback()
"""A NULL ``deployhook_wait_callback`` (ctypes refuses None for one)."""


def status_of(number: int) -> BuildStatus:
    """A ``deployhook_status`` number as a :class:`BuildStatus`; ``UNKNOWN`` for one a newer library may add."""
    return STATUS_BY_NUMBER[number] if 0 <= number < len(STATUS_BY_NUMBER) else BuildStatus.UNKNOWN


class Worker(Generic[V, T]):
    """Runs a plan's C call on a thread of its own. ``notify()`` is called on that thread when it has ended.

    Whoever is last frees: the caller takes the value with :meth:`finish`, or gives up with :meth:`discard`;
    a worker whose caller gave up before it ended frees the value and the options itself.
    """

    def __init__(self, plan: Plan[V, T], notify: Callable[[], object]) -> None:
        self._plan = plan
        self._notify = notify
        self._lock = _thread.allocate_lock()
        self._abandoned = False  # the caller has gone: the worker frees everything
        self._freed = False  # the options are freed: nothing may interrupt them any more
        self.finished = False
        self._value: V | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        """Starts the thread; raises (having freed the options, so that :meth:`discard` has nothing left to
        do) when none can be started."""
        try:
            _thread.start_new_thread(self._run, ())
        except BaseException:
            self.finished = True
            self._free_options()
            raise

    def _run(self) -> None:
        plan = self._plan
        assert plan.call is not None
        value: V | None = None
        error: BaseException | None = None
        try:
            value = plan.call()
        except BaseException as raised:  # not expected from ctypes; reported to the caller, never printed
            error = raised
        with self._lock:
            self.finished = True
            if self._abandoned:
                if value is not None:
                    plan.release(value)
                self._freed = True
                lib.deployhook_options_free(plan.options)
            else:
                self._value, self._error = value, error
        try:
            self._notify()
        except BaseException:  # nobody is listening any more (e.g. a closed event loop)
            pass

    def interrupt(self) -> None:
        """Ends the call within 100 ms, or at once when it begins (``deployhook_options_shut_down``)."""
        with self._lock:
            if not self._freed:
                lib.deployhook_options_shut_down(self._plan.options)

    def finish(self) -> T:
        """Once :attr:`finished`: frees the options and returns the plan's answer (or raises its error)."""
        plan = self._plan
        self._free_options()
        if self._error is not None:
            raise self._error
        return plan.finish(self._value)

    def discard(self) -> None:
        """Gives the call up: frees what it returned if it has ended, else leaves that to the worker."""
        plan = self._plan
        if plan.events is not None:
            plan.events.closed = True
        with self._lock:
            if not self.finished:
                self._abandoned = True
                self._freed = True  # by the worker, soon: not to be interrupted from here any more
                return
        if self._value is not None:
            plan.release(self._value)
            self._value = None
        self._free_options()

    def _free_options(self) -> None:
        with self._lock:
            if self._freed:
                return
            self._freed = True
        lib.deployhook_options_free(self._plan.options)


def on_main_thread() -> bool:
    """Whether this is the main thread, the only one Python raises KeyboardInterrupt in."""
    threading = sys.modules.get("threading")  # not imported for this: it costs every start-up
    main = threading.main_thread().ident if threading is not None else _IMPORTING_THREAD
    return _thread.get_ident() == main


def run_blocking(plan: Plan[V, T]) -> T:
    """Runs the plan and returns its answer; KeyboardInterrupt (or any exception raised on the main thread
    while it waits) interrupts the call, which is joined and freed before the exception goes on."""
    if plan.call is None:
        return plan.finish(None)
    options, events = plan.options, plan.events
    if not on_main_thread():  # no signal can interrupt this thread: the call runs here, callbacks inline
        if events is not None:
            events.interrupt = lambda: lib.deployhook_options_shut_down(options)
        try:
            value = plan.call()
        finally:
            lib.deployhook_options_free(options)
        return plan.finish(value)

    wake = _thread.allocate_lock()
    wake.acquire()

    def notify() -> None:
        try:
            wake.release()
        except RuntimeError:  # already released: the caller will look at everything anyway
            pass

    pending: deque[Event] = deque()
    worker: Worker[V, T] = Worker(plan, notify)
    if events is not None:
        def queue(item: Event) -> None:
            pending.append(item)
            notify()

        events.sink = queue
        events.interrupt = worker.interrupt
    try:
        worker.start()
        while True:
            wake.acquire(True, _SLICE_SECONDS)  # Ctrl-C interrupts this wait
            finished = worker.finished  # read before draining: every event came before the end
            while pending and events is not None:
                events.deliver(pending.popleft())
            if finished:
                break
    except BaseException:
        _stop(worker, wake)
        raise
    return worker.finish()


def _stop(worker: Worker[V, T], wake: _thread.LockType) -> None:
    """Stops the worker's call, waits for it to end (briefly: the library ends it within 100 ms), frees what
    it returned, and gives it up if it did not end in time. A second Ctrl-C meanwhile is ignored (the first is
    on its way)."""
    from time import monotonic

    worker.interrupt()
    deadline = monotonic() + _STOP_SECONDS
    while not worker.finished and monotonic() < deadline:
        try:
            wake.acquire(True, 0.02)
        except BaseException:
            pass
    worker.discard()
