"""Writing security events to the audit log."""

from __future__ import annotations

import getpass

from flask import has_request_context, request

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db

# Every kind of event, with the words the audit page uses for it.
KINDS = {
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.locked": "Sign-ins locked",
    "auth.sign_out": "Signed out",
    "auth.password_changed": "Password changed",
    "account.created": "Account created",
    "account.role": "Role changed",
    "account.manager": "Manager changed",
    "account.deactivated": "Deactivated",
    "account.reactivated": "Reactivated",
    "account.unlocked": "Sign-ins unlocked",
    "invitation.issued": "Invitation issued",
    "invitation.accepted": "Invitation accepted",
    "setup.issued": "Setup link issued",
    "setup.used": "Setup link used",
    "ladder.imported": "Ladder imported",
    "ladder.pay_bands": "Pay bands changed",
    "ladder.renamed": "Ladder renamed",
    "ladder.default": "Default ladder set",
    "ladder.archived": "Ladder archived",
    "ladder.restored": "Ladder restored",
    "ladder.deleted": "Ladder deleted",
    "ladder.assigned": "Ladder assigned",
    "ladder.published": "Ladder version published",
    "ladder.forked": "Ladder forked",
    "ladder.editor": "Ladder editor rights changed",
    "auth.sso_refused": "SSO sign-in refused",
    "auth.sso_required": "SSO requirement changed",
    "account.sso_linked": "Linked to SSO",
}

LABEL_MAX = 254
DETAIL_MAX = 500


def command_line() -> str:
    """Name the actor of a CLI command: whoever runs it on the server."""
    try:
        return f"command line ({getpass.getuser()})"[:LABEL_MAX]
    except (KeyError, OSError):  # no user name in some containers
        return "command line"


def record(
    kind: str,
    actor: User | str | None,
    subject: User | str | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Append an event to the audit log; the caller's commit writes it with the change.

    ``actor`` and ``subject`` are users or plain labels (a ladder key, "command line").
    Never pass a password or a token here: the log is for people to read.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    actor, subject = _unwrap(actor), _unwrap(subject)
    entry = AuditEvent(
        kind=kind,
        actor=actor if isinstance(actor, User) else None,
        actor_label=_label(actor),
        subject=subject if isinstance(subject, User) else None,
        subject_label=_label(subject),
        detail=(detail or "")[:DETAIL_MAX],
        address=_address(),
    )
    db.session.add(entry)
    return entry


def import_detail(summary: str, filename: str, exists: bool) -> str:
    """Describe a ladder import: what it changed, from which file."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:100]
    return f"{summary} (file {name!r}, {'update' if exists else 'new ladder'})"


def _address() -> str | None:
    """The client's address when there is a request (behind a proxy, see RUNGS_HTTPS)."""
    if not has_request_context() or not request.remote_addr:
        return None
    return request.remote_addr[:64]


def _unwrap(who):
    # current_user is a proxy; the relationship needs the user object behind it.
    getter = getattr(who, "_get_current_object", None)
    return getter() if getter is not None else who


def _label(who: User | str | None) -> str:
    if isinstance(who, User):
        return who.email[:LABEL_MAX]
    return (who or "")[:LABEL_MAX]
