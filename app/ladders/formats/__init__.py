"""Ladder file formats: parse, validate, export and compare ladders; no Flask here."""

from __future__ import annotations

from pathlib import PurePath

from app.ladders.formats.csvfmt import export_csv, parse_csv
from app.ladders.formats.detect import detect
from app.ladders.formats.diff import Changes, LadderDiff, diff
from app.ladders.formats.errors import LadderFormatError, Problem
from app.ladders.formats.ft import parse_ft
from app.ladders.formats.monzo import parse_monzo
from app.ladders.formats.outline import parse_outline
from app.ladders.formats.rungs import parse_rungs
from app.ladders.formats.rungs_export import export_rungs
from app.ladders.formats.slug import humanise, slugify
from app.ladders.formats.validate import Parsed, validate
from app.ladders.spec import LadderSpec

FORMATS = ("rungs", "csv", "ft", "monzo", "outline")
MAX_BYTES = 5 * 1024 * 1024

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "Changes",
    "LadderDiff",
    "LadderFormatError",
    "Problem",
    "detect",
    "diff",
    "export_csv",
    "export_rungs",
    "parse",
    "slugify",
    "validate",
]


def parse(
    data: bytes, *, filename: str, format: str = "auto", key: str | None = None
) -> LadderSpec:  # noqa: A002
    """Read a ladder file; raise LadderFormatError listing every problem found in it."""
    file = PurePath(filename.replace("\\", "/")).name or "ladder"
    if len(data) > MAX_BYTES:
        size, limit = f"{len(data):,}", f"{MAX_BYTES:,}"
        msg = f"the file is {size} bytes; the limit is {limit} bytes ({MAX_BYTES // 2**20} MB)"
        raise LadderFormatError([Problem(file, None, msg)])
    if format == "auto":
        format = detect(file, data)  # noqa: A001
    elif format not in FORMATS:
        msg = f"unknown format {format[:30]!r}: choose one of {', '.join(FORMATS)}"
        raise LadderFormatError([Problem(file, None, msg)])
    text = _decode(data, file)
    stem = PurePath(file).stem
    default_key = key or slugify(stem or file)
    name = humanise(stem) or "Ladder"
    if format == "rungs":
        parsed = parse_rungs(text, file=file, key=key)
    elif format == "csv":
        parsed = parse_csv(text, file=file, key=default_key, name=name)
    elif format == "ft":
        parsed = parse_ft(text, file=file, key=default_key)
    elif format == "monzo":
        parsed = parse_monzo(text, file=file, key=default_key, fallback_name=name)
    else:
        parsed = parse_outline(text, file=file, key=default_key, fallback_name=name)
    return _checked(parsed, file)


def _checked(parsed: Parsed, file: str) -> LadderSpec:
    # Run the semantic checks even after structural problems: one upload shows all of them.
    problems = validate(parsed.spec, file=file, lines=parsed.lines, found=parsed.problems)
    if problems:
        # Different checks can find the same thing; say it once.
        raise LadderFormatError(dict.fromkeys(problems))
    return parsed.spec


def _decode(data: bytes, file: str) -> str:
    """Decode UTF-8 (a BOM is fine) and normalise line ends to ``\\n``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = f"0x{data[exc.start]:02x}"
        msg = f"the file is not UTF-8 text: byte {bad} cannot be decoded; save it as UTF-8"
        raise LadderFormatError([Problem(file, line, msg)]) from None
    nul = text.find("\x00")
    if nul >= 0:
        # Text files have no NUL; PostgreSQL could not store one anyway.
        line = text.count("\n", 0, nul) + 1
        msg = "the file contains a NUL character, so it is not a text file"
        raise LadderFormatError([Problem(file, line, msg)])
    return text.replace("\r\n", "\n").replace("\r", "\n")
