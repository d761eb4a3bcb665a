"""Safe Markdown for everything people type: raw HTML off, then an nh3 allow-list."""

from __future__ import annotations

from functools import cache, lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
TAGS = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "hr",
        "h3",
        "h4",
        "h5",
        "h6",
        "del",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@cache
def _link_finder() -> MarkdownIt:
    # Accepts every link, so links that the renderer would drop quietly can be reported.
    finder = MarkdownIt("commonmark", {"html": False})
    finder.validateLink = lambda _url: True
    return finder


def render(text: str | None) -> Markup:
    """Turn user Markdown into HTML that is safe to put on a page."""
    if not text:
        return Markup("")
    return _render(text)


# Ladder descriptions are rendered on every rubric page and change only on import.
@lru_cache(maxsize=16384)
def _render(text: str) -> Markup:
    return _sanitised(_renderer().render(text), TAGS)


def _sanitised(html: str, tags: frozenset[str]) -> Markup:
    """Keep only the allowed tags, attributes and link schemes of rendered Markdown."""
    clean = nh3.clean(
        html,
        tags=set(tags),
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes=set(SAFE_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


INLINE_TAGS = frozenset({"em", "strong", "code", "del", "a"})


def render_inline(text: str | None) -> Markup:
    """Turn a one-line title's Markdown (``**bold**``, `code`, links) into safe inline HTML."""
    if not text:
        return Markup("")
    return _render_inline(text)


@lru_cache(maxsize=16384)
def _render_inline(text: str) -> Markup:
    return _sanitised(_renderer().renderInline(text), INLINE_TAGS)


def unsafe_links(text: str | None) -> list[str]:
    """List the link targets in Markdown that do not use http, https or mailto."""
    found = []
    for token in _link_finder().parse(text or ""):
        for child in token.children or ():
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if not is_safe_url(href):
                    found.append(href)
    return list(dict.fromkeys(found))


def neutralised(text: str | None) -> str:
    """Markdown that stays safe in any renderer: raw HTML shown as text, unsafe links emptied.

    For Markdown that leaves Rungs (the packet download): the page sanitises what it
    renders, but another viewer may render raw HTML and ``javascript:`` links.
    """
    text = (text or "").replace("<", "&lt;")
    for href in unsafe_links(text):
        text = text.replace(href, "#")
    return text


def is_safe_url(url: str) -> bool:
    """Tell whether a link is relative or uses one of the allowed schemes."""
    cleaned = "".join(ch for ch in url if ch > " ").lower()  # browsers ignore control chars
    scheme = urlsplit(cleaned).scheme
    return scheme in SAFE_SCHEMES or (scheme == "" and ":" not in cleaned.split("/")[0])


def short_text(text: str | None, limit: int = 240) -> str:
    """The first paragraph of some Markdown, cut at a word to ``limit`` characters.

    For lists of things with long descriptions (a ladder's whole essay): a glimpse, not all.
    Headings are skipped: the first paragraph of prose says what a thing is.
    """
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        block = " ".join(line.strip() for line in block.strip().splitlines())
        if block and not block.startswith("#"):
            if len(block) <= limit:
                return block
            return block[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return ""
