"""Ladders as stored: tracks, levels, categories and competencies, each with a stable key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.ladders import limits


class Ladder(db.Model):
    __tablename__ = "ladders"
    # At most one default ladder, enforced by the database so two admins cannot make two.
    __table_args__ = (
        Index(
            "uq_ladders_one_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

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
    # The ladder a person lands on when nothing else says which (see rubric/choice.py).
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Archived: offered for no new rubric or assignment; its rubrics stay readable, read-only.
    archived_at: Mapped[datetime | None]
    # A fork's origin, e.g. "Forked from engineering, version 3": kept as a note.
    forked_from: Mapped[str | None] = mapped_column(Text)

    tracks: Mapped[list[Track]] = relationship(order_by="Track.position", back_populates="ladder")

    def pay_band(self, level_key: str, viewer) -> str | None:
        """The pay band of a level, if pay transparency lets this viewer see it."""
        if self.pay_visibility == "everyone" or (
            self.pay_visibility == "admins" and viewer.is_admin
        ):
            return (self.pay_bands or {}).get(level_key) or None
        return None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class LadderAssignment(db.Model):
    """The ladder (and track) an admin or manager chose for a person: where they land."""

    __tablename__ = "ladder_assignments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    track_key: Mapped[str | None] = mapped_column(String(limits.KEY))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    # When its title, description or examples last changed: a rating given before then is
    # marked "wording changed since you rated it" until confirmed.
    wording_changed_at: Mapped[datetime | None]


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


class LadderVersion(db.Model):
    """A published version of a ladder, kept for ever: its whole text, who, when and why."""

    __tablename__ = "ladder_versions"
    __table_args__ = (UniqueConstraint("ladder_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ladder_id: Mapped[int] = mapped_column(ForeignKey("ladders.id", ondelete="CASCADE"))
    number: Mapped[int]
    # The ladder as a Rungs YAML file: what `export --version N` prints, byte for byte.
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(String(254), default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class LadderDraft(db.Model):
    """The next version of a ladder while editors work on it: one draft per ladder."""

    __tablename__ = "ladder_drafts"

    ladder_id: Mapped[int] = mapped_column(
        ForeignKey("ladders.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)  # a Rungs YAML file, checked by the one validator
    # Who the changelog thanks: names of the authors of suggestions accepted into it.
    credits: Mapped[list] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LadderEditor(db.Model):
    """Someone given the right to edit a ladder's draft and publish it (admins always may)."""

    __tablename__ = "ladder_editors"

    ladder_id: Mapped[int] = mapped_column(
        ForeignKey("ladders.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
