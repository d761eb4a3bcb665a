"""Time zones: which names are real, and a stored UTC time as a person reads it.

Plain functions on the standard library's zoneinfo, importable without Flask.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT = "UTC"


@cache
def names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted, without the legacy aliases."""
    legacy = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
    found = {n for n in available_timezones() if "/" in n and not n.startswith(legacy)}
    return tuple(sorted(found | {DEFAULT}))


def known(name: str | None) -> bool:
    """Tell whether a name is a zone one may choose (a cookie or a form may send anything)."""
    return bool(name) and name in names()


def zone(*candidates: str | None) -> ZoneInfo:
    """The first known zone among the candidates, else UTC."""
    for name in candidates:
        if known(name):
            return ZoneInfo(name)
    return ZoneInfo(DEFAULT)


def local(moment: datetime, where: ZoneInfo) -> datetime:
    """A stored time (naive UTC, as app.clock writes it) in a zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(where)


def shown(moment: datetime, where: ZoneInfo, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A time as people read it: "2 Dec 2026, 09:14 CET"."""
    there = local(moment, where)
    return f"{there.strftime(fmt)} {there.tzname()}"
