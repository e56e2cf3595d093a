"""What a successful trigger or wait returns: the :class:`Build`, its :class:`BuildStatus` and :class:`BuildOutcome`;
and the :class:`LogLine` a wait's ``on_log`` receives."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from enum import Enum

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and dataclasses are not imported at run time: they would slow down the import
    from dataclasses import dataclass as _seen_as_dataclass
    from typing import Any
else:
    def _seen_as_dataclass(**_options: object) -> object:
        """Does nothing at run time; to type checkers it is ``dataclasses.dataclass``, which Build honours."""
        return lambda cls: cls


class BuildStatus(str, Enum):
    """The state of a build as Cloudflare reported it; the values are the API's words."""

    QUEUED = "queued"
    """Waiting for a build slot."""
    INITIALIZING = "initializing"
    """The build environment is starting."""
    RUNNING = "running"
    """The build is running."""
    STOPPED = "stopped"
    """The build has ended."""
    UNKNOWN = "unknown"
    """Absent, or a value this version does not know (the raw value stays in :attr:`Build.raw`)."""


STATUS_BY_NUMBER = (BuildStatus.UNKNOWN, BuildStatus.QUEUED, BuildStatus.INITIALIZING, BuildStatus.RUNNING,
                    BuildStatus.STOPPED)
"""``deployhook_status`` numbers (``DEPLOYHOOK_STATUS_UNKNOWN`` = 0, ...) to :class:`BuildStatus`."""


class BuildOutcome(str, Enum):
    """How a stopped build ended; the values are the API's words (its ``build_outcome``)."""

    SUCCESS = "success"
    """Built and deployed."""
    FAIL = "fail"
    """The build failed."""
    SKIPPED = "skipped"
    """The build was skipped."""
    CANCELLED = "cancelled"
    """The build was cancelled."""
    TERMINATED = "terminated"
    """The build was stopped by Cloudflare, e.g. at the 20-minute build timeout."""
    UNKNOWN = "unknown"
    """A value this version does not know."""


OUTCOME_BY_NUMBER = (None, BuildOutcome.SUCCESS, BuildOutcome.FAIL, BuildOutcome.SKIPPED, BuildOutcome.CANCELLED,
                     BuildOutcome.TERMINATED, BuildOutcome.UNKNOWN)
"""``deployhook_outcome`` numbers (``DEPLOYHOOK_OUTCOME_NONE`` = 0: not stopped, ...) to :class:`BuildOutcome`."""


