"""Ladder file formats: parse, validate, export and compare ladders; no Flask here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath

from app.ladders.formats import combine, csvfmt, outline, xlsx
from app.ladders.formats.csvfmt import export_csv, parse_csv
from app.ladders.formats.detect import detect
from app.ladders.formats.diff import Changes, LadderDiff, diff
from app.ladders.formats.errors import LadderFormatError, Problem, Problems
from app.ladders.formats.ft import parse_ft
from app.ladders.formats.monzo import inherit, parse_monzo
from app.ladders.formats.outline import parse_outline
from app.ladders.formats.rungs import parse_rungs
from app.ladders.formats.rungs_export import export_rungs
from app.ladders.formats.slug import humanise, slugify
from app.ladders.formats.validate import Parsed, validate
from app.ladders.spec import LadderSpec

FORMATS = ("rungs", "csv", "xlsx", "ft", "monzo", "outline")
FORMAT_LABELS = {
    "rungs": "Rungs YAML",
    "csv": "CSV (a row per competency, or a grid)",
    "xlsx": "Excel workbook (.xlsx)",
    "ft": "FT job-family YAML",
    "monzo": "Monzo Markdown with front matter",
    "outline": "Markdown (headings and bullets, or tables)",
}
MAX_BYTES = 5 * 1024 * 1024
# Formats that read several ways; the preview shows the one found and offers the others.
LAYOUTS: dict[str, tuple[str, ...]] = {
    "csv": csvfmt.LAYOUTS,
    "xlsx": xlsx.LAYOUTS,
    "outline": outline.LAYOUTS,
}
LAYOUT_LABELS = {**csvfmt.LABELS, **outline.LABELS}
# What a spreadsheet cannot hold is kept from the stored ladder on re-import: carry_over().
SPREADSHEETS = ("csv", "xlsx")
COMBINE = combine.MODES

__all__ = [
    "COMBINE",
    "FORMATS",
    "FORMAT_LABELS",
    "LAYOUTS",
    "LAYOUT_LABELS",
    "MAX_BYTES",
    "SPREADSHEETS",
    "Changes",
    "LadderDiff",
    "LadderFormatError",
    "Problem",
    "Reading",
    "carry_over",
    "detect",
    "diff",
    "export_csv",
    "export_rungs",
    "parse",
    "read",
    "read_many",
    "slugify",
    "validate",
]

carry_over = csvfmt.carry_over  # what a spreadsheet cannot hold, kept from the stored ladder


@dataclass(frozen=True)
class Reading:
    """A file as read: the ladder, how it was read, and what was skipped or reinterpreted."""

    spec: LadderSpec
    format: str
    layout: str | None = None  # for formats that read several ways (see LAYOUTS)
    warnings: tuple[Problem, ...] = ()

    @property
    def layouts(self) -> tuple[str, ...]:
        """The layouts this file could be read in instead."""
        return LAYOUTS.get(self.format, ())


def parse(
    data: bytes, *, filename: str, format: str = "auto", key: str | None = None
) -> LadderSpec:  # noqa: A002
    """Read a ladder file; raise LadderFormatError listing every problem found in it."""
    return read(data, filename=filename, format=format, key=key).spec


def read(
    data: bytes,
    *,
    filename: str,
    format: str = "auto",  # noqa: A002
    key: str | None = None,
    layout: str = "auto",
) -> Reading:
    """Read a ladder file in a format and layout (``auto``: found from the file)."""
    file = _name(filename)
    if len(data) > MAX_BYTES:
        size, limit = f"{len(data):,}", f"{MAX_BYTES:,}"
        msg = f"the file is {size} bytes; the limit is {limit} bytes ({MAX_BYTES // 2**20} MB)"
        raise LadderFormatError([Problem(file, None, msg)])
    if format == "auto":
        format = detect(file, data)  # noqa: A001
    elif format not in FORMATS:
        msg = f"unknown format {format[:30]!r}: choose one of {', '.join(FORMATS)}"
        raise LadderFormatError([Problem(file, None, msg)])
    if layout != "auto" and layout not in LAYOUTS.get(format, ()):
        known = ", ".join(LAYOUTS.get(format, ())) or "none (this format reads one way)"
        msg = f"unknown layout {layout[:30]!r} for {format}: choose one of {known}"
        raise LadderFormatError([Problem(file, None, msg)])
    stem = PurePath(file).stem
    default_key = key or slugify(stem or file)
    name = humanise(stem) or "Ladder"
    chosen: str | None = None
    if format == "xlsx":
        parsed, chosen = xlsx.parse_xlsx(data, file=file, key=default_key, name=name, layout=layout)
        return _checked(parsed, file, format, chosen)
    text = _decode(data, file)
    if format == "rungs":
        parsed = parse_rungs(text, file=file, key=key)
    elif format == "csv":
        chosen = layout if layout != "auto" else csvfmt.layout_of(text)
        parsed = parse_csv(text, file=file, key=default_key, name=name, layout=chosen)
    elif format == "ft":
        parsed = parse_ft(text, file=file, key=default_key)
    elif format == "monzo":
        parsed = parse_monzo(text, file=file, key=default_key, fallback_name=name)
    else:
        parsed = parse_outline(text, file=file, key=default_key, fallback_name=name, layout=layout)
        chosen = parsed.layout
    return _checked(parsed, file, format, chosen)


def read_many(
    files: list[tuple[str, bytes]],
    *,
    combine_as: str,
    format: str = "auto",  # noqa: A002
    key: str | None = None,
    layout: str = "auto",
) -> Reading:
    """Read several files as one ladder: each file some ``levels``, or each file a track.

    A Monzo ``generic.md`` among them is not a part of its own: its criteria go to the
    topics of the same name in the other files, as on Monzo's site."""
    if combine_as not in COMBINE:
        msg = f"unknown way to combine {combine_as[:20]!r}: choose levels or tracks"
        raise LadderFormatError([Problem("ladder", None, msg)])
    if len(files) == 1:
        return read(files[0][1], filename=files[0][0], format=format, key=key, layout=layout)
    readings: list[tuple[str, Reading]] = []
    problems = Problems()
    for filename, data in files:
        file_layout = layout
        fmt = format if format != "auto" else _detect_or_none(filename, data, problems)
        if fmt is None:
            continue
        if combine_as == "levels" and fmt == "outline" and layout == "auto":
            file_layout = outline.ONE_LEVEL  # a file per level: its title names the level
        if file_layout != "auto" and file_layout not in LAYOUTS.get(fmt, ()):
            file_layout = "auto"
        try:
            readings.append(
                (filename, read(data, filename=filename, format=fmt, layout=file_layout))
            )
        except LadderFormatError as error:
            problems.extend(error.problems)
    if problems:
        raise LadderFormatError(problems)
    generic = [
        r for f, r in readings if r.format == "monzo" and PurePath(_name(f)).stem == "generic"
    ]
    parts = [(f, r) for f, r in readings if not (generic and r is generic[0])]
    inherited = 0
    for i, (f, r) in enumerate(parts):
        if generic and r.format == "monzo":
            spec = inherit(generic[0].spec, r.spec)
            inherited += len(spec.competencies) - len(r.spec.competencies)
            parts[i] = (f, replace(r, spec=spec))
    stems = [PurePath(_name(f)).stem for f, _ in parts]
    ladder_key, name = combine.key_and_name(stems, parts[0][1].spec)
    ladder_key = key or ladder_key
    labels = [_label(f, r, combine_as) for f, r in parts]
    repeated = {x for x in labels if labels.count(x) > 1}
    labelled = [
        (f"{label} ({PurePath(_name(f)).stem})" if label in repeated else label, r.spec)
        for label, (f, r) in zip(labels, parts, strict=True)
    ]
    join = combine.levels if combine_as == "levels" else combine.tracks
    spec = join(labelled, ladder_key, name)
    warnings = tuple(w for _, r in readings for w in r.warnings)
    if generic:
        note = f"{inherited} criteria of generic.md inherited by topics of the same name"
        warnings = (Problem("generic.md", None, note), *warnings)
    problems = validate(spec, file=name)
    if problems:
        raise LadderFormatError(dict.fromkeys(problems))
    formats = {r.format for _, r in parts}
    layouts = {r.layout for _, r in parts}
    fmt = formats.pop() if len(formats) == 1 else "several"
    # One layout for all files is shown, and can be changed for all of them at once.
    return Reading(spec, fmt, layouts.pop() if len(layouts) == 1 else None, warnings)


def _label(filename: str, reading: Reading, combine_as: str) -> str:
    """Name a part: a track after the file's ladder name, else after the file."""
    if combine_as == "tracks" and reading.format not in SPREADSHEETS:
        return reading.spec.name
    return humanise(PurePath(_name(filename)).stem) or reading.spec.name


def _detect_or_none(filename: str, data: bytes, problems: Problems) -> str | None:
    try:
        return detect(_name(filename), data)
    except LadderFormatError as error:
        problems.extend(error.problems)
        return None


def _name(filename: str) -> str:
    return PurePath(filename.replace("\\", "/")).name or "ladder"


def _checked(parsed: Parsed, file: str, format: str, layout: str | None) -> Reading:  # noqa: A002
    # Run the semantic checks even after structural problems: one upload shows all of them.
    problems = validate(parsed.spec, file=file, lines=parsed.lines, found=parsed.problems)
    if problems:
        # Different checks can find the same thing; say it once.
        raise LadderFormatError(dict.fromkeys(problems))
    return Reading(parsed.spec, format, layout, tuple(parsed.warnings))


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
