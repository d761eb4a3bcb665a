"""Read Monzo's progression-framework Markdown: YAML front matter with ``topics``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.fields import Reader, kind, show
from app.ladders.formats.slug import competency_key, humanise, slugify, strip_decoration, unique
from app.ladders.formats.validate import Parsed
from app.ladders.formats.yamlread import Path, load_yaml
from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)

# Monzo: "This isn't a checklist"; most, not all, behaviours of a level are expected.
RULE = LevelRule(type="threshold", threshold=0.75, approaching=0.5)
MAX_LEVELS = 50


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Return ``(front matter, body)`` if ``text`` opens with a ``---`` block, else None."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return None


def parse_monzo(text: str, *, file: str, key: str, fallback_name: str) -> Parsed:
    """Parse a Monzo framework page; its front matter starts on file line 2."""
    parts = split_front_matter(text)
    if parts is None:
        msg = "the YAML front matter is not closed: expected a second '---' line after the first"
        raise LadderFormatError([Problem(file, 1, msg)])
    front, body = parts
    # The opening "---" is line 1 of the file, so YAML line n is file line n + 1.
    doc = load_yaml(front, file=file, line_offset=1)
    r = Reader(file, doc.lines, Problems(doc.problems))
    top = r.mapping(doc.data, (), "the front matter")
    if top is None:
        raise LadderFormatError(r.problems)
    count = _level_count(r, top)
    warnings = list(doc.warnings)
    levels = tuple(LevelSpec(f"level-{n}", f"Level {n}") for n in range(1, count + 1))
    categories: list[CategorySpec] = []
    comps: list[CompetencySpec] = []
    out: dict[Path, int] = {}
    used: dict[str, int] = {}
    for i, item in enumerate(r.items(top, "topics", ())):
        path: Path = ("topics", i)
        topic = r.mapping(item, path, f"topic {i + 1}")
        if topic is None:
            continue
        raw_name = r.text(topic, "name", path)
        name = strip_decoration(r.text(topic, "title", path)) or humanise(raw_name)
        cat = slugify(raw_name) if raw_name else ""
        if path in r.lines:
            out[("categories", len(categories))] = r.lines[path]
        categories.append(CategorySpec(cat, name))
        for j, block in enumerate(r.items(topic, "content", path)):
            bpath: Path = (*path, "content", j)
            content = r.mapping(block, bpath, f"topic {show(raw_name)} content {j + 1}")
            if content is None:
                continue
            beyond = _beyond(content, count)
            if beyond:
                # Monzo's site shows levels 1-N only and ignores the rest: so does Rungs.
                skipped = len(_criteria(r, content, bpath))
                msg = (
                    f"topic {show(raw_name)}: level {beyond} is beyond the declared {count} "
                    f"(levels: {count}); its {skipped} criteria are skipped, as Monzo's site does"
                )
                warnings.append(Problem(file, r.line(*bpath, "level"), msg))
                continue
            level = _level(r, content, bpath, count)
            if level is None:
                continue  # already reported; its criteria would only repeat the problem
            for title, examples, cpath in _criteria(r, content, bpath):
                if cpath in r.lines:
                    out[("competencies", len(comps))] = r.lines[cpath]
                base = competency_key(cat, level, title)
                comps.append(
                    CompetencySpec(unique(base, used), title, level, cat, examples=examples)
                )
    ladder_name = strip_decoration(r.text(top, "title", ())) or fallback_name
    spec = LadderSpec(
        key=key,
        name=ladder_name,
        description=body.strip(),
        tracks=(TrackSpec("main", ladder_name, tuple(x.key for x in levels)),) if levels else (),
        levels=levels,
        categories=tuple(categories),
        competencies=tuple(comps),
        rule=RULE,
    )
    return Parsed(spec, out, r.problems, warnings)


def _beyond(content: dict[Any, Any], count: int) -> int | None:
    value = content.get("level")
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and count
        and count < value <= MAX_LEVELS
    ):
        return value
    return None


def inherit(generic: LadderSpec, spec: LadderSpec) -> LadderSpec:
    """Add the criteria of Monzo's ``generic.md`` to the topics of the same name, first in
    each level, as Monzo's site shows a framework page; a topic without a title takes the
    generic one's name."""
    own = {c.key for c in spec.competencies}
    levels = {lv.key for lv in spec.levels}
    names = {c.key: c.name for c in generic.categories}
    categories = tuple(
        replace(c, name=names[c.key]) if c.key in names and c.name == humanise(c.key) else c
        for c in spec.categories
    )
    shared = {c.key for c in spec.categories} & set(names)
    inherited = [
        c
        for c in generic.competencies
        if c.category in shared and c.level in levels and c.key not in own
    ]
    # Pages show a level's criteria topic by topic, so first here means first in each cell.
    return replace(spec, categories=categories, competencies=(*inherited, *spec.competencies))


def _level_count(r: Reader, top: dict[Any, Any]) -> int:
    value = top.get("levels")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_LEVELS:
        return value
    if value is None:
        r.add((), "'levels: N' (the number of levels) is missing from the front matter")
    else:
        r.add(
            ("levels",),
            f"'levels' must be a whole number from 1 to {MAX_LEVELS}, not {kind(value)}",
        )
    return 0


def _level(r: Reader, content: dict[Any, Any], path: Path, count: int) -> str | None:
    value = content.get("level")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= count:
        return f"level-{value}"
    if isinstance(value, int) and not isinstance(value, bool):
        r.add(
            (*path, "level"),
            f"level {value} is outside 1-{count} (the front matter says levels: {count})",
        )
    else:
        r.add(
            (*path, "level") if value is not None else path,
            f"content 'level' must be a number, not {kind(value)}",
        )
    return None


def _criteria(
    r: Reader, content: dict[Any, Any], path: Path
) -> list[tuple[str, tuple[str, ...], Path]]:
    """Return ``(title, examples, path)`` for plain criteria, then for example criteria."""
    found = []
    for k, item in enumerate(r.items(content, "criteria", path)):
        cpath = (*path, "criteria", k)
        title = r.scalar_text(item, cpath, "a criterion", required=True)
        if title:
            found.append((title, (), cpath))
    for k, item in enumerate(r.items(content, "exampleCriteria", path)):
        cpath = (*path, "exampleCriteria", k)
        m = r.mapping(item, cpath, "an example criterion")
        if m is None:
            continue
        title = r.text(m, "criteria", cpath, required=True)
        if title:
            found.append((title, r.strings(m, "examples", cpath), cpath))
    return found
