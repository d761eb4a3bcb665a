"""Accounts, one-time links and sign-in throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from app.clock import utcnow
from app.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    ENGINEER = "engineer"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # A unique index, not a constraint: SQLite adds it without rebuilding the table.
    __table_args__ = (Index("uq_users_oidc_identity", "oidc_issuer", "oidc_subject", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default=Role.ENGINEER)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped to end every session and remember-me cookie of this user at once.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The identity provider's account linked at the first SSO sign-in (app/auth/sso).
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # Created on the command line; may still sign in with a password when SSO is required.
    break_glass: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The IANA zone the person reads times in; None: their browser's, else UTC (app/account).
    time_zone: Mapped[str | None] = mapped_column(String(64))

    manager: Mapped[User | None] = relationship(remote_side=[id], back_populates="reports")
    reports: Mapped[list[User]] = relationship(back_populates="manager")

    @property
    def is_active(self) -> bool:
        return self.active and (self.password_hash is not None or self.oidc_subject is not None)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued so far.

        Incremented by the database, not read and written back: of two requests ending
        sessions at once, neither bump is lost (nor a session started in between kept).
        """
        db.session.execute(
            update(User)
            .where(User.id == self.id)
            .values(session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        )
        version = db.session.scalar(select(User.session_version).where(User.id == self.id))
        set_committed_value(self, "session_version", version)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @staticmethod
    def by_email(email: str) -> User | None:
        """Find a user by email, ignoring case and surrounding spaces."""
        return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    """Lower-case and trim an email so comparisons ignore case."""
    return email.strip().lower()


def hash_token(token: str) -> str:
    """Hash a one-time token; only hashes are stored, so a database leak reveals no link."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(db.Model):
    """A one-time link: the first-admin setup link or an invitation to set a password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))  # "setup" or "invite"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @classmethod
    def issue(
        cls,
        purpose: str,
        *,
        user: User | None = None,
        days: int | None = None,
        created_by: User | None = None,
    ) -> str:
        """Create a link of this purpose and return its token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        expires = utcnow() + timedelta(days=days) if days else None
        db.session.add(
            cls(
                purpose=purpose,
                token_hash=hash_token(token),
                user=user,
                expires_at=expires,
                created_by_id=created_by.id if created_by else None,
            )
        )
        return token

    @classmethod
    def revoke_for(cls, user: User) -> None:
        """End every unused invitation of a user, so only the newest link works."""
        db.session.execute(
            update(cls)
            .where(cls.user_id == user.id, cls.purpose == "invite", cls.used_at.is_(None))
            .values(used_at=utcnow())
        )

    def claim(self) -> bool:
        """Mark the link used, once: True for the one request that did, False for any other.

        A conditional UPDATE (... WHERE used_at IS NULL): of requests at once, one changes
        the row; the others wait for its lock (PostgreSQL) or its write (SQLite), then find
        it used. Using a setup link uses every setup link, so there is one first admin.
        """
        now = utcnow()
        cls = type(self)
        scope = cls.purpose == "setup" if self.purpose == "setup" else cls.id == self.id
        unused = (cls.used_at.is_(None), or_(cls.expires_at.is_(None), cls.expires_at >= now))
        done = db.session.execute(
            update(cls)
            .where(scope, *unused)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 0:
            return False
        used_at = db.session.scalar(select(cls.used_at).where(cls.id == self.id))
        set_committed_value(self, "used_at", used_at)
        return used_at == now

    @classmethod
    def find(cls, purpose: str, token: str) -> Invitation | None:
        """Return the unused, unexpired link of this purpose for the token, if any."""
        found = db.session.scalar(
            select(cls).where(cls.purpose == purpose, cls.token_hash == hash_token(token))
        )
        if found is None or found.used_at is not None:
            return None
        if found.expires_at is not None and found.expires_at < utcnow():
            return None
        return found


class Throttle(db.Model):
    """Failed sign-ins counted per email and per address, shared by every worker."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "email:..." / "addr:..."
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


def admin_exists() -> bool:
    """Tell whether an active admin account exists."""
    count = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    )
    return bool(count)
