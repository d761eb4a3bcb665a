"""The shared notes of a 1:1 as a list of revisions: save by merging, restore, read back.

The meeting row holds the current text and its revision number; every change adds a
NoteRevision, so any earlier state can be shown, compared and restored. The caller holds
the rubric's lock (meeting_or_404(for_update=True)), so saves merge one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.history.events import Kind, record
from app.oneonone import merge
from app.oneonone.models import Meeting, NoteRevision


class UnknownRevision(Exception):
    """A save named a revision this 1:1 never had."""


@dataclass(frozen=True)
class Saved:
    revision: int  # the revision the notes are at now
    text: str
    changed: bool  # a new revision was written
    merged: bool  # someone else's edits came in between and were merged
    conflicts: int  # clashing regions kept twice between markers
    others: tuple[str, ...] = ()  # who wrote what was merged in


def revision(meeting: Meeting, number: int) -> NoteRevision | None:
    return db.session.scalar(
        select(NoteRevision).where(
            NoteRevision.meeting_id == meeting.id, NoteRevision.number == number
        )
    )


def text_of(meeting: Meeting, number: int | None) -> str:
    """The text of one revision of the notes; 0 is the empty page a 1:1 starts with."""
    if number == 0:
        return ""
    found = revision(meeting, number) if number is not None else None
    if found is None or number > meeting.notes_version:
        raise UnknownRevision(number)
    return found.text


def revisions(meeting: Meeting) -> list[NoteRevision]:
    """Every revision of a 1:1's notes, oldest first."""
    return list(
        db.session.scalars(
            select(NoteRevision)
            .where(NoteRevision.meeting_id == meeting.id)
            .order_by(NoteRevision.number)
        )
    )


@dataclass(frozen=True)
class Change:
    """A revision as the history of the notes shows it: who, when, how, and its diff."""

    row: NoteRevision
    diff: list[merge.DiffLine]

    def __getattr__(self, name):
        return getattr(self.row, name)


def history(meeting: Meeting) -> list[Change]:
    """Every revision with its line diff against the one before, newest first."""
    changes, before = [], ""
    for row in revisions(meeting):
        changes.append(Change(row, merge.line_diff(before, row.text)))
        before = row.text
    return changes[::-1]


def authors_after(meeting: Meeting, number: int, me: User) -> tuple[str, ...]:
    """Who else saved the notes after a revision: the names to mark their text with."""
    names = db.session.scalars(
        select(User.name)
        .join(NoteRevision, NoteRevision.author_id == User.id)
        .where(
            NoteRevision.meeting_id == meeting.id,
            NoteRevision.number > number,
            NoteRevision.author_id != me.id,
        )
        .distinct()
    ).all()
    return tuple(sorted(names))


def save(
    meeting: Meeting, author: User, base: int | None, text: str, origin: str | None = None
) -> Saved:
    """Merge what one person typed on revision `base` into the current notes.

    `origin` is set by the page's script when the person kept typing while their previous
    save was on its way: it is what that save sent, which became revision `base` (merged
    with others' edits). The new typing is first carried over onto `base`, then merged.
    """
    base_text = text_of(meeting, base)
    mine = merge.normalize(text)
    clashes = 0
    if origin is not None:
        rebased = merge.merge(
            origin, base_text, mine, their_name="The saved notes", my_name=author.name
        )
        mine, clashes = rebased.text, rebased.conflicts
    others = authors_after(meeting, base, author) if base < meeting.notes_version else ()
    result = merge.merge(
        base_text,
        meeting.notes,
        mine,
        their_name=" and ".join(others) or "Someone else",
        my_name=author.name,
    )
    merged = result.text != mine
    conflicts = result.conflicts + clashes
    if result.text == meeting.notes:
        return Saved(meeting.notes_version, meeting.notes, False, merged, conflicts, others)
    add(meeting, author, result.text, merged=merged, conflicts=conflicts)
    return Saved(meeting.notes_version, meeting.notes, True, merged, conflicts, others)


def restore(meeting: Meeting, author: User, number: int) -> NoteRevision:
    """Make an earlier revision the current notes again, as a new revision."""
    old = revision(meeting, number)
    if old is None:
        raise UnknownRevision(number)
    return add(meeting, author, old.text, restored_from=number)


def add(meeting: Meeting, author: User, text: str, **how) -> NoteRevision:
    """Write the next revision, make it current and tell the rubric's history."""
    meeting.notes, meeting.notes_version = text, meeting.notes_version + 1
    row = NoteRevision(
        meeting_id=meeting.id, number=meeting.notes_version, author_id=author.id, text=text, **how
    )
    db.session.add(row)
    after = {"meeting": meeting.id, "revision": row.number}
    if how.get("restored_from"):
        after["restored"] = how["restored_from"]
    record(meeting.rubric_id, author.id, Kind.NOTES, after=after)
    return row
