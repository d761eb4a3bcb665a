"""The audit log: security events, appended and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db


class AuditEvent(db.Model):
    """Who did what to whom, when and from where.

    Labels keep the emails and keys of the time, so an entry still reads right after the
    person behind an id changed or left.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_kind_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_label: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    address: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(_mapper, _connection, target: AuditEvent) -> None:
    raise AppendOnlyError(f"audit event {target.id} cannot be changed or deleted")
