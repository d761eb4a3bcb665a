"""The header's count of unread notifications: asked by every full page, or read with a
page's own query and remembered for the request."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from sqlalchemy import bindparam, func, select

from app.extensions import db
from app.notifications.models import Notification


def unread_count() -> int:
    """Count the signed-in person's unread notifications (for the header's badge)."""
    if not current_user.is_authenticated:
        return 0
    known = g.get("unread_notifications")
    if known is not None and known[0] is request._get_current_object():
        return known[1]
    return db.session.scalar(_UNREAD, {"user_id": current_user.id})


def unread_column(user_id):
    """The count of :func:`unread_count` as a column, for a page that reads it with its own
    query (then :func:`remember_unread` saves the badge a query)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def remember_unread(count: int) -> None:
    """Keep the count a page's query read, for the header's badge of this request.

    ``g`` lives as long as the app context, which requests made inside one share (a test,
    a command): the count is kept with the request it was read for.
    """
    g.unread_notifications = (request._get_current_object(), count)


# Built once: every full page asks.
_UNREAD = select(unread_column(bindparam("user_id")))
