"""Comparing two versions of a ladder for people: what was added, removed, reworded.

Without Flask: takes two specs, returns data. A reworded text comes with a word-level diff,
so a reader sees which words changed, not two paragraphs to compare by eye.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from app.ladders.spec import CompetencySpec, LadderSpec

# Words and the spaces between them, so joining the pieces gives the text back exactly.
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "removed" or "added"
    text: str


def word_diff(old: str, new: str) -> tuple[Piece, ...]:
    """Split two texts into runs of unchanged, removed and added words."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return tuple(pieces)


@dataclass(frozen=True)
class FieldChange:
    field: str  # "title", "description", "examples", "level" or "category"
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Changed:
    key: str
    title: str
    fields: tuple[FieldChange, ...]

    @property
    def reworded(self) -> bool:
        """Tell whether the words changed (a move to another cell alone is not a rewording)."""
        return any(f.field in WORDING for f in self.fields)


@dataclass(frozen=True)
class Comparison:
    added: tuple[CompetencySpec, ...]
    removed: tuple[CompetencySpec, ...]
    changed: tuple[Changed, ...]
    others: tuple[str, ...]  # levels, categories, tracks, rule or scale that changed, by name

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.others)


# What a person reads when they rate: a change here asks them to look again.
WORDING = ("title", "description", "examples")


def wording(c: CompetencySpec) -> tuple:
    """The parts of a competency a rating was given against."""
    return (c.title, c.description, tuple(c.examples))


def compare(old: LadderSpec, new: LadderSpec) -> Comparison:
    """Say what going from ``old`` to ``new`` adds, removes and changes."""
    before = {c.key: c for c in old.competencies}
    after = {c.key: c for c in new.competencies}
    level_names = {lv.key: lv.name for lv in (*old.levels, *new.levels)}
    category_names = {c.key: c.name for c in (*old.categories, *new.categories)}
    changed = []
    for c in new.competencies:
        was = before.get(c.key)
        if was is None or was == c:
            continue
        fields = []
        for name in WORDING:
            a, b = getattr(was, name), getattr(c, name)
            if name == "examples":
                a, b = "\n".join(a), "\n".join(b)
            if a != b:
                fields.append(FieldChange(name, word_diff(a, b)))
        for name, names in (("level", level_names), ("category", category_names)):
            a, b = getattr(was, name), getattr(c, name)
            if a != b:
                fields.append(FieldChange(name, word_diff(names.get(a, a), names.get(b, b))))
        if was.points != c.points:
            fields.append(FieldChange("points", word_diff(str(was.points), str(c.points))))
        changed.append(Changed(c.key, c.title, tuple(fields)))
    others = []
    for part, label in (("levels", "level"), ("categories", "category"), ("tracks", "track")):
        old_items = {x.key: x for x in getattr(old, part)}
        for item in getattr(new, part):
            if item.key not in old_items:
                others.append(f"new {label} {item.name}")
            elif old_items[item.key] != item:
                others.append(f"{label} {item.name} changed")
        gone = {x.key for x in getattr(new, part)}
        others += [f"{label} {x.name} removed" for x in getattr(old, part) if x.key not in gone]
    if old.rule != new.rule:
        others.append("the rule that gives a level")
    if old.scale != new.scale:
        others.append("the rating scale")
    return Comparison(
        added=tuple(c for c in new.competencies if c.key not in before),
        removed=tuple(c for c in old.competencies if c.key not in after),
        changed=tuple(changed),
        others=tuple(others),
    )


def as_text(comparison: Comparison) -> str:
    """The comparison as plain text for the command line, with [-removed-] and {+added+}."""
    lines = []
    for c in comparison.added:
        lines.append(f"+ {c.key}: {c.title}")
    for c in comparison.removed:
        lines.append(f"- {c.key}: {c.title}")
    for c in comparison.changed:
        lines.append(f"~ {c.key}: {c.title}")
        for f in c.fields:
            shown = "".join(
                p.text
                if p.op == "same"
                else f"[-{p.text}-]"
                if p.op == "removed"
                else f"{{+{p.text}+}}"
                for p in f.pieces
            )
            lines.append(f"    {f.field}: {shown}")
    lines += [f"* {other}" for other in comparison.others]
    return "\n".join(lines) if lines else "No differences."
