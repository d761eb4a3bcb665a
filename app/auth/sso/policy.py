"""Whether passwords are still allowed, or everyone but break-glass admins must use SSO."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import Role, User
from app.auth.sso import client
from app.clock import utcnow
from app.extensions import db


class SignInPolicy(db.Model):
    """The installation's sign-in rule: one row, written by an admin (id 1)."""

    __tablename__ = "sign_in_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    require_sso: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def sso_required() -> bool:
    """Tell whether passwords are off (only when an identity provider is configured)."""
    if not client.enabled():
        return False
    return bool(db.session.scalar(select(SignInPolicy.require_sso).where(SignInPolicy.id == 1)))


def password_allowed(user: User | None) -> bool:
    """May this account sign in (or set a password) with a password now?"""
    return not sso_required() or bool(user and user.break_glass and user.is_admin)


def password_refusal() -> str | None:
    """What the sign-in page says to a refused password while SSO is required."""
    if not sso_required():
        return None
    return (
        f"Passwords are off here: sign in with {client.display_name()}. Only break-glass "
        "admins sign in with a password, and that email and password do not match one."
    )


def break_glass_admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.break_glass, User.role == Role.ADMIN, User.active)
            .order_by(User.email)
        )
    )


def why_not_require(admin: User) -> str | None:
    """Say what must happen before SSO can be required, or None if it can be now."""
    if not client.enabled():
        return "Configure an identity provider first (RUNGS_OIDC_ISSUER and the rest)."
    if not admin.oidc_subject:
        return (
            f"Sign in with {client.display_name()} once yourself first, so that requiring it "
            "cannot lock you out."
        )
    if not break_glass_admins():
        return (
            "Create a break-glass admin on the server first, for the day the identity "
            "provider is down: flask users create EMAIL --name NAME --role admin "
            "--break-glass --password-stdin"
        )
    return None


def set_required(required: bool, by: User | None) -> None:
    """Turn the requirement on or off; the caller commits (with an audit entry)."""
    row = db.session.get(SignInPolicy, 1)
    if row is None:
        row = SignInPolicy(id=1)
        db.session.add(row)
    row.require_sso = required
    row.changed_at = utcnow()
    row.changed_by_id = by.id if by else None
