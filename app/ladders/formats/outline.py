"""Read a Markdown ladder as people write them: headings, bullets and tables.

markdown-it-py parses the file (CommonMark plus tables), so list indentation, lazy lines and
code blocks mean what they mean in Markdown. Then the roles of the headings are found:

- ``levels-categories``: level headings holding category headings holding bullets; when only
  one heading (a title) sits above headings with bullets, those are the levels;
- ``categories-levels``: the other way round;
- ``one-level``: the title names the one level, the headings under it are categories (a
  ladder kept as one file per level);
- ``levels-across`` / ``levels-down``: the file's Markdown and HTML tables are a grid.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.ladders import limits
from app.ladders.formats import grid, htmltable
from app.ladders.formats.errors import LadderFormatError, Problem
from app.ladders.formats.items import titled
from app.ladders.formats.slug import competency_key, slugify, strip_decoration, unique
from app.ladders.formats.validate import MAX_COMPETENCIES, TOO_MANY, Parsed
from app.ladders.formats.yamlread import Path
from app.ladders.spec import CategorySpec, CompetencySpec, LadderSpec, LevelSpec, TrackSpec

LEVELS_CATEGORIES = "levels-categories"
CATEGORIES_LEVELS = "categories-levels"
ONE_LEVEL = "one-level"
LAYOUTS = (LEVELS_CATEGORIES, CATEGORIES_LEVELS, ONE_LEVEL, *grid.LAYOUTS)
LABELS = {
    LEVELS_CATEGORIES: "level headings, then category headings, then bullets",
    CATEGORIES_LEVELS: "category headings, then level headings, then bullets",
    ONE_LEVEL: "one level: the title names it, the headings are its categories",
    **grid.LABELS,
}
GENERAL = "General"
_LINK_ONLY = re.compile(r"^\[[^\]]*\]\([^)]*\)[\s.,;:]*$")
_TOC = {"table of contents", "contents", "toc", "index"}
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass(frozen=True)
class _Heading:
    depth: int
    text: str
    line: int


@dataclass
class _Node:
    type: str
    line: int
    inline: str = ""
    plain: str = ""
    children: list[_Node] = field(default_factory=list)
    token: Token | None = None


@dataclass(frozen=True)
class _Bullet:
    path: tuple[_Heading, ...]
    line: int
    title: str
    description: str
    examples: tuple[str, ...]


@dataclass
class _Page:
    title: str = ""
    bullets: list[_Bullet] = field(default_factory=list)
    paragraphs: list[tuple[tuple[_Heading, ...], int, str]] = field(default_factory=list)
    tables: list[tuple[tuple[_Heading, ...], grid.Sheet]] = field(default_factory=list)
    skipped_links: int = 0


def parse_outline(
    text: str, *, file: str, key: str, fallback_name: str, layout: str = "auto"
) -> Parsed:
    """Parse a Markdown ladder in ``layout`` (see LAYOUTS, or ``auto`` to find it)."""
    _check_size(text, file)
    page = _read(text)
    chosen = layout if layout in LAYOUTS else _guess(page, file)
    name = page.title or fallback_name
    if chosen in grid.LAYOUTS:
        if not page.tables:
            msg = "the file has no Markdown or HTML table to read as a grid"
            raise LadderFormatError([Problem(file, None, msg + f"; {_shape(page)}")])
        parsed = grid.parse_grid(
            [sheet for _, sheet in page.tables], file=file, key=key, name=name, layout=chosen
        )
        about = [t for path, _, t in page.paragraphs if _under_title(path, page.title)]
        parsed = replace(parsed, spec=replace(parsed.spec, description="\n\n".join(about)))
        if page.bullets:
            parsed.warnings.append(
                Problem(file, None, f"{len(page.bullets)} bullets outside the tables skipped")
            )
        parsed.warnings.insert(
            0, Problem(file, None, f"{_count(len(page.tables), 'table')} read as a grid")
        )
        return replace(parsed, layout=chosen)
    if not page.bullets:
        raise LadderFormatError([Problem(file, None, f"no competencies found: {_shape(page)}")])
    return replace(_ladder(page, chosen, file=file, key=key, name=name), layout=chosen)


def _check_size(text: str, file: str) -> None:
    """Refuse, before parsing, Markdown that would take a worker more than a few seconds."""
    lines = text.count("\n") + 1
    size = len(text.encode("utf-8", "surrogatepass"))
    if lines > limits.MARKDOWN_LINES or size > limits.MARKDOWN_BYTES:
        msg = (
            f"the Markdown file has {lines:,} lines and {size:,} bytes; a Markdown ladder may "
            f"have at most {limits.MARKDOWN_LINES:,} lines and {limits.MARKDOWN_BYTES:,} "
            "bytes: split it into several files (import them together) or use CSV or YAML"
        )
        raise LadderFormatError([Problem(file, None, msg)])


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _shape(page: _Page) -> str:
    """Say what the file holds and what would work, for a refusal."""
    if page.tables and not page.bullets:
        return (
            f"the file holds {_count(len(page.tables), 'table')} and no bullets: "
            "choose a grid layout (levels across or down) to read the tables"
        )
    return (
        f"the file holds {_count(len(page.paragraphs), 'paragraph')} and no bullets under "
        "its headings; a Markdown ladder needs '## Level' headings (and maybe '### Category' "
        "headings) with '- ' bullets under them"
    )


# --- reading the Markdown -------------------------------------------------------------------


def _tree(tokens: list[Token]) -> list[_Node]:
    root = _Node("root", 0)
    stack = [root]
    for tok in tokens:
        line = tok.map[0] + 1 if tok.map else stack[-1].line
        if tok.nesting == 1:
            node = _Node(tok.type.removesuffix("_open"), line, token=tok)
            stack[-1].children.append(node)
            stack.append(node)
        elif tok.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        elif tok.type == "inline":
            stack[-1].inline = tok.content
            stack[-1].plain = _plain(tok)
        else:
            stack[-1].children.append(_Node(tok.type, line, inline=tok.content, token=tok))
    return root.children


def _plain(tok: Token) -> str:
    """The text of an inline token without its Markdown: for names of levels and categories."""
    parts = []
    for child in tok.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _read(text: str) -> _Page:
    page = _Page()
    path: list[_Heading] = []
    skipping = 0  # depth of a "Table of contents" section being skipped
    for node in _tree(_MD.parse(text)):
        if node.type == "heading":
            depth = int(node.token.tag[1]) if node.token else 1
            heading = _Heading(depth, strip_decoration(node.plain), node.line)
            if skipping and depth > skipping:
                continue
            skipping = depth if heading.text.lower().rstrip(":") in _TOC else 0
            while path and path[-1].depth >= depth:
                path.pop()
            if depth == 1 and not page.title and not path:
                page.title = heading.text
            path.append(heading)
            continue
        if skipping:
            continue
        here = tuple(path)
        if node.type in ("bullet_list", "ordered_list"):
            for item in node.children:
                bullet = _bullet(item, here)
                if bullet is None:
                    page.skipped_links += 1
                else:
                    page.bullets.append(bullet)
        elif node.type == "paragraph":
            page.paragraphs.append((here, node.line, node.inline.strip()))
        elif node.type == "table":
            page.tables.append((here, grid.Sheet("", _table_rows(node))))
        elif node.type == "html_block" and "<table" in node.inline.lower():
            for rows in htmltable.tables(node.inline, node.line):
                page.tables.append((here, grid.Sheet("", rows)))
    return page


def _table_rows(node: _Node) -> list[tuple[int, list[str]]]:
    rows = []

    def walk(n: _Node) -> None:
        if n.type == "tr":
            cells = [_BR.sub("\n", c.inline).strip() for c in n.children if c.type in ("th", "td")]
            rows.append((n.line, cells))
        for child in n.children:
            walk(child)

    walk(node)
    return rows


def _text_of(item: _Node) -> tuple[str, list[str], list[str]]:
    """Return a list item's own paragraphs (first, then others) and its nested items' texts."""
    paragraphs, nested = [], []
    for child in item.children:
        if child.type == "paragraph":
            paragraphs.append(child.inline.strip())
        elif child.type in ("bullet_list", "ordered_list"):
            for sub in child.children:
                first, more, deeper = _text_of(sub)
                text = " ".join(" ".join(x.split("\n")) for x in (first, *more) if x)
                if text and not _LINK_ONLY.match(text):
                    nested.append(text)
                nested.extend(deeper)
        elif child.type in ("fence", "code_block"):
            paragraphs.append(child.inline.rstrip())
    first = paragraphs[0] if paragraphs else ""
    return first, paragraphs[1:], nested


def _bullet(item: _Node, path: tuple[_Heading, ...]) -> _Bullet | None:
    first, more, examples = _text_of(item)
    if not first or _LINK_ONLY.match(first):
        return None
    # The first line is the title; lines that follow it (lazy or indented) describe it.
    head, _, rest = first.partition("\n")
    item_ = titled(head)
    description = "\n\n".join(
        x
        for x in (
            item_.description,
            "\n".join(ln.strip() for ln in rest.split("\n")).strip(),
            *more,
        )
        if x
    )
    return _Bullet(path, item.line, item_.title, description, tuple(examples))


# --- finding the roles of the headings ------------------------------------------------------


def _depths(page: _Page) -> tuple[int, int | None]:
    """Return the depth bullets sit under most, and the deepest depth above it that holds
    headings other than the page's title (None: only a title sits above)."""
    votes = Counter(b.path[-1].depth for b in page.bullets if b.path)
    if not votes:
        return 0, None
    inner = max(votes, key=lambda d: (votes[d], d))
    outer: dict[int, set[str]] = {}
    for b in page.bullets:
        for h in b.path:
            if h.depth < inner:
                outer.setdefault(h.depth, set()).add(h.text)
    candidates = [d for d, names in outer.items() if not (d == 1 and names == {page.title})]
    return inner, max(candidates) if candidates else None


