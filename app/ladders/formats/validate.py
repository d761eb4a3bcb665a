"""Semantic checks shared by every format: references, duplicates, rule and scale."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.ladders import limits
from app.ladders.formats.errors import Problem, Problems
from app.ladders.formats.slug import KEY_PATTERN
from app.ladders.formats.yamlread import Path, line_of
from app.ladders.spec import NO_OPPORTUNITY, LadderSpec, ScaleStep
from app.levels import rules

MAX_COMPETENCIES = limits.COMPETENCIES
TOO_MANY = f"the ladder has more than {MAX_COMPETENCIES:,} competencies, the most Rungs accepts"
KEY_RULE = (
    f"must be 1-{limits.KEY} lowercase letters, digits, '-', '_' or '.', "
    "starting with a letter or digit"
)
TOO_MUCH_TEXT = (
    f"the ladder holds more than {limits.TEXT:,} characters of text, the most Rungs accepts "
    "(YAML aliases count each time they are used)"
)


@dataclass(frozen=True)
class Parsed:
    """What a format parser produced: the spec, where its parts are, and what was wrong."""

    spec: LadderSpec
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=Problems)
    # Things read differently from how they were written, or skipped: shown in the preview.
    warnings: list[Problem] = field(default_factory=list)
    layout: str | None = None  # how the file was read, for formats that read several ways


def validate(
    spec: LadderSpec,
    *,
    file: str = "ladder",
    lines: Mapping[Path, int] | None = None,
    found: Iterable[Problem] = (),
) -> list[Problem]:
    """Return every problem with ``spec`` after the ``found`` ones; ``lines`` maps spec paths
    such as ``("competencies", 3, "level")`` to file lines, so problems can say where they are.

    Past MAX_PROBLEMS it raises LadderFormatError, as the parsers do."""
    where = dict(lines or {})
    problems = Problems(found)

    def add(path: Path, message: str) -> None:
        problems.append(Problem(file, line_of(where, *path) if path else None, message))

    if not spec.key or not KEY_PATTERN.match(spec.key):
        add(("key",), f"the ladder key {_q(spec.key)} {KEY_RULE}")
    if not spec.name.strip():
        add(("name",), "the ladder name must not be empty")
    elif len(spec.name) > limits.NAME:
        add(
            ("name",),
            f"the ladder name is {len(spec.name)} characters long; the limit is {limits.NAME}",
        )

    level_keys = _keyed(add, "levels", "level", [(x.key, x.name) for x in spec.levels])
    category_keys = _keyed(
        add, "categories", "category", [(x.key, x.name) for x in spec.categories]
    )
    _keyed(add, "tracks", "track", [(x.key, x.name) for x in spec.tracks])
    if not spec.levels:
        add((), "the ladder has no levels")
    if not spec.tracks:
        add((), "the ladder has no tracks")
    if not spec.categories:
        add((), "the ladder has no categories")
    if not spec.competencies:
        add((), "the ladder has no competencies")
    if len(spec.competencies) > MAX_COMPETENCIES:
        add((), TOO_MANY)
    if text_size(spec) > limits.TEXT:
        add((), TOO_MUCH_TEXT)

    for i, track in enumerate(spec.tracks):
        if not track.levels:
            add(("tracks", i), f"track {_q(track.key)} has no levels")
        seen: set[str] = set()
        for j, level in enumerate(track.levels):
            if level not in level_keys:
                add(
                    ("tracks", i, "levels", j),
                    f"track {_q(track.key)} names unknown level {_q(level)}",
                )
            elif level in seen:
                add(
                    ("tracks", i, "levels", j),
                    f"track {_q(track.key)} lists level {_q(level)} twice",
                )
            seen.add(level)

    _keyed(
        add, "competencies", "competency", [(c.key, c.title) for c in spec.competencies], "title"
    )
    for i, comp in enumerate(spec.competencies):
        who = f"competency {_q(comp.key or comp.title)}"
        for part, value, known in (
            ("level", comp.level, level_keys),
            ("category", comp.category, category_keys),
        ):
            if not value:
                add(("competencies", i, part), f"{who} has no {part}")
            elif value not in known:
                add(("competencies", i, part), f"{who} names unknown {part} {_q(value)}")
        if comp.points is not None and not (math.isfinite(comp.points) and comp.points >= 0):
            add(("competencies", i, "points"), f"{who} has points that are not a number >= 0")

    # One validator of rules: the level engine refuses exactly what this reports.
    for path, message in rules.problems(spec.rule, level_keys):
        add(path, message)
    for path, message in _scale_problems(spec.scale):
        add(path, message)
    if spec.no_opportunity and any(step.key == NO_OPPORTUNITY.key for step in spec.scale):
        add(
            ("no_opportunity",),
            f"scale key {_q(NO_OPPORTUNITY.key)} is the one no_opportunity adds: rename the step",
        )
    return problems


def _keyed(
    add: Callable[[Path, str], None],
    section: str,
    what: str,
    items: Iterable[tuple[str, str]],
    name: str = "name",
) -> set[str]:
    """Check keys are valid and unique and names non-empty; return the set of keys."""
    first: dict[str, int] = {}
    for i, (key, label) in enumerate(items):
        if not key:
            add((section, i, "key"), f"{what} {_q(label) if label else i + 1} has no key")
        elif not KEY_PATTERN.match(key):
            add((section, i, "key"), f"{what} key {_q(key)} {KEY_RULE}")
        elif key in first:
            add((section, i, "key"), f"duplicate {what} key {_q(key)}: each {what} needs its own")
        else:
            first[key] = i
        if not label.strip():
            add((section, i, name), f"{what} {_q(key) if key else i + 1} has an empty {name}")
        elif name == "name" and len(label) > limits.NAME:
            add(
                (section, i, name),
                f"the name of {what} {_q(key or label)} is {len(label)} characters long; "
                f"the limit is {limits.NAME}",
            )
    return set(first)


def text_size(spec: LadderSpec) -> int:
    """Count the characters of all the text in a ladder, as the database would store it."""
    size = len(spec.key) + len(spec.name) + len(spec.description)
    size += sum(len(s.key) + len(s.label) for s in spec.scale)
    size += sum(len(t.key) + len(t.name) + len(t.description) + len(t.levels) for t in spec.tracks)
    for part in (spec.levels, spec.categories):
        size += sum(len(x.key) + len(x.name) + len(x.summary) for x in part)
    for c in spec.competencies:
        size += len(c.key) + len(c.title) + len(c.description) + sum(map(len, c.examples))
    return size


def _scale_problems(scale: tuple[ScaleStep, ...]) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    if not scale:
        return [(("scale",), "the rating scale must have at least one step")]
    keys: set[str] = set()
    previous: float | None = None
    for i, step in enumerate(scale):
        path: Path = ("scale", i)
        if not step.key or not KEY_PATTERN.match(step.key):
            out.append((path, f"scale key {_q(step.key)} {KEY_RULE}"))
        elif len(step.key) > limits.SCALE_KEY:
            out.append(
                (path, f"scale key {_q(step.key)} is longer than {limits.SCALE_KEY} characters")
            )
        if step.key in keys:
            out.append((path, f"duplicate scale key {_q(step.key)}"))
        keys.add(step.key)
        if not step.label.strip():
            out.append((path, f"scale step {_q(step.key)} has an empty label"))
        if not (math.isfinite(step.value) and 0 <= step.value <= 1):
            out.append(
                (path, f"scale value {step.value} of {_q(step.key)} must be between 0 and 1")
            )
        elif previous is not None and step.value <= previous:
            out.append(
                (path, f"scale values must increase: {_q(step.key)} is not above the step before")
            )
        previous = step.value
    if scale[-1].value != 1:
        out.append(
            (("scale", len(scale) - 1), "the last scale step must have value 1 (demonstrated)")
        )
    return out


def _q(text: str) -> str:
    """Quote a key or title for a message, shortened: a title can be a whole paragraph."""
    return repr(text if len(text) <= 50 else text[:49] + "…")
