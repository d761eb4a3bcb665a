"""Signed unsubscribe links: one click turns off one kind of mail, without signing in."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

ONE_CLICK = "List-Unsubscribe=One-Click"
_SALT = "rungs.notifications.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(user_id: int, kind: str) -> str:
    """A token that names a person and a kind; it cannot be forged without the secret key."""
    return _serializer().dumps([user_id, kind])


def read(token: str) -> tuple[int, str] | None:
    """Return (user id, kind) from a token, or None if it was not made by this installation."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or not isinstance(data[1], str)
    ):
        return None
    return data[0], data[1]
