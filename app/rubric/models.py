"""A person's rubric on a ladder: its ratings, focus, and who has it open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import limits
from app.ladders.models import Ladder
from app.rubric.side import Side


class Rubric(db.Model):
    """One person on one ladder: their chosen track and target level."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("user_id", "ladder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    track_key: Mapped[str] = mapped_column(String(100))
    target_key: Mapped[str | None] = mapped_column(String(100))
    # The ladder version the owner last acknowledged: newer ones are "what changed".
    seen_version: Mapped[int | None]
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

    @classmethod
    def side_columns(cls, side: Side):
        """Return the step, rater and time columns of one side's rating."""
        if side is Side.SELF:
            return cls.self_step, cls.self_by_id, cls.self_at
        return cls.manager_step, cls.manager_by_id, cls.manager_at


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


FILTER_TEXT = 200  # characters of a remembered text filter


class SavedFilter(db.Model):
    """The filter one person last chose on one rubric, so the page opens as they left it."""

    __tablename__ = "rubric_filters"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    rubric_id: Mapped[int] = mapped_column(
        ForeignKey("rubrics.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(String(FILTER_TEXT), default="")
    show: Mapped[str] = mapped_column(String(200), default="")  # kinds, comma-separated
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeptStanding(db.Model):
    """One side's standing on a rubric, kept up to date by each rating (app/levels/incremental).

    One row per rubric and side, its counts as JSON: a click reads and writes one row
    whatever the shape of the ladder, at about a byte per competency. Valid only for the
    ladder version and track it names; anything else is recomputed from the ratings.
    """

    __tablename__ = "standings"

    rubric_id: Mapped[int] = mapped_column(
        ForeignKey("rubrics.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(10), primary_key=True)
    ladder_version: Mapped[int]
    track_key: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON)
