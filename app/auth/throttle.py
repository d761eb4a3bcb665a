"""Brute-force control: locks per account and address that grow, and a per-address limit.

An attempt is counted, in the database, before its password is checked, so guesses sent
at once to several workers get no more checks than guesses sent one by one. A correct
password gives the count back. The lock is per account *and* address: whoever guesses an
account's password from one address locks that address out of that account, and the owner
signing in from anywhere else is not refused. docs/security.md weighs this design.

Keys are hashes: any text an address or an email may be fits the column, and the table
keeps no list of the emails people typed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from app.auth.models import Throttle
from app.clock import utcnow
from app.database import insert_for
from app.extensions import db

FREE_FAILURES = 5  # failures in a row, from one address, before the account has to wait there
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may check its password; if not, why; and what failing would do."""

    allowed: bool
    message: str = ""
    # The refusal the next attempt gets if this one fails: this failure starts a lock.
    lock_if_wrong: str = ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def pair_key(email: str, address: str) -> str:
    """The counter of one account (by email, whether or not it exists) from one address."""
    return f"pair:{_digest(email)}:{_digest(address)}"


def address_key(address: str) -> str:
    """The counter of every failure from one address, whatever the account."""
    return f"addr:{_digest(address)}"


def _locked_row(key: str) -> Throttle:
    """Return a counter row, created if need be, locked until the transaction ends.

    The row is created with ON CONFLICT DO NOTHING, then read afresh and locked FOR UPDATE,
    so two attempts at once are counted one after the other (SQLite's BEGIN IMMEDIATE
    already serialises them).
    """
    db.session.execute(
        insert_for(db.session, Throttle)
        .values(key=key, failures=0, window_start=utcnow())
        .on_conflict_do_nothing(index_elements=[Throttle.key])
    )
    return db.session.get(Throttle, key, with_for_update=True, populate_existing=True)


def attempt(email: str, address: str) -> Verdict:
    """Count a sign-in attempt before its password is checked, or refuse it; commit.

    The count is committed here, before the slow password check, so that every worker
    sees it: of N attempts at once, at most the free ones are checked.
    """
    now = utcnow()
    window = timedelta(seconds=current_app.config["LOGIN_ADDRESS_WINDOW"])
    limit = current_app.config["LOGIN_ADDRESS_LIMIT"]
    # Always the address row first, then the pair: two attempts never wait for each other
    # in opposite orders.
    addr = _locked_row(address_key(address))
    if addr.window_start + window <= now:
        addr.window_start, addr.failures = now, 0
    if addr.failures >= limit:
        db.session.commit()
        return Verdict(False, _address_message(addr.window_start + window - now))
    pair = _locked_row(pair_key(email, address))
    if pair.locked_until is not None and pair.locked_until > now:
        db.session.commit()
        return Verdict(False, _account_message(pair.locked_until - now))
    pair.failures += 1
    addr.failures += 1
    lock_if_wrong = ""
    # Counted as a failure until the password proves right, so the lock starts now: any
    # attempt arriving while this one is checked is refused.
    if pair.failures >= FREE_FAILURES:
        lock = min(BASE_LOCK * 2 ** (pair.failures - FREE_FAILURES), MAX_LOCK)
        pair.locked_until = now + lock
        lock_if_wrong = _account_message(lock)
    elif addr.failures >= limit:
        lock_if_wrong = _address_message(addr.window_start + window - now)
    db.session.commit()
    return Verdict(True, lock_if_wrong=lock_if_wrong)


def succeeded(email: str, address: str) -> None:
    """Give back the attempt of a correct password: forget this pair, uncount the address."""
    db.session.execute(delete(Throttle).where(Throttle.key == pair_key(email, address)))
    db.session.execute(
        update(Throttle)
        .where(Throttle.key == address_key(address), Throttle.failures > 0)
        .values(failures=Throttle.failures - 1)
    )


def unlock(email: str) -> bool:
    """Forget the failed sign-ins of an account from every address; tell if there were any."""
    prefix = f"pair:{_digest(email)}:"  # hex digits: nothing LIKE would read as a pattern
    done = db.session.execute(delete(Throttle).where(Throttle.key.startswith(prefix)))
    return done.rowcount > 0


def locked(emails: list[str]) -> set[str]:
    """Those of EMAILS that are locked now, from at least one address."""
    by_digest = {_digest(email): email for email in emails}
    keys = db.session.scalars(
        select(Throttle.key).where(
            Throttle.key.startswith("pair:"), Throttle.locked_until > utcnow()
        )
    )
    return {by_digest[d] for key in keys if (d := key.split(":")[1]) in by_digest}


def _account_message(wait: timedelta) -> str:
    return (
        "Too many failed sign-ins for this account from your network. "
        f"Try again in {_humanise(wait)}, or ask an admin to unlock it."
    )


def _address_message(wait: timedelta) -> str:
    return f"Too many failed sign-ins from your network. Try again in {_humanise(wait)}."


def _humanise(delta: timedelta) -> str:
    seconds = max(1, int(delta.total_seconds()))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"
