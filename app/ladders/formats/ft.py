"""Read the Financial Times job-family YAML (Financial-Times/engineering-progression)."""

from __future__ import annotations

import re
from typing import Any

from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.fields import Reader
from app.ladders.formats.slug import slugify
from app.ladders.formats.validate import Parsed
from app.ladders.formats.yamlread import Path, carry, load_yaml
from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)

# FT judges a level as a whole rather than item by item; see docs/ladder-format.md.
RULE = LevelRule(type="threshold", threshold=0.75, approaching=0.5)
# FT level ids mark the branch they belong to with these suffixes.
BRANCHES = (("-ic", "ic", "Individual contributor"), ("-pm", "manager", "People manager"))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])")
_LIST_MARKER = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+")
# FT field -> spec field, so problems found by validate() point at the right line.
_FIELDS = {"id": "key", "summary": "title", "level": "level", "theme": "category"}


def parse_ft(text: str, *, file: str, key: str) -> Parsed:
    """Parse an FT job-family file; ``key`` names the ladder (FT files have no key)."""
    doc = load_yaml(text, file=file)
    r = Reader(file, doc.lines, Problems(doc.problems))
    top = r.mapping(doc.data, (), "an FT job-family file")
    if top is None:
        raise LadderFormatError(r.problems or [Problem(file, None, "the file is empty")])
    out: dict[Path, int] = {}
    levels = _pairs(r, top, "levels", "levels", out)
    themes = _pairs(r, top, "themes", "categories", out)
    comps: list[CompetencySpec] = []
    for i, item in enumerate(r.items(top, "competencies", ())):
        path: Path = ("competencies", i)
        m = r.mapping(item, path, f"competency {i + 1}")
        if m is None:
            continue
        carry(doc.lines, out, path, ("competencies", len(comps)), _FIELDS)
        summary = r.text(m, "summary", path)
        title, rest = split_title(summary)
        comps.append(
            CompetencySpec(
                key=_ref(r.text(m, "id", path)),
                title=title,
                level=_ref(r.text(m, "level", path)),
                category=_ref(r.text(m, "theme", path)),
                description=_description(r, m, path, rest),
                examples=r.strings(m, "examples", path),
            )
        )
    spec = LadderSpec(
        key=key,
        name=r.text(top, "name", ()),
        description=r.text(top, "summary", ()),
        tracks=branch_tracks(tuple(x.key for x in levels)),
        levels=tuple(levels),
        categories=tuple(CategorySpec(t.key, t.name, t.summary) for t in themes),
        competencies=tuple(comps),
        rule=RULE,
    )
    return Parsed(spec, out, r.problems, list(doc.warnings))


def _ref(value: str) -> str:
    return slugify(value) if value else ""


def _pairs(
    r: Reader, top: dict[Any, Any], section: str, spec_section: str, out: dict[Path, int]
) -> list[LevelSpec]:
    """Read FT ``levels`` or ``themes``: mappings of ``id``, ``name`` and maybe ``summary``."""
    items: list[LevelSpec] = []
    for i, item in enumerate(r.items(top, section, ())):
        path: Path = (section, i)
        m = r.mapping(item, path, f"{section} item {i + 1}")
        if m is None:
            continue
        carry(r.lines, out, path, (spec_section, len(items)), {"id": "key", "name": "name"})
        items.append(
            LevelSpec(
                _ref(r.text(m, "id", path)), r.text(m, "name", path), r.text(m, "summary", path)
            )
        )
    return items


def branch_tracks(level_keys: tuple[str, ...]) -> tuple[TrackSpec, ...]:
    """Split FT levels into tracks: ``-ic``/``-pm`` levels branch, earlier ones are shared."""
    if not any(k.endswith(suffix) for k in level_keys for suffix, _, _ in BRANCHES):
        return (TrackSpec("main", "Main", level_keys),) if level_keys else ()
    first_branch = next(
        i for i, k in enumerate(level_keys) if any(k.endswith(s) for s, _, _ in BRANCHES)
    )
    shared = level_keys[:first_branch]
    tracks = []
    for suffix, key, name in BRANCHES:
        own = [k for k in level_keys[first_branch:] if k.endswith(suffix)]
        if key == "manager":
            # Unmarked levels after the branch (FT's tech-director) lead people, so they
            # extend the manager track; see docs/ladder-format.md.
            own = [k for k in level_keys[first_branch:] if not k.endswith(BRANCHES[0][0])]
        if own:
            tracks.append(TrackSpec(key, name, (*shared, *own)))
    return tuple(tracks)


def split_title(summary: str) -> tuple[str, str]:
    """Split an FT summary into a one-sentence title and the full text, if longer."""
    first_line = next((ln for ln in summary.splitlines() if ln.strip()), "")
    first_line = _LIST_MARKER.sub("", first_line).strip()
    title = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip()
    whole = " ".join(summary.split())
    return title, ("" if title == whole else summary.strip())


def _description(r: Reader, m: dict[Any, Any], path: Path, rest: str) -> str:
    parts = [rest] if rest else []
    proficiency = r.text(m, "proficiency", path)
    if proficiency:
        parts.append(f"Expected proficiency: **{proficiency}**")
    links = []
    for i, item in enumerate(r.items(m, "supportingUrls", path)):
        link = r.mapping(item, (*path, "supportingUrls", i), f"supporting URL {i + 1}")
        if link is None:
            continue
        label = r.text(link, "label", (*path, "supportingUrls", i)) or "link"
        url = r.text(link, "url", (*path, "supportingUrls", i))
        if url:
            links.append(f"- [{label}]({url})")
    if links:
        parts.append("Supporting links:\n\n" + "\n".join(links))
    return "\n\n".join(parts)
