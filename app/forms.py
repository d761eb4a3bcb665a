"""Checks shared by the forms of several features."""

from __future__ import annotations

import re
from datetime import date

from wtforms import DateField
from wtforms.validators import ValidationError

from app.markdown import is_safe_url, unsafe_links


def safe_markdown_links(_form, field) -> None:
    """Refuse Markdown whose links would run script or leave the allowed schemes."""
    bad = unsafe_links(field.data or "")
    if bad:
        raise ValidationError(
            f"Links must start with http://, https:// or mailto:; remove {bad[0][:60]!r}."
        )


def web_link(_form, field) -> None:
    """Accept only http and https links."""
    value = (field.data or "").strip()
    if value and (not is_safe_url(value) or not value.lower().startswith(("http://", "https://"))):
        raise ValidationError("The link must start with http:// or https://.")


# A host name with a dot, then the end or a path, port, query or fragment: "github.com/x".
_BARE_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+(?:[/:?#]|$)", re.I)


def with_https(value: str | None) -> str | None:
    """A filter: give a link typed without a scheme ("github.com/...") https://."""
    if isinstance(value, str):
        value = value.strip()
        if _BARE_HOST.match(value):
            return f"https://{value}"
    return value


def sensible_day(_form, field) -> None:
    """Accept dates between 1970 and 2100: anything else is a typo."""
    if field.data and not (date(1970, 1, 1) <= field.data <= date(2100, 12, 31)):
        raise ValidationError("Choose a date between 1970 and 2100.")


def unix_lines(value: str | None) -> str | None:
    """A filter: browsers send a textarea's lines ending in CRLF; text is kept with LF.

    Otherwise words typed back unchanged would differ from the stored ones by line ends.
    """
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def stripped(value: str | None) -> str | None:
    """A filter: drop the spaces around typed text."""
    return value.strip() if isinstance(value, str) else value


class DayField(DateField):
    """A date field whose refusal of a malformed date says what to type."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Give the date as a day between 1970 and 2100.") from None