def _names(page: _Page, depth: int) -> list[str]:
    seen: dict[str, None] = {}
    for b in page.bullets:
        for h in b.path:
            if h.depth == depth:
                seen.setdefault(h.text)
    return list(seen)


def _guess(page: _Page, file: str) -> str:
    if not page.bullets and page.tables:
        biggest = max((sheet for _, sheet in page.tables), key=lambda s: len(s.rows))
        return grid.guess(biggest)
    inner, outer = _depths(page)
    if not page.bullets:
        return LEVELS_CATEGORIES
    if outer is not None:
        outer_names, inner_names = _names(page, outer), _names(page, inner)
        if grid.levelish(inner_names) > max(grid.levelish(outer_names), 0.5):
            return CATEGORIES_LEVELS
        if max(grid.levelish(outer_names), grid.levelish(inner_names)) < 0.5:
            _not_a_ladder(file, outer_names)
        return LEVELS_CATEGORIES
    names = _names(page, inner) if inner else []
    if names and grid.levelish(names) >= 0.5:
        return LEVELS_CATEGORIES  # a title, then levels
    if page.title and grid.levelish([page.title]) > 0:
        return ONE_LEVEL
    _not_a_ladder(file, names)
    return LEVELS_CATEGORIES


def _not_a_ladder(file: str, names: list[str]) -> None:
    shown = ", ".join(repr(n[:40]) for n in names[:5]) or "none"
    msg = (
        f"this does not look like a ladder: the headings over its bullets ({shown}) do not "
        "name levels. If they are levels, choose the layout 'level headings, then category "
        "headings'; if the file is one level, choose 'one level'"
    )
    raise LadderFormatError([Problem(file, None, msg)])


