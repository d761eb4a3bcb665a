"""Read a Markdown outline: level headings, category headings, competency bullets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from app.ladders.formats.errors import LadderFormatError, Problem
from app.ladders.formats.slug import competency_key, slugify, strip_decoration, unique
from app.ladders.formats.validate import MAX_COMPETENCIES, TOO_MANY, Parsed
from app.ladders.formats.yamlread import Path
from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LINK_ONLY = re.compile(r"^\[[^\]]*\]\([^)]*\)[\s.,;:]*$")
_TOC = {"table of contents", "contents", "toc", "index"}
GENERAL = "General"


class _Token(NamedTuple):
    # A NamedTuple, not a dataclass: a 5 MB file can hold a million of these.
    kind: str  # heading, bullet, sub (nested bullet), text (indented), prose, blank
    line: int
    text: str = ""
    depth: int = 0


@dataclass
class _Item:
    """A competency being collected; mutable only while its bullet's lines are read."""

    line: int
    title: str
    level: str
    category: str
    description: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def parse_outline(text: str, *, file: str, key: str, fallback_name: str) -> Parsed:
    """Parse an outline; everything before the first level heading is skipped."""
    tokens = list(_tokens(text))
    category_depth = _category_depth(tokens)
    if category_depth is None:
        msg = (
            "no competencies found: expected '## Level' and '### Category' headings "
            "with '- ' bullets under them"
        )
        raise LadderFormatError([Problem(file, None, msg)])
    depths = {t.depth for t in tokens if t.kind == "heading" and t.depth < category_depth}
    level_depth = max(depths) if depths else category_depth

    title, items, level_lines = _collect(tokens, level_depth, category_depth, fallback_name, file)
    levels = _ordered(it.level for it in items)
    categories = _ordered(it.category for it in items)
    used: dict[str, int] = {}
    comps: list[CompetencySpec] = []
    lines: dict[Path, int] = {}
    for it in items:
        lines[("competencies", len(comps))] = it.line
        comps.append(
            CompetencySpec(
                key=unique(competency_key(it.category, it.level, it.title), used),
                title=it.title,
                level=slugify(it.level),
                category=slugify(it.category),
                description="\n".join(it.description),
                examples=tuple(it.examples),
            )
        )
    for i, name in enumerate(levels):
        lines[("levels", i)] = level_lines[name]
    spec = LadderSpec(
        key=key,
        name=title,
        tracks=(TrackSpec("main", title, tuple(slugify(x) for x in levels)),) if levels else (),
        levels=tuple(LevelSpec(slugify(x), x) for x in levels),
        categories=tuple(CategorySpec(slugify(x), x) for x in categories),
        competencies=tuple(comps),
    )
    return Parsed(spec, lines, [])


def _tokens(text: str) -> Iterator[_Token]:
    fenced = blank = False
    for n, raw in enumerate(text.split("\n"), start=1):
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        if fenced:
            continue
        if not raw.strip():
            if not blank:  # a run of blank lines means no more than one
                yield _Token("blank", n)
            blank = True
            continue
        blank = False
        if m := _HEADING.match(raw):
            yield _Token("heading", n, strip_decoration(m.group(2).strip()), len(m.group(1)))
        elif raw.lstrip().startswith("|"):
            yield _Token("prose", n)  # a table row: never a competency
        elif m := _BULLET.match(raw):
            indent = len(m.group(1).expandtabs(4))
            yield _Token("bullet" if indent < 2 else "sub", n, m.group(2).strip())
        elif raw[:1] in (" ", "\t"):
            yield _Token("text", n, raw.strip())
        else:
            yield _Token("prose", n, raw.strip())


def _category_depth(tokens: list[_Token]) -> int | None:
    """Return the heading depth that most competency-like bullets sit directly under."""
    votes: Counter[int] = Counter()
    depth = 0
    for t in tokens:
        if t.kind == "heading":
            depth = t.depth
        elif t.kind == "bullet" and depth and not _LINK_ONLY.match(t.text):
            votes[depth] += 1
    if not votes:
        return None
    # Ties go to the deeper heading: categories nest inside levels.
    return max(votes, key=lambda d: (votes[d], d))


def _collect(
    tokens: list[_Token], level_depth: int, category_depth: int, fallback_name: str, file: str
) -> tuple[str, list[_Item], dict[str, int]]:
    title = ""
    level = category = ""
    skipping_depth = 0  # inside a "Table of contents" section of this depth
    items: list[_Item] = []
    level_lines: dict[str, int] = {}
    current: _Item | None = None
    after_blank = False
    for t in tokens:
        if t.kind == "heading":
            current = None
            if skipping_depth and t.depth > skipping_depth:
                continue
            skipping_depth = t.depth if t.text.lower().rstrip(":") in _TOC else 0
            if t.depth < level_depth:
                title = title or (t.text if t.depth == 1 else "")
                level = category = ""
            elif t.depth == level_depth:
                level, category = t.text, ("" if level_depth < category_depth else GENERAL)
                level_lines.setdefault(level, t.line)
            elif t.depth <= category_depth:
                category = t.text if t.depth == category_depth else ""
        elif skipping_depth or not level:
            continue
        elif t.kind == "bullet":
            current = None
            if t.text and not _LINK_ONLY.match(t.text):
                current = _Item(t.line, t.text, level, category or GENERAL)
                items.append(current)
                if len(items) > MAX_COMPETENCIES:
                    raise LadderFormatError([Problem(file, t.line, TOO_MANY)])
        elif current is not None and t.kind == "sub":
            if not _LINK_ONLY.match(t.text):
                current.examples.append(t.text)
        elif current is not None and (t.kind == "text" or (t.kind == "prose" and not after_blank)):
            # Indented text, or a "lazy" line right under the bullet, continues the item.
            if current.examples:
                current.examples[-1] += " " + t.text
            else:
                current.description.append(t.text)
        elif t.kind == "prose":
            current = None
        after_blank = t.kind == "blank"
    return title or fallback_name, items, level_lines


def _ordered(names: Iterable[str]) -> list[str]:
    """Return distinct names in first-appearance order, merging names with the same slug."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(slugify(name), name)
    return list(seen.values())
