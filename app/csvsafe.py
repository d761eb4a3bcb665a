"""CSV cells that a spreadsheet opens as text, never as a formula (OWASP's CSV injection advice).

A cell beginning with ``=``, ``+``, ``-``, ``@``, a TAB or a carriage return is written with a
leading ``'``, which spreadsheets show as "this is text" and hide. So that reading the file
back is lossless, a cell that already begins with ``'`` followed by one of those characters
or by another ``'`` gets one more; :func:`unescape` removes exactly one.
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r")


def needs_quote(text: str) -> bool:
    """Tell whether :func:`escape` would prefix ``text`` with a ``'``."""
    return text[:1] in TRIGGERS or (text[:1] == "'" and text[1:2] in TRIGGERS | {"'"})


def escape(value: object) -> object:
    """Return ``value`` safe for a CSV cell; numbers and other non-text pass unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def unescape(text: str) -> str:
    """Undo :func:`escape` on a cell read from a CSV file."""
    if text[:1] == "'" and needs_quote(text[1:]):
        return text[1:]
    return text