def _ladder(page: _Page, layout: str, *, file: str, key: str, name: str) -> Parsed:
    inner, outer = _depths(page)
    warnings: list[Problem] = []
    placed: list[tuple[_Bullet, str, str]] = []
    summaries: dict[str, list[str]] = {}
    level_lines: dict[str, int] = {}
    skipped = 0
    for b in page.bullets:
        roles = _roles(b.path, layout, inner, outer, page.title)
        if roles is None:
            skipped += 1
            continue
        level, category, level_heading = roles
        placed.append((b, level, category))
        level_lines.setdefault(level, level_heading)
    if skipped:
        warnings.append(
            Problem(
                file, None, f"{_count(skipped, 'bullet')} before the first level heading skipped"
            )
        )
    # A paragraph right under a level heading says what the level is: its summary; one
    # under the title, before any level, says what the ladder is: its description.
    level_names = set(level_lines)
    unused: list[int] = []
    about: list[str] = []
    for path, line, text in page.paragraphs:
        last = path[-1].text if path else None
        if layout != ONE_LEVEL and _under_title(path, page.title):
            about.append(text)
        elif layout == LEVELS_CATEGORIES and last in level_names and _is_level(path, inner, outer):
            summaries.setdefault(last, []).append(text)
        elif layout == ONE_LEVEL and path and len(path) == 1:
            summaries.setdefault(name if not page.title else page.title, []).append(text)
        elif path and (level_names & {h.text for h in path}):
            unused.append(line)
    if unused:
        # The line of the first one, so that it can be found; the count says how many.
        warnings.append(Problem(file, unused[0], f"{_count(len(unused), 'paragraph')} skipped"))
    if page.skipped_links:
        msg = f"{_count(page.skipped_links, 'bullet')} that only link (a table of contents) skipped"
        warnings.append(Problem(file, None, msg))
    if page.tables:
        warnings.append(
            Problem(
                file,
                page.tables[0][1].rows[0][0] if page.tables[0][1].rows else None,
                f"{_count(len(page.tables), 'table')} skipped: choose a grid layout to read "
                "tables instead of bullets",
            )
        )
    headings_with_bullets = {h.text for b, _, _ in placed for h in b.path}
    for h in _level_headings(page, layout, inner, outer):
        if h.text not in headings_with_bullets and h.text not in level_names:
            warnings.append(
                Problem(file, h.line, f"section {h.text[:60]!r} has no bullets: skipped")
            )
    levels = _ordered(lv for _, lv, _ in placed)
    categories = _ordered(c for _, _, c in placed)
    used: dict[str, int] = {}
    comps: list[CompetencySpec] = []
    lines: dict[Path, int] = {}
    for b, level, category in placed:
        lines[("competencies", len(comps))] = b.line
        comps.append(
            CompetencySpec(
                key=unique(competency_key(category, level, b.title), used),
                title=b.title,
                level=slugify(level),
                category=slugify(category),
                description=b.description,
                examples=b.examples,
            )
        )
        if len(comps) > MAX_COMPETENCIES:
            raise LadderFormatError([Problem(file, b.line, TOO_MANY)])
    for i, lv in enumerate(levels):
        lines[("levels", i)] = level_lines[lv]
    spec = LadderSpec(
        key=key,
        name=name,
        description="\n\n".join(about),
        tracks=(TrackSpec("main", name, tuple(slugify(x) for x in levels)),) if levels else (),
        levels=tuple(LevelSpec(slugify(x), x, "\n\n".join(summaries.get(x, ()))) for x in levels),
        categories=tuple(CategorySpec(slugify(x), x) for x in categories),
        competencies=tuple(comps),
    )
    return Parsed(spec, lines, warnings=warnings)


