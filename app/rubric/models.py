"""A person's rubric on a ladder: ratings, evidence, focus, and the history of every change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import limits
from app.ladders.models import Ladder


class Rubric(db.Model):
    """One person on one ladder: their chosen track and target level."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("user_id", "ladder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    track_key: Mapped[str] = mapped_column(String(100))
    target_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    ladder: Mapped[Ladder] = relationship()


class Rating(db.Model):
    """The ratings of one competency in one rubric: the person's own and their manager's.

    Evidence count and focus live here too, so one row answers everything the rubric shows
    about a competency and a rating change needs no further query.
    """

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("rubric_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    self_step: Mapped[str | None] = mapped_column(String(limits.SCALE_KEY))
    self_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    self_at: Mapped[datetime | None]
    manager_step: Mapped[str | None] = mapped_column(String(limits.SCALE_KEY))
    manager_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    manager_at: Mapped[datetime | None]
    evidence_count: Mapped[int] = mapped_column(default=0)
    focus: Mapped[bool] = mapped_column(default=False)


class Evidence(db.Model):
    """A piece of evidence for a competency, or a private note only its author sees."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_rubric_competency", "rubric_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2000))
    day: Mapped[date]
    private: Mapped[bool] = mapped_column(default=False)
    # Optimistic locking: an edit names the version it started from.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class Event(db.Model):
    """One change to a rubric: who, when, what, before and after. Never edited or deleted."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_rubric_id_id", "rubric_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    competency_id: Mapped[int | None] = mapped_column(
        ForeignKey("competencies.id", ondelete="SET NULL")
    )
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Presence(db.Model):
    """Who has a rubric open right now, refreshed by their page's polling."""

    __tablename__ = "presence"

    rubric_id: Mapped[int] = mapped_column(
        ForeignKey("rubrics.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
