"""Importing a ladder file: parse, compare with what is stored, then save in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from app.ladders import formats, store
from app.ladders.formats import LadderDiff
from app.ladders.spec import LadderSpec


@dataclass(frozen=True)
class Plan:
    spec: LadderSpec
    diff: LadderDiff
    exists: bool


def plan(data: bytes, *, filename: str, format: str = "auto", key: str | None = None) -> Plan:  # noqa: A002
    """Parse a file and say what importing it would change; raises LadderFormatError."""
    spec = formats.parse(data, filename=filename, format=format, key=key)
    ladder = store.by_key(spec.key)
    old = store.stored(ladder).spec if ladder else None
    return Plan(spec, formats.diff(old, spec), ladder is not None)


def apply(import_plan: Plan) -> None:
    """Write the planned ladder; an unchanged file writes nothing. The caller commits."""
    if import_plan.exists and import_plan.diff.unchanged:
        return
    store.save(import_plan.spec)
