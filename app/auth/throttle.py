"""Brute-force control: per-account lockouts that grow, and a per-address limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.auth.models import Throttle
from app.clock import utcnow
from app.database import insert_for
from app.extensions import db

FREE_FAILURES = 5  # failures in a row before the account has to wait
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""


def _get(key: str) -> Throttle:
    """Return a counter row, created if need be, locked until the write commits.

    Two failures counted at once must both be counted: the row is created with ON CONFLICT
    DO NOTHING, then read afresh and locked (SQLite's BEGIN IMMEDIATE already serialises).
    """
    db.session.execute(
        insert_for(db.session, Throttle)
        .values(key=key, failures=0, window_start=utcnow())
        .on_conflict_do_nothing(index_elements=[Throttle.key])
    )
    return db.session.get(Throttle, key, with_for_update=True, populate_existing=True)


def check(email: str, address: str) -> Verdict:
    """Decide whether a sign-in attempt may be tried at all."""
    now = utcnow()
    account = db.session.get(Throttle, f"email:{email}")
    if account and account.locked_until and account.locked_until > now:
        return Verdict(
            False,
            f"Too many failed sign-ins for this account. "
            f"Try again in {_humanise(account.locked_until - now)}.",
        )
    addr = db.session.get(Throttle, f"addr:{address}")
    window = timedelta(seconds=current_app.config["LOGIN_ADDRESS_WINDOW"])
    if (
        addr
        and addr.window_start + window > now
        and addr.failures >= current_app.config["LOGIN_ADDRESS_LIMIT"]
    ):
        return Verdict(
            False,
            "Too many failed sign-ins from your network. "
            f"Try again in {_humanise(addr.window_start + window - now)}.",
        )
    return Verdict(True)


def record_failure(email: str, address: str) -> None:
    """Count a failed attempt; lock the account longer after each further failure."""
    now = utcnow()
    # Counted per email whether or not an account exists, so lockouts reveal nothing.
    account = _get(f"email:{email}")
    account.failures = (account.failures or 0) + 1
    if account.failures >= FREE_FAILURES:
        lock = min(BASE_LOCK * 2 ** (account.failures - FREE_FAILURES), MAX_LOCK)
        account.locked_until = now + lock
    addr = _get(f"addr:{address}")
    window = timedelta(seconds=current_app.config["LOGIN_ADDRESS_WINDOW"])
    if addr.window_start + window <= now:
        addr.window_start, addr.failures = now, 0
    addr.failures = (addr.failures or 0) + 1


def record_success(email: str) -> None:
    """Forget the failures of an account after a correct password."""
    row = db.session.get(Throttle, f"email:{email}")
    if row is not None:
        db.session.delete(row)


def _humanise(delta: timedelta) -> str:
    seconds = max(1, int(delta.total_seconds()))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
