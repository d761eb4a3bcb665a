"""Rendered Markdown never carries script, whatever people type (hypothesis)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.markdown import SAFE_SCHEMES, TAGS, render

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Markdown ------------------------------------------------------------------------

# Pieces that matter to Markdown, HTML and URL parsers; joined at random they make the
# nested, half-closed, entity-encoded constructs that sanitiser bypasses are made of.
PIECES = [
    "<script>",
    "</script>",
    "<scr<script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=x>",
    "<a href=",
    "<iframe",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    '"',
    "'",
    "`",
    "```",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "java&#x09;script:",
    "&#106;avascript:",
    "data:text/html,",
    "vbscript:",
    "mailto:a@b.c",
    "https://example.com/",
    "//evil.example",
    "[x](",
    "](",
    "![i](",
    ")",
    "<",
    ">",
    "&",
    "&lt;",
    "&#",
    ";",
    "=",
    " on",
    "onclick=",
    "onmouseover=",
    " ",
    "\n",
    "\n\n",
    "    ",
    "> ",
    "- ",
    "1. ",
    "# ",
    "| a | b |\n|---|---|\n",
    "<https://x.y>",
    "<javascript:alert(1)>",
    "\\",
    "\x00",
    "\u202e",
    "%0a",
    "%6a",
]
MARKDOWN = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=300),
)
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}


class Tags(HTMLParser):
    """Collect every start tag and its attributes, as a browser would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def scheme(url: str) -> str:
    """The scheme a browser would see: entities decoded, control characters and spaces gone."""
    cleaned = "".join(ch for ch in unescape(url) if ch > " ").lower()
    found = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return found[1] if found else ""


@FAST
@given(MARKDOWN)
@example('[x](javascript:alert(1))<script>alert(1)</script><a href="data:x">y</a>')
@example("[a](JAVA&#x09;SCRIPT:alert(1)) ![i](data:image/svg+xml,<svg onload=alert(1)>)")
@example("<img src=x onerror=alert(1)> [[x](vbscript:msgbox)](y)")
def test_rendered_markdown_never_carries_script(text):
    html = str(render(text))
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<style" not in lowered
    parser = Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in URL_ATTRS and value:
                assert scheme(value) in SAFE_SCHEMES | {""}, (tag, name, value)
                assert scheme(value) not in ("javascript", "data", "vbscript")
