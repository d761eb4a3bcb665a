"""Merging two people's edits of the shared notes, line by line, so that no word is lost.

Without Flask. A save names the revision it was typed on (the base); the notes may have
moved on since (theirs); what was posted is mine. merge3 does the three-way merge. Where
both inserted lines at the same place (two people typing new lines at the end, the common
case in a 1:1) both insertions are kept, theirs first, lines they share only once. Where
both changed the same lines differently, both versions are kept between plain-text markers
that anyone can read and edit in the Markdown box.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from merge3 import Merge3

START = "<<<<<<< {name} wrote:"
MIDDLE = "======= {name} wrote:"
END = ">>>>>>> (keep what you need, then delete these marker lines)"


@dataclass(frozen=True)
class Merged:
    text: str
    conflicts: int  # regions kept twice between markers


def normalize(text: str) -> str:
    """Use one line ending: browsers send a textarea with CRLF, people type LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def merge(base: str, theirs: str, mine: str, *, their_name: str, my_name: str) -> Merged:
    """Merge my edits of base into theirs; keep both versions where they clash."""
    base, theirs, mine = normalize(base), normalize(theirs), normalize(mine)
    if theirs in (base, mine):
        return Merged(mine, 0)
    if mine == base:
        return Merged(theirs, 0)
    lines: list[str] = []
    conflicts = 0
    groups = Merge3(base.split("\n"), theirs.split("\n"), mine.split("\n")).merge_groups()
    for group in groups:
        if group[0] != "conflict":
            lines.extend(group[1])
            continue
        _, was, their_lines, my_lines = group
        if not any(line.strip() for line in was):
            # Only blank lines in between: both wrote new lines at one place.
            lines.extend(union(list(their_lines), list(my_lines)))
            continue
        woven = weave(list(was), list(their_lines), list(my_lines))
        if woven is not None:
            lines.extend(woven)
            continue
        conflicts += 1
        lines.append(START.format(name=their_name))
        lines.extend(their_lines)
        lines.append(MIDDLE.format(name=my_name))
        lines.extend(my_lines)
        lines.append(END)
    return Merged("\n".join(lines), conflicts)


def weave(base: list[str], theirs: list[str], mine: list[str]) -> list[str] | None:
    """Apply both sides' edits of one region if they touch different lines, else None.

    merge3 calls a region a conflict as soon as two edits touch, such as a line inserted
    just above a line the other person changed; line by line, both edits still fit.
    """
    edits = []
    for side, lines in ((0, theirs), (1, mine)):
        matcher = difflib.SequenceMatcher(None, base, lines, False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal":
                edits.append((i1, i2, side, lines[j1:j2]))
    edits.sort(key=lambda e: (e[0], e[1], e[2]))  # insertions before a change at that line
    woven, at, end = [], 0, 0
    for i1, i2, _, lines in edits:
        if i1 < end:
            return None  # both changed the same line
        woven.extend(base[at:i1])
        woven.extend(lines)
        at = end = max(end, i2)
    woven.extend(base[at:])
    return woven


def union(theirs: list[str], mine: list[str]) -> list[str]:
    """Both insertions at one place: every line of each, a line both wrote only once."""
    kept: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, theirs, mine, False).get_opcodes():
        kept.extend(theirs[i1:i2])
        if op != "equal":
            kept.extend(mine[j1:j2])
    return kept


@dataclass(frozen=True)
class DiffLine:
    sign: str  # "+" added, "-" removed, " " context, "@" a gap between hunks
    text: str


def line_diff(before: str, after: str, context: int = 2) -> list[DiffLine]:
    """The lines that changed from one revision to the next, with a little context."""
    diff = difflib.unified_diff(
        normalize(before).split("\n") if before else [],
        normalize(after).split("\n") if after else [],
        n=context,
        lineterm="",
    )
    lines = []
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lines:
                lines.append(DiffLine("@", "…"))
            continue
        lines.append(DiffLine(line[0], line[1:]))
    return lines
