"""Read the native ``rungs`` YAML ladder format (see docs/ladder-format.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.fields import Reader, kind, show
from app.ladders.formats.slug import slugify
from app.ladders.formats.validate import Parsed
from app.ladders.formats.yamlread import Path, carry, load_yaml
from app.ladders.spec import (
    DEFAULT_SCALE,
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    ScaleStep,
    TrackSpec,
)

VERSION = 1
TOP_KEYS = (
    "rungs",
    "key",
    "name",
    "description",
    "rule",
    "scale",
    "no_opportunity",
    "tracks",
    "levels",
    "categories",
    "competencies",
)
RULE_KEYS = ("type", "threshold", "approaching", "milestone_points", "level_points")
SCALE_KEYS = ("key", "label", "value")
TRACK_KEYS = ("key", "name", "description", "levels")
LEVEL_KEYS = ("key", "name", "summary")
CATEGORY_KEYS = ("key", "name", "summary")
COMPETENCY_KEYS = ("key", "title", "level", "category", "description", "examples", "points")


def parse_rungs(text: str, *, file: str, key: str | None = None) -> Parsed:
    """Parse a rungs file into a spec, the file line of each spec path, and problems."""
    doc = load_yaml(text, file=file)
    r = Reader(file, doc.lines, Problems(doc.problems))
    if doc.data is None:
        raise LadderFormatError([Problem(file, None, "the file is empty")])
    top = r.mapping(doc.data, (), "a rungs file")
    if top is None:
        raise LadderFormatError(r.problems)
    version = top.get("rungs")
    if "rungs" not in top:
        r.add((), f"'rungs: {VERSION}' (the format version) is missing at the top of the file")
    elif isinstance(version, bool) or version != VERSION:
        r.add(
            ("rungs",),
            f"unsupported format version {show(version)}: this version reads rungs: {VERSION}",
        )
    r.unknown_keys(top, TOP_KEYS, (), "the ladder")

    out: dict[Path, int] = {}
    name = r.text(top, "name", ())
    spec = LadderSpec(
        key=key or r.text(top, "key", ()) or slugify(name),
        name=name,
        description=r.text(top, "description", ()),
        rule=_rule(r, top.get("rule")),
        scale=_scale(r, top, out),
        no_opportunity=_flag(r, top, "no_opportunity"),
        tracks=tuple(_tracks(r, top, out)),
        levels=tuple(_simple(r, top, out, "levels", LEVEL_KEYS, LevelSpec)),
        categories=tuple(_simple(r, top, out, "categories", CATEGORY_KEYS, CategorySpec)),
        competencies=tuple(_competencies(r, top, out)),
    )
    for path in (("key",), ("name",), ("rule",)):
        if path in doc.lines:
            out[path] = doc.lines[path]
    for path, line in doc.lines.items():
        if path[:1] == ("rule",):
            out[path] = line
    return Parsed(spec, out, r.problems, list(doc.warnings))


def _entries(
    r: Reader, top: dict[Any, Any], section: str, allowed: tuple[str, ...]
) -> Iterator[tuple[int, dict[Any, Any]]]:
    """Yield ``(source index, mapping)`` for each well-formed item of a section."""
    for i, item in enumerate(r.items(top, section, ())):
        m = r.mapping(item, (section, i), f"{section} item {i + 1}")
        if m is not None:
            r.unknown_keys(m, allowed, (section, i), f"{section} item {i + 1}")
            yield i, m


def _carry(r: Reader, out: dict[Path, int], src: Path, dst: Path, fields: tuple[str, ...]) -> None:
    carry(r.lines, out, src, dst, {f: f for f in fields})


def _simple(
    r: Reader,
    top: dict[Any, Any],
    out: dict[Path, int],
    section: str,
    keys: tuple[str, ...],
    cls: type[LevelSpec] | type[CategorySpec],
) -> list[Any]:
    items = []
    for i, m in _entries(r, top, section, keys):
        path = (section, i)
        _carry(r, out, path, (section, len(items)), keys)
        items.append(
            cls(
                key=r.text(m, "key", path),
                name=r.text(m, "name", path),
                summary=r.text(m, "summary", path),
            )
        )
    return items


def _tracks(r: Reader, top: dict[Any, Any], out: dict[Path, int]) -> list[TrackSpec]:
    tracks = []
    for i, m in _entries(r, top, "tracks", TRACK_KEYS):
        path: Path = ("tracks", i)
        _carry(r, out, path, ("tracks", len(tracks)), TRACK_KEYS)
        levels = r.strings(m, "levels", path)
        for j in range(len(levels)):
            _carry(r, out, (*path, "levels", j), ("tracks", len(tracks), "levels", j), ())
        tracks.append(
            TrackSpec(
                key=r.text(m, "key", path),
                name=r.text(m, "name", path),
                levels=levels,
                description=r.text(m, "description", path),
            )
        )
    return tracks


def _competencies(r: Reader, top: dict[Any, Any], out: dict[Path, int]) -> list[CompetencySpec]:
    comps = []
    for i, m in _entries(r, top, "competencies", COMPETENCY_KEYS):
        path: Path = ("competencies", i)
        _carry(r, out, path, ("competencies", len(comps)), COMPETENCY_KEYS)
        comps.append(
            CompetencySpec(
                key=r.text(m, "key", path),
                title=r.text(m, "title", path),
                level=r.text(m, "level", path),
                category=r.text(m, "category", path),
                description=r.text(m, "description", path),
                examples=r.strings(m, "examples", path),
                points=r.number(m, "points", path),
            )
        )
    return comps


def _rule(r: Reader, raw: Any) -> LevelRule:
    if raw is None:
        return LevelRule()
    m = r.mapping(raw, ("rule",), "rule")
    if m is None:
        return LevelRule()
    r.unknown_keys(m, RULE_KEYS, ("rule",), "rule")
    milestones = [
        _whole(r, v, ("rule", "milestone_points", i))
        for i, v in enumerate(r.items(m, "milestone_points", ("rule",)))
    ]
    level_points: dict[str, int] = {}
    raw_levels = m.get("level_points")
    if raw_levels is not None:
        lp = r.mapping(raw_levels, ("rule", "level_points"), "rule level_points")
        for level, value in (lp or {}).items():
            points = _whole(r, value, ("rule", "level_points", str(level)))
            if points is not None:
                level_points[str(level)] = points
    # An unknown type is kept as written, so that validate() can name it.
    rule_type = r.text(m, "type", ("rule",)) or "all"
    return LevelRule(
        type=rule_type,  # type: ignore[arg-type]
        threshold=r.number(m, "threshold", ("rule",)),
        approaching=r.number(m, "approaching", ("rule",)),
        milestone_points=tuple(p for p in milestones if p is not None),
        level_points=level_points,
    )


def _whole(r: Reader, value: Any, path: Path) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    r.add(path, f"points must be whole numbers, not {kind(value)}")
    return None


def _flag(r: Reader, top: dict[Any, Any], name: str) -> bool:
    """Read a yes/no setting of the ladder; absent is no."""
    value = top.get(name, False)
    if not isinstance(value, bool):
        r.add((name,), f"{name} must be true or false, not {kind(value)}")
        return False
    return value


def _scale(r: Reader, top: dict[Any, Any], out: dict[Path, int]) -> tuple[ScaleStep, ...]:
    if top.get("scale") is None:
        return DEFAULT_SCALE
    steps = []
    for i, m in _entries(r, top, "scale", SCALE_KEYS):
        path: Path = ("scale", i)
        value = r.number(m, "value", path)
        if value is None:
            if "value" not in m:
                r.add(path, f"scale step {i + 1} needs a value between 0 and 1")
            continue
        _carry(r, out, path, ("scale", len(steps)), SCALE_KEYS)
        steps.append(
            ScaleStep(key=r.text(m, "key", path), label=r.text(m, "label", path), value=value)
        )
    return tuple(steps)
