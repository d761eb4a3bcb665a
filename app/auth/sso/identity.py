"""Which Rungs account an identity from the provider is, if any.

The provider's account (issuer + subject) is linked to a Rungs account at the first sign-in,
found by verified email among the people an admin invited; from then on the subject alone
finds it. With RUNGS_OIDC_DOMAINS, a verified email of those domains may also join as an
engineer. Nothing else creates an account.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.audit import log as audit
from app.auth import accounts
from app.auth.models import Invitation, Role, User, normalise_email
from app.auth.sso.settings import SsoSettings, email_domain
from app.extensions import db


class Refused(Exception):
    """The identity is genuine but cannot sign in here; the message says why and what to do."""

    def __init__(self, message: str, audit_detail: str):
        super().__init__(message)
        self.audit_detail = audit_detail


@dataclass(frozen=True)
class Match:
    user: User
    how: str  # "linked before", "linked now by email", "joined by domain"


def verified(claims: dict) -> bool:
    """Read email_verified, which some providers send as the string "true"."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def resolve(settings: SsoSettings, claims: dict) -> Match:
    """Find, link or (for an allowed domain) create the account; raise Refused otherwise.

    Adds rows to the session; the caller commits once the person is signed in.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        raise Refused("The identity provider sent no account id (sub).", "no sub claim")
    linked = db.session.scalar(
        select(User).where(User.oidc_issuer == settings.issuer, User.oidc_subject == subject)
    )
    if linked is not None:
        _must_be_active(linked)
        return Match(linked, "linked before")

    email = normalise_email(str(claims.get("email") or ""))
    if not email:
        raise Refused(
            f"{settings.name} did not tell Rungs your email address, so Rungs cannot find "
            "your account. Ask your admin to let Rungs read the email scope.",
            "no email claim",
        )
    if not verified(claims):
        raise Refused(
            f"{settings.name} has not verified the email address {email}, so Rungs cannot "
            "match it to an account. Verify it with your identity provider, then try again.",
            f"email not verified: {email}",
        )
    user = User.by_email(email)
    if user is not None:
        _must_be_active(user)
        if user.oidc_subject and user.oidc_issuer == settings.issuer:
            raise Refused(
                f"The Rungs account of {email} is linked to another {settings.name} account. "
                "Ask your Rungs admin.",
                f"{email} is linked to another subject",
            )
        user.oidc_issuer, user.oidc_subject = settings.issuer, subject
        if user.password_hash is None:
            Invitation.revoke_for(user)  # invited, and now in: the emailed link is spent
        audit.record("account.sso_linked", user, user, detail=f"{settings.name} account {subject}")
        return Match(user, "linked now by email")

    if email_domain(email) in settings.domains:
        name = str(claims.get("name") or "").strip() or email.partition("@")[0]
        user = accounts.create_user(email, name[:120], Role.ENGINEER)
        user.oidc_issuer, user.oidc_subject = settings.issuer, subject
        audit.record(
            "account.created",
            user,
            user,
            detail=f"engineer account, joined with {settings.name} ({email_domain(email)})",
        )
        return Match(user, "joined by domain")

    raise Refused(
        f"No Rungs account uses {email}. Ask your Rungs admin to invite you with this address.",
        f"no account for {email}",
    )


def _must_be_active(user: User) -> None:
    if not user.active:
        raise Refused(
            "This Rungs account is deactivated. Ask your Rungs admin if that is a mistake.",
            f"{user.email} is deactivated",
        )
