"""Guess a ladder file's format from its name and first bytes."""

from __future__ import annotations

import re
from pathlib import PurePath

from app.ladders.formats.errors import LadderFormatError, Problem

_RUNGS = re.compile(r"^rungs[ \t]*:", re.MULTILINE)
_THEMES = re.compile(r"^themes[ \t]*:", re.MULTILINE)
_COMPETENCIES = re.compile(r"^competencies[ \t]*:", re.MULTILINE)
_TOPICS = re.compile(r"^[ \t]*topics[ \t]*:", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_MARKDOWN = {".md", ".markdown", ".mdown", ".mkd"}
_YAML = {".yml", ".yaml"}
# Detection only needs the top of a file; a few hundred KB covers any real front matter.
_SNIFF = 512 * 1024


def suffix(filename: str) -> str:
    """Return the lowercase extension of ``filename``, e.g. ``.csv``."""
    return PurePath(filename.replace("\\", "/")).suffix.lower()


def detect(filename: str, data: bytes) -> str:
    """Return which format ``data`` is in: rungs, csv, xlsx, ft, monzo or outline."""
    ext = suffix(filename)
    if ext == ".csv":
        return "csv"
    if ext in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return "xlsx"
    text = data[:_SNIFF].decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n")
    if _RUNGS.search(text):
        return "rungs"
    if _THEMES.search(text) and _COMPETENCIES.search(text):
        return "ft"
    # Look for "topics:" anywhere, not only in parsed front matter: a file whose front matter
    # is broken must still be read as Monzo, so the user sees the YAML error, not nonsense.
    if text.startswith("---") and _TOPICS.search(text):
        return "monzo"
    if ext in _MARKDOWN or (ext not in _YAML and _HEADING.search(text)):
        return "outline"
    if ext in _YAML:
        msg = (
            "cannot tell the format: a YAML ladder needs a top-level 'rungs: 1' line "
            "(Rungs format) or 'themes:' and 'competencies:' (FT job family)"
        )
    else:
        msg = (
            "cannot tell the format: use .yml (Rungs or FT), .md (Monzo or outline), .csv or "
            ".xlsx, or choose the format explicitly"
        )
    raise LadderFormatError([Problem(filename or "ladder", None, msg)])
