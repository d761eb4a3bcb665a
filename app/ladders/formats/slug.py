"""Stable, URL-safe keys made from human text."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from app.ladders import limits

MAX_SLUG = 64
_NON_SLUG = re.compile(r"[^a-z0-9]+")
KEY_PATTERN = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{limits.KEY - 1}}}$")


# Level and category names repeat on every row of a big file; slugs are pure, so cache them.
@functools.lru_cache(maxsize=4096)
def slugify(text: str, *, max_length: int = MAX_SLUG) -> str:
    """Return a lowercase ASCII slug of ``text``; never empty, same text gives same slug."""
    # NFKD splits "é" into "e" + accent so accented Latin keeps its letters.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Prefer to cut at a word boundary, unless that throws most of the slug away.
        slug = cut.rsplit("-", 1)[0] if cut.rfind("-") > max_length // 2 else cut.rstrip("-")
    if slug:
        return slug
    # Text with no Latin letters (e.g. Japanese, emoji) still needs a deterministic key.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"k-{digest}"


def competency_key(category: str, level: str, title: str) -> str:
    """Return a readable key for a competency that has none: category, level, then title."""
    # Each part gets a budget so a long category name cannot crowd out the title.
    parts = (slugify(category, max_length=24), slugify(level, max_length=24))
    return "-".join((*parts, slugify(title, max_length=40)))


def unique(base: str, used: dict[str, int]) -> str:
    """Return ``base``, or ``base-2``, ``base-3``... whichever is free, and mark it used.

    ``used`` maps each key handed out to the next suffix worth trying, so that a file with
    thousands of identical titles does not cost quadratic time.
    """
    if base not in used:
        used[base] = 2
        return base
    n = used[base]
    while f"{base}-{n}" in used:
        n += 1
    used[base] = n + 1
    key = f"{base}-{n}"
    used[key] = 2
    return key


def humanise(text: str) -> str:
    """Turn a machine name like ``system-design`` into ``System design``."""
    words = re.sub(r"[-_\s]+", " ", text).strip()
    return words[:1].upper() + words[1:]


def strip_decoration(text: str) -> str:
    """Drop leading emoji and symbols from a title: ``"🛠️ Mastery"`` becomes ``"Mastery"``."""
    i = 0
    while i < len(text):
        ch = text[i]
        # Letters (L*), numbers (N*) and opening punctuation start real words; symbols (S*),
        # marks (M*), separators and format chars (zero-width joiners) are decoration.
        if unicodedata.category(ch)[0] in "LN" or ch in "([\"'“‘":
            break
        i += 1
    stripped = text[i:].strip()
    return stripped or text.strip()
