"""Suggestions for a ladder from the people on it: new words for a competency, or a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import limits

OPEN, ACCEPTED, DECLINED = "open", "accepted", "declined"


class Suggestion(db.Model):
    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"), index=True)
    # A change to a competency names it by key; a new competency names its cell instead.
    competency_key: Mapped[str | None] = mapped_column(String(200))
    level_key: Mapped[str | None] = mapped_column(String(limits.KEY))
    category_key: Mapped[str | None] = mapped_column(String(limits.KEY))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    # The words as they were when the suggestion was made, to show what it changes.
    was_title: Mapped[str | None] = mapped_column(Text)
    was_description: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    comments: Mapped[list[SuggestionComment]] = relationship(
        order_by="SuggestionComment.id", back_populates="suggestion"
    )

    @property
    def is_new_competency(self) -> bool:
        return self.competency_key is None


class SuggestionComment(db.Model):
    __tablename__ = "suggestion_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
    suggestion: Mapped[Suggestion] = relationship(back_populates="comments")
