"""Ladders as stored: tracks, levels, categories and competencies, each with a stable key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.ladders import limits


class Ladder(db.Model):
    __tablename__ = "ladders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(limits.KEY), unique=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    description: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[dict] = mapped_column(JSON)
    scale: Mapped[list] = mapped_column(JSON)
    # The ladder offers "no opportunity yet" beside its scale (``no_opportunity: true``).
    no_opportunity: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Pay transparency, off by default: a band of text per level key, and who may see them
    # ("off", "admins" or "everyone"). Kept out of the ladder file: it is this company's own.
    pay_bands: Mapped[dict | None] = mapped_column(JSON)
    pay_visibility: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    # Bumped by every import, so caches of the ladder's shape know when to reload.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    tracks: Mapped[list[Track]] = relationship(order_by="Track.position", back_populates="ladder")

    def pay_band(self, level_key: str, viewer) -> str | None:
        """The pay band of a level, if pay transparency lets this viewer see it."""
        if self.pay_visibility == "everyone" or (
            self.pay_visibility == "admins" and viewer.is_admin
        ):
            return (self.pay_bands or {}).get(level_key) or None
        return None


class Track(db.Model):
    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("ladder_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(limits.KEY))
    name: Mapped[str] = mapped_column(String(limits.NAME))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Level keys, lowest first: tracks may share their early levels.
    level_keys: Mapped[list] = mapped_column(JSON, default=list)
    archived: Mapped[bool] = mapped_column(default=False)

    ladder: Mapped[Ladder] = relationship(back_populates="tracks")


class Level(db.Model):
    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("ladder_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(limits.KEY))
    name: Mapped[str] = mapped_column(String(limits.NAME))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("ladder_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(limits.KEY))
    name: Mapped[str] = mapped_column(String(limits.NAME))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)


class Competency(db.Model):
    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("ladder_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"), index=True)
    # Wider than limits.KEY, which the validator applies: the column has room to spare.
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list] = mapped_column(JSON, default=list)
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    points: Mapped[float | None]
    position: Mapped[int] = mapped_column(default=0)
    # A competency that disappears from an imported file is archived, never deleted, so
    # the ratings and evidence attached to it stay.
    archived: Mapped[bool] = mapped_column(default=False)


class PendingImport(db.Model):
    """An uploaded ladder file waiting for the admin to confirm its preview."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(20))
    layout: Mapped[str] = mapped_column(String(30), default="auto", server_default="auto")
    ladder_key: Mapped[str | None] = mapped_column(String(limits.KEY))
    # None for one file; "levels" or "tracks" when several files make one ladder, and then
    # ``data`` is a zip of them, in the order they were chosen.
    combine_as: Mapped[str | None] = mapped_column(String(10))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
