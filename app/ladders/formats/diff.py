"""What re-importing a ladder would change, by key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.ladders.spec import LadderSpec


@dataclass(frozen=True)
class Changes:
    """Keys added, updated (any field differs) and archived (gone from the new file)."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    archived: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.archived)


@dataclass(frozen=True)
class LadderDiff:
    """Changes to each part of a ladder, plus whether name, description, rule or scale moved."""

    competencies: Changes
    levels: Changes
    categories: Changes
    tracks: Changes
    settings_changed: bool = False

    @property
    def added(self) -> int:
        return len(self.competencies.added)

    @property
    def updated(self) -> int:
        return len(self.competencies.updated)

    @property
    def archived(self) -> int:
        return len(self.competencies.archived)

    @property
    def unchanged(self) -> bool:
        parts = (self.competencies, self.levels, self.categories, self.tracks)
        return not (any(parts) or self.settings_changed)

    def summary(self) -> str:
        """Describe the change in one line, e.g. ``adds 12, updates 3, archives 1``."""
        if self.unchanged:
            return "no changes"
        text = f"adds {self.added}, updates {self.updated}, archives {self.archived}"
        others = [
            name
            for name, changes in (
                ("levels", self.levels),
                ("categories", self.categories),
                ("tracks", self.tracks),
            )
            if changes
        ]
        if self.settings_changed:
            others.append("ladder settings")
        return f"{text}; also changes {', '.join(others)}" if others else text


def diff(old: LadderSpec | None, new: LadderSpec) -> LadderDiff:
    """Compare two versions of a ladder; ``old`` None means everything is new."""
    if old is None:
        return LadderDiff(
            competencies=Changes(added=tuple(c.key for c in new.competencies)),
            levels=Changes(added=tuple(x.key for x in new.levels)),
            categories=Changes(added=tuple(x.key for x in new.categories)),
            tracks=Changes(added=tuple(x.key for x in new.tracks)),
            settings_changed=True,
        )
    settings = ("name", "description", "rule", "scale", "no_opportunity")
    return LadderDiff(
        competencies=_changes(old.competencies, new.competencies),
        levels=_changes(old.levels, new.levels),
        categories=_changes(old.categories, new.categories),
        tracks=_changes(old.tracks, new.tracks),
        settings_changed=any(getattr(old, s) != getattr(new, s) for s in settings),
    )


def _changes(old: Sequence[Any], new: Sequence[Any]) -> Changes:
    before = {x.key: x for x in old}
    after_keys = {x.key for x in new}
    return Changes(
        added=tuple(x.key for x in new if x.key not in before),
        updated=tuple(x.key for x in new if x.key in before and before[x.key] != x),
        archived=tuple(x.key for x in old if x.key not in after_keys),
    )


@dataclass(frozen=True)
class Named:
    """One part of a ladder's changes, by name: what a person reads in a preview."""

    part: str  # "competencies", "levels", "categories" or "tracks"
    added: tuple[str, ...]
    updated: tuple[str, ...]
    archived: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.archived)


def named(old: LadderSpec | None, new: LadderSpec) -> tuple[Named, ...]:
    """Name what going from ``old`` to ``new`` adds, changes and archives, part by part.

    Competencies are named by title with their level and category, the rest by name."""
    change = diff(old, new)
    before = old or LadderSpec(new.key, new.name, (), (), (), ())

    def label(spec: LadderSpec):
        levels = {x.key: x.name for x in spec.levels}
        categories = {x.key: x.name for x in spec.categories}
        return lambda c: (
            f"{c.title} ({levels.get(c.level, c.level)} · {categories.get(c.category, c.category)})"
        )

    out = []
    for part, changes in (
        ("competencies", change.competencies),
        ("levels", change.levels),
        ("categories", change.categories),
        ("tracks", change.tracks),
    ):
        old_items = {x.key: x for x in getattr(before, part)}
        new_items = {x.key: x for x in getattr(new, part)}
        if part == "competencies":
            old_name, new_name = label(before), label(new)
        else:
            old_name = new_name = lambda x: x.name  # noqa: E731
        out.append(
            Named(
                part,
                tuple(new_name(new_items[k]) for k in changes.added),
                tuple(new_name(new_items[k]) for k in changes.updated),
                tuple(old_name(old_items[k]) for k in changes.archived),
            )
        )
    return tuple(out)