class _DataclassMetadata:
    """``Build.__dataclass_fields__`` or ``__dataclass_params__``, made on first access.

    :class:`Build` is written out rather than decorated with ``@dataclass`` because importing
    :mod:`dataclasses` (which imports :mod:`inspect`) would nearly double the import time of deployhook. The
    dataclasses functions (``fields``, ``replace``, ``asdict``, ``is_dataclass``...) read these two
    attributes: the first read builds them from a ``@dataclass(frozen=True)`` twin of the class.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type) -> Any:
        import dataclasses

        namespace: dict[str, object] = {"__annotations__": dict(owner.__annotations__),
                                        "__module__": owner.__module__, "__qualname__": owner.__qualname__}
        namespace["raw"] = dataclasses.field(repr=False, hash=False)  # as Build's __repr__ and __hash__ do
        namespace.update(dict.fromkeys(_OPTIONAL_FIELDS))  # the defaults of Build's __init__
        twin: Any = dataclasses.dataclass(frozen=True)(type(owner.__name__, (), namespace))
        for attribute in ("__dataclass_fields__", "__dataclass_params__"):
            setattr(owner, attribute, getattr(twin, attribute))  # replaces the descriptor
        return getattr(owner, self._name)


@_seen_as_dataclass(frozen=True)
class Build:
    """The build a deploy hook started, or found already pending: a frozen dataclass.

    Attributes:
        build_uuid: the build's UUID.
        status: its status when the trigger answered, or when the wait ended (``UNKNOWN`` when absent or not
            recognised).
        already_exists: True when a build for this branch was already pending, so none was started.
        created_on: when the build was created (timezone-aware).
        cf_ray: Cloudflare's request id (the ``cf-ray`` header of the last answer), worth quoting to support.
        raw: the whole decoded response envelope of the last answer (``success``, ``errors``, ``messages``,
            ``result``...); left out of ``repr`` and ``hash``.
        outcome: how the build ended, once a wait (or a cancel) saw it stop; ``None`` until then.
        preview_url: the build's preview URL, once a wait saw it (``None`` when Cloudflare gave none).
        stopped_on: when the build stopped (timezone-aware), once a wait or a cancel saw it.
        branch: the branch built, e.g. ``main``, when the answer named it (a wait's, not a trigger's).
        commit_hash: the commit built (40 hex digits).
        commit_message: the commit's message (it may span several lines).
        author: who made the commit or triggered the build.
        trigger_source: what triggered the build, as sent: ``push``, ``pull_request``, ``manual``, ``api`` or
            ``deploy_hook``.
        deploy_hook_name: the name of the deploy hook that started the build.
        trigger_name: the name of the build trigger the build ran under.
        initializing_on: when the build started initializing (timezone-aware).
        running_on: when the build started running (timezone-aware).
        modified_on: when the build's record last changed (timezone-aware).
        already_stopped: after :meth:`~deployhook.Client.cancel`: True when the build had already stopped (its
            ``outcome`` is how it ended), False when this cancel stopped it; ``None`` for any other call.

    Every field from ``branch`` on is ``None`` when the answer did not carry it.
    """

    build_uuid: str | None
    status: BuildStatus
    already_exists: bool | None
    created_on: datetime | None
    cf_ray: str | None
    raw: dict[str, Any]
    outcome: BuildOutcome | None = None
    preview_url: str | None = None
    stopped_on: datetime | None = None
    branch: str | None = None
    commit_hash: str | None = None
    commit_message: str | None = None
    author: str | None = None
    trigger_source: str | None = None
    deploy_hook_name: str | None = None
    trigger_name: str | None = None
    initializing_on: datetime | None = None
    running_on: datetime | None = None
    modified_on: datetime | None = None
    already_stopped: bool | None = None

    __match_args__ = ("build_uuid", "status", "already_exists", "created_on", "cf_ray", "raw", "outcome",
                      "preview_url", "stopped_on", "branch", "commit_hash", "commit_message", "author",
                      "trigger_source", "deploy_hook_name", "trigger_name", "initializing_on", "running_on",
                      "modified_on", "already_stopped")
    if not TYPE_CHECKING:  # type checkers know them from the decorator
        __dataclass_fields__ = _DataclassMetadata()
        __dataclass_params__ = _DataclassMetadata()

    def __init__(self, build_uuid: str | None, status: BuildStatus, already_exists: bool | None,
                 created_on: datetime | None, cf_ray: str | None, raw: dict[str, Any],
                 outcome: BuildOutcome | None = None, preview_url: str | None = None,
                 stopped_on: datetime | None = None, branch: str | None = None, commit_hash: str | None = None,
                 commit_message: str | None = None, author: str | None = None, trigger_source: str | None = None,
                 deploy_hook_name: str | None = None, trigger_name: str | None = None,
                 initializing_on: datetime | None = None, running_on: datetime | None = None,
                 modified_on: datetime | None = None, already_stopped: bool | None = None) -> None:
        assign = object.__setattr__
        assign(self, "build_uuid", build_uuid)
        assign(self, "status", status)
        assign(self, "already_exists", already_exists)
        assign(self, "created_on", created_on)
        assign(self, "cf_ray", cf_ray)
        assign(self, "raw", raw)
        assign(self, "outcome", outcome)
        assign(self, "preview_url", preview_url)
        assign(self, "stopped_on", stopped_on)
        assign(self, "branch", branch)
        assign(self, "commit_hash", commit_hash)
        assign(self, "commit_message", commit_message)
        assign(self, "author", author)
        assign(self, "trigger_source", trigger_source)
        assign(self, "deploy_hook_name", deploy_hook_name)
        assign(self, "trigger_name", trigger_name)
        assign(self, "initializing_on", initializing_on)
        assign(self, "running_on", running_on)
        assign(self, "modified_on", modified_on)
        assign(self, "already_stopped", already_stopped)

    def __repr__(self) -> str:  # every field but raw, in order, as a dataclass's repr
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items() if name != "raw")
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return vars(self) == vars(other)

    def __hash__(self) -> int:  # every field but raw, as a frozen dataclass's with raw left out of hash
        return hash(tuple(value for name, value in vars(self).items() if name != "raw"))

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")


_OPTIONAL_FIELDS = Build.__match_args__[Build.__match_args__.index("outcome"):]
"""The fields of :class:`Build` that default to ``None``."""


class LogLine(str):
    """A line of a build's log, as ``on_log`` receives it: a ``str`` (the line's text) that also carries when
    the build printed it.

    Attributes:
        timestamp: the line's time in seconds since 1970 (UTC), as the library read it (Cloudflare may send
            seconds or milliseconds; the library tells them apart).
    """

    timestamp: float

    def __new__(cls, text: str, timestamp: float) -> LogLine:
        line = super().__new__(cls, text)
        line.timestamp = timestamp
        return line

    @property
    def time(self) -> datetime:
        """The line's time as a timezone-aware (UTC) datetime."""
        return datetime.fromtimestamp(self.timestamp, timezone.utc)

    def __reduce__(self) -> tuple[type[LogLine], tuple[str, float]]:
        return (LogLine, (str(self), self.timestamp))


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(?:[Zz]|([+-])(\d\d):?(\d\d))?", re.ASCII
)


def parse_timestamp(text: str | None) -> datetime | None:
    """Parses an ISO 8601 date-time such as ``2019-12-27T18:11:19.117Z`` into an aware datetime.

    A time without an offset is taken as UTC; text that is not such a date-time gives ``None``
    (it stays readable in :attr:`Build.raw`). Written out because ``datetime.fromisoformat`` only
    accepts ``Z`` and arbitrary fractions from Python 3.11 on.
    """
    match = _TIMESTAMP.fullmatch(text) if text else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = match.groups()
    try:
        tz = timezone.utc
        if sign:
            offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
            tz = timezone(-offset if sign == "-" else offset)
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                        int(((fraction or "") + "000000")[:6]), tzinfo=tz)
    except ValueError:  # a day, hour or offset out of range
        return None
