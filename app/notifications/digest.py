"""The daily rating digest, built by the worker from the rubric history (events table).

The rating click itself does no extra work: the digest reads the manager-rating events a
person has not been told about yet. A digest goes out when the manager has stopped rating
for a while (QUIET), at most once every 24 hours per person, and says which ratings changed
and where the manager's rating now differs from the person's own ("disagrees").

Two workers may build digests at once: each claims a person's digest by moving their
DigestState forward with a conditional UPDATE, and only the one whose UPDATE matched writes
the notification, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select, update

from app.auth.models import User
from app.clock import utcnow
from app.database import insert_for
from app.extensions import db
from app.history.events import Kind
from app.history.models import Event
from app.ladders import store
from app.notifications import kinds, notify
from app.notifications.models import DigestState
from app.rubric.models import Rating, Rubric

QUIET = timedelta(minutes=15)  # no new manager rating for this long: the session is over
GAP = timedelta(hours=24)  # at most one digest a day
FIRST_LOOK = timedelta(days=1)  # a person never digested before hears about the last day only
RATED = Kind.RATING_MANAGER


@dataclass
class Change:
    title: str
    before: str | None
    after: str | None
    own: str | None  # the person's own rating now

    @property
    def disagrees(self) -> bool:
        return self.own is not None and self.after is not None and self.own != self.after


@dataclass
class Digest:
    raters: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rubric_id: int | None = None

    @property
    def disagreements(self) -> list[Change]:
        return [c for c in self.changes if c.disagrees]


def build_due(now: datetime | None = None) -> int:
    """Write the digests that are due; return how many were written."""
    now = now or utcnow()
    written = 0
    for user_id, newest, oldest in _candidates(now):
        settled = newest <= now - QUIET
        if not settled and oldest > now - GAP:
            continue  # the manager may still be rating; a long session still gets its digest
        upto = now - QUIET if settled else now - timedelta(minutes=1)
        if _claim_and_write(user_id, now, upto):
            written += 1
    return written


def _candidates(now: datetime) -> list[tuple[int, datetime, datetime]]:
    """People with manager ratings they have not been told about, and whose last digest
    went out more than a day ago: (user id, newest, oldest rating time)."""
    since = func.coalesce(DigestState.covered_until, now - FIRST_LOOK)
    rows = db.session.execute(
        select(Rubric.user_id, func.max(Event.created_at), func.min(Event.created_at))
        .join(Rubric, Event.rubric_id == Rubric.id)
        .outerjoin(DigestState, DigestState.user_id == Rubric.user_id)
        .where(
            Event.kind == RATED,
            Event.created_at > now - FIRST_LOOK - GAP,  # bounds the index range scanned
            Event.created_at > since,
            Event.actor_id != Rubric.user_id,
            (DigestState.sent_at.is_(None)) | (DigestState.sent_at <= now - GAP),
        )
        .group_by(Rubric.user_id)
    ).all()
    db.session.commit()
    return [(r[0], r[1], r[2]) for r in rows]


def _claim_and_write(user_id: int, now: datetime, upto: datetime) -> bool:
    """Move the person's digest window to ``upto``; if this worker did, write the digest."""
    db.session.execute(
        insert_for(db.session, DigestState)
        .values(user_id=user_id, covered_until=now - FIRST_LOOK, sent_at=None)
        .on_conflict_do_nothing(index_elements=[DigestState.user_id])
    )
    db.session.commit()
    state = db.session.get(DigestState, user_id, populate_existing=True)
    if state.covered_until >= upto:
        return False
    digest = collect(user_id, state.covered_until, upto)
    sent_at = now if digest.changes else state.sent_at
    if state.sent_at is None:
        seen_sent = DigestState.sent_at.is_(None)
    else:
        seen_sent = DigestState.sent_at == state.sent_at
    claimed = db.session.execute(
        update(DigestState)
        .where(
            DigestState.user_id == user_id,
            DigestState.covered_until == state.covered_until,
            seen_sent,
        )
        .values(covered_until=upto, sent_at=sent_at)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    person = db.session.get(User, user_id)
    if digest.changes and person is not None:
        title, text = words(digest)
        notify.notify(
            person,
            kinds.RATING_DIGEST,
            title=title,
            text=text,
            link=url_for(
                "rubric.show",
                rubric_id=digest.rubric_id,
                only="disagree" if digest.disagreements else None,
            ),
        )
    db.session.commit()
    return bool(digest.changes)


def collect(user_id: int, after: datetime, upto: datetime) -> Digest:
    """Gather the net rating changes by others on the person's rubrics in (after, upto]."""
    events = db.session.execute(
        select(Event, Rubric)
        .join(Rubric, Event.rubric_id == Rubric.id)
        .where(
            Rubric.user_id == user_id,
            Event.kind == RATED,
            Event.actor_id != user_id,
            Event.created_at > after,
            Event.created_at <= upto,
        )
        .order_by(Event.id)
    ).all()
    digest = Digest()
    if not events:
        return digest
    first: dict[tuple[int, int], tuple[Event, Rubric]] = {}
    last: dict[tuple[int, int], Event] = {}
    for event, rubric in events:
        key = (rubric.id, event.competency_id)
        first.setdefault(key, (event, rubric))
        last[key] = event
    own = dict(
        db.session.execute(
            select(Rating.competency_id, Rating.self_step).where(
                Rating.rubric_id.in_({rubric.id for _, rubric in first.values()})
            )
        ).all()
    )
    names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_({e.actor_id for e, _ in events}))
        ).all()
    )
    for key, (event, rubric) in first.items():
        before = (event.before or {}).get("step")
        after = (last[key].after or {}).get("step")
        if before == after or event.competency_id is None:
            continue  # rated and put back: nothing to tell
        shape = store.stored(rubric.ladder)
        labels = {step.key: step.label for step in shape.spec.scale.choices}
        comp_key = shape.competency_keys.get(event.competency_id)
        if comp_key is None:
            continue  # archived since
        digest.changes.append(
            Change(
                shape.competencies[comp_key].title,
                labels.get(before, before) if before else None,
                labels.get(after, after) if after else None,
                labels.get(own.get(event.competency_id)) if own.get(event.competency_id) else None,
            )
        )
        digest.rubric_id = digest.rubric_id or rubric.id
        name = names.get(last[key].actor_id, "Your manager")
        if name not in digest.raters:
            digest.raters.append(name)
    return digest


def words(digest: Digest) -> tuple[str, str]:
    """The title and the text of a digest."""
    who = " and ".join(digest.raters) or "Your manager"
    count = len(digest.changes)
    title = f"{who} rated {count} competenc{'y' if count == 1 else 'ies'} on your rubric"
    disagree = digest.disagreements
    if disagree:
        title += f" and disagrees with you on {len(disagree)}"
    lines = [f"{who} changed these ratings on your rubric:", ""]
    for change in digest.changes:
        line = f"- “{change.title}”: {change.before or 'not rated'} → {change.after or 'not rated'}"
        if change.disagrees:
            line += f" (you said {change.own})"
        lines.append(line)
    if disagree:
        lines += ["", "Where you and your manager differ is a good topic for your next 1:1."]
    return title, "\n".join(lines)
