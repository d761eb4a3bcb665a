"""Importing a ladder file: parse, compare with what is stored, then save in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.ladders import formats, store, versions
from app.ladders.formats import LadderDiff, Reading
from app.ladders.spec import LadderSpec


@dataclass(frozen=True)
class Plan:
    spec: LadderSpec
    diff: LadderDiff
    exists: bool
    reading: Reading
    old: LadderSpec | None = None  # the stored ladder the plan would change


def plan(
    data: bytes,
    *,
    filename: str,
    format: str = "auto",  # noqa: A002
    key: str | None = None,
    layout: str = "auto",
) -> Plan:
    """Parse a file and say what importing it would change; raises LadderFormatError."""
    return plan_many([(filename, data)], format=format, key=key, layout=layout)


def plan_many(
    files: list[tuple[str, bytes]],
    *,
    format: str = "auto",  # noqa: A002
    key: str | None = None,
    layout: str = "auto",
    combine_as: str = "levels",
) -> Plan:
    """Read one or several files as one ladder and say what importing it would change."""
    reading = formats.read_many(files, combine_as=combine_as, format=format, key=key, layout=layout)
    ladder = store.by_key(reading.spec.key)
    old = store.stored(ladder).spec if ladder else None
    spec = reading.spec
    if old is not None and reading.format in formats.SPREADSHEETS:
        # A spreadsheet holds competencies, not the ladder's rule, scale or name: keep them.
        spec = formats.carry_over(old, spec)
        reading = replace(reading, spec=spec)
    return Plan(spec, formats.diff(old, spec), ladder is not None, reading, old)


def apply(import_plan: Plan, actor=None) -> str:
    """Write the planned ladder; the caller commits. Say what was written.

    A new ladder is created and published as version 1 ("created"). A file for an existing
    ladder becomes that ladder's draft ("draft"): nothing anyone rates changes until an
    editor publishes it with a note. An unchanged file writes nothing ("unchanged").
    """
    if not import_plan.exists:
        ladder = store.save(import_plan.spec)
        versions.ensure_first(ladder)
        return "created"
    ladder = store.by_key(import_plan.spec.key)
    if import_plan.diff.unchanged and versions.draft(ladder) is None:
        return "unchanged"
    versions.save_draft(ladder, import_plan.spec, actor)
    return "draft"
