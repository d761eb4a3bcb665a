"""1:1 sessions on a rubric: shared notes, action items, and the changes made meanwhile."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # The current text of the shared notes and the number of its revision (0: none yet).
    # A save names the revision it was typed on; the server merges from there.
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_version: Mapped[int] = mapped_column(default=0)
    # The rubric's history between these event ids is what changed during the 1:1.
    first_event_id: Mapped[int] = mapped_column(default=0)
    last_event_id: Mapped[int | None]

    started_by: Mapped[User | None] = relationship()
    actions: Mapped[list[ActionItem]] = relationship(
        order_by="ActionItem.id", cascade="all, delete-orphan"
    )

    @property
    def open(self) -> bool:
        return self.ended_at is None


class NoteRevision(db.Model):
    """One saved state of a 1:1's shared notes: every save, merge and restore adds one."""

    __tablename__ = "note_revisions"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How it came about: merged with someone else's edits, with clashes kept twice, or a
    # copy of an older revision.
    merged: Mapped[bool] = mapped_column(default=False)
    conflicts: Mapped[int] = mapped_column(default=0)
    restored_from: Mapped[int | None]

    author: Mapped[User | None] = relationship()


class ActionItem(db.Model):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship()


class AgendaItem(db.Model):
    """A talking point of the pair: it belongs to the rubric and stays until ticked in a 1:1.

    Unticked items are simply still open when the next 1:1 starts: that is the carry-over.
    """

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The 1:1 it was ticked off in (None while open, or ticked between 1:1s).
    done_in_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship()

    @property
    def done(self) -> bool:
        return self.done_at is not None


class PrivateNote(db.Model):
    """One person's own notes on one 1:1: nobody else ever reads them, not even an admin."""

    __tablename__ = "private_notes"
    __table_args__ = (UniqueConstraint("meeting_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NextMeeting(db.Model):
    """The day the manager set for a pair's next 1:1; starting a 1:1 that day uses it up."""

    __tablename__ = "next_meetings"

    rubric_id: Mapped[int] = mapped_column(
        ForeignKey("rubrics.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date]
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
