"""Account operations shared by the admin pages and the CLI."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import passwords
from app.auth.models import Invitation, Role, User, normalise_email
from app.extensions import db


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for people."""


def create_user(
    email: str,
    name: str,
    role: str,
    *,
    manager_email: str | None = None,
    password: str | None = None,
) -> User:
    """Add a user; without a password they sign in after accepting an invitation."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not an email address.")
    if not name.strip():
        raise AccountError("A name is required.")
    if role not in set(Role):
        raise AccountError(f"Unknown role '{role}': use admin, manager or engineer.")
    if User.by_email(email):
        raise AccountError(f"A user with the email {email} already exists.")
    manager = find_manager(manager_email) if manager_email else None
    if password is not None and (problem := passwords.problem(password)):
        raise AccountError(f"Weak password: {problem}")
    user = User(
        email=email,
        name=name.strip()[:120],
        role=role,
        manager=manager,
        password_hash=passwords.hash_password(password) if password else None,
    )
    db.session.add(user)
    return user


def find_manager(email: str) -> User:
    """Return the active user with this email, to be someone's manager."""
    manager = User.by_email(email)
    if manager is None or not manager.active:
        raise AccountError(f"No active user has the email {normalise_email(email)}.")
    return manager


def set_manager(user: User, manager: User | None) -> None:
    """Make one user report to another, refusing loops."""
    cursor = manager
    while cursor is not None:
        if cursor.id == user.id:
            raise AccountError(f"{user.name} cannot report to someone who reports to them.")
        cursor = cursor.manager
    user.manager = manager


def set_role(user: User, role: str) -> list[User]:
    """Change a user's role, keeping at least one active admin; return detached reports.

    An engineer manages nobody: their reports are detached, so that nobody stays with a
    manager who can no longer see or rate them, and the admin gives them a new one.
    """
    if role not in set(Role):
        raise AccountError(f"Unknown role '{role}'.")
    if user.role == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(user)
    detached = list(user.reports) if role == Role.ENGINEER else []
    for report in detached:
        report.manager = None
    user.role = role
    return detached


def deactivate(user: User) -> None:
    """Stop a user from signing in, end their sessions and links; their data stays."""
    if user.role == Role.ADMIN:
        _keep_an_admin(user)
    user.active = False
    user.end_sessions()
    # A link sent before would work again on reactivation: an admin sends a new one then.
    Invitation.revoke_for(user)


def reactivate(user: User) -> None:
    """Let a deactivated user sign in again."""
    user.active = True


def _keep_an_admin(leaving: User) -> None:
    others = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active, User.id != leaving.id)
    ).first()
    if others is None:
        raise AccountError("Rungs needs at least one active admin.")