def _roles(
    path: tuple[_Heading, ...], layout: str, inner: int, outer: int | None, title: str
) -> tuple[str, str, int] | None:
    """Return (level, category, line of the level heading) for a bullet, or None to skip."""
    by_depth = {h.depth: h for h in path}
    if layout == ONE_LEVEL:
        top = path[0] if path else None
        level = title or (top.text if top else "")
        if not level:
            return None
        deepest = path[-1] if len(path) > 1 else None
        return level, deepest.text if deepest else GENERAL, top.line if top else 1
    if outer is None:
        h = by_depth.get(inner)
        if h is None:
            return None
        if layout == CATEGORIES_LEVELS:
            return GENERAL, h.text, h.line
        return h.text, GENERAL, h.line
    outer_h, inner_h = by_depth.get(outer), by_depth.get(inner)
    if layout == CATEGORIES_LEVELS:
        if inner_h is None:
            return None
        return inner_h.text, outer_h.text if outer_h else GENERAL, inner_h.line
    if outer_h is None:
        return None
    return outer_h.text, inner_h.text if inner_h else GENERAL, outer_h.line


def _under_title(path: tuple[_Heading, ...], title: str) -> bool:
    """Tell whether a paragraph sits right under the page's title, before any other heading."""
    return bool(title) and len(path) == 1 and path[0].depth == 1 and path[0].text == title


def _is_level(path: tuple[_Heading, ...], inner: int, outer: int | None) -> bool:
    """Tell whether the last heading of ``path`` is a level heading (levels, then categories)."""
    return path[-1].depth == (inner if outer is None else outer)


def _level_headings(page: _Page, layout: str, inner: int, outer: int | None) -> list[_Heading]:
    """Headings at the level depth anywhere in the file, for "has no bullets" warnings."""
    if layout == ONE_LEVEL:
        return []
    depth = inner if (outer is None or layout == CATEGORIES_LEVELS) else outer
    seen: dict[str, _Heading] = {}
    for path, _, _ in page.paragraphs:
        for h in path:
            if h.depth == depth:
                seen.setdefault(h.text, h)
    return list(seen.values())


def _ordered(names) -> list[str]:
    """Return distinct names in first-appearance order, merging names with the same slug."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(slugify(name), name)
    return list(seen.values())
