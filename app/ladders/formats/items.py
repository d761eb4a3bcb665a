"""Turn the text of a bullet or of a spreadsheet cell into competencies, as people write them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "**Name**: text", "__Name__ - text", "**Name:** text": a titled competency.
_TITLED = re.compile(
    r"^(\*\*|__)(?P<name>[^*_\n]{1,200}?)[:.]?\1\s*(?:[:\-–—]\s*)?(?P<rest>.*)$", re.S
)
_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+•◦▪]|\d{1,9}[.)])[ \t]+(?P<text>.*)$")


@dataclass(frozen=True)
class Item:
    title: str
    description: str = ""
    examples: tuple[str, ...] = ()


def titled(text: str) -> Item:
    """Split ``**Name**: text`` into a competency titled Name described by text."""
    text = text.strip()
    m = _TITLED.match(text)
    if m and m.group("rest").strip():
        return Item(m.group("name").strip(), m.group("rest").strip())
    if m:
        return Item(m.group("name").strip())
    return Item(text)


def cell_items(text: str) -> list[Item]:
    """Read the competencies of one grid cell: one per bullet, else one per line.

    Bullets indented under a bullet, or following a line that is not a bullet, are its
    examples; other lines under a bullet continue its description."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    items: list[tuple[str, list[str], list[str], bool]] = []  # title, more, examples, bullet
    base: int | None = None
    for ln in lines:
        m = _BULLET.match(ln)
        if m is None:
            if items and items[-1][3]:
                items[-1][1].append(ln.strip())
            else:
                items.append((ln.strip(), [], [], False))
            continue
        indent = len(m.group("indent").expandtabs(4))
        base = indent if base is None else base
        if items and (not items[-1][3] or indent > base):
            items[-1][2].append(m.group("text").strip())
        else:
            items.append((m.group("text").strip(), [], [], True))
    out = []
    for title, more, examples, _ in items:
        item = titled(title)
        description = "\n".join(x for x in (item.description, *more) if x)
        out.append(Item(item.title, description, tuple(examples)))
    return out
