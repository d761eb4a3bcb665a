"""Hold the database to what the server answered: every 2xx in history, the last one in force."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import create_engine, func, select

from app.evidence.models import Evidence
from app.history.models import Event
from app.rubric.models import Rating, Rubric
from bench.safety_load import Op

NOTED = 10  # problems described in full; the rest are only counted


@dataclass
class Findings:
    requests: int = 0
    server_errors: int = 0  # 5xx
    rejected: int = 0  # other non-2xx answers (none expected)
    refused: int = 0  # connection refused: never reached a server
    unknown: int = 0  # sent, no answer (the crash): may or may not have been applied
    unknown_applied: int = 0
    accepted: int = 0  # 2xx rating changes and evidence
    unchanged: int = 0  # of those, ratings already at the asked value (after a lost answer)
    lost: int = 0  # answered 2xx, missing from history
    phantom: int = 0  # in history without a request that could have made it
    stale: int = 0  # final rating differs from the last change that was applied
    inconsistent: int = 0  # the database disagrees with itself
    problems: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # worth knowing, not wrong

    def note(self, counter: str, message: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        if len(self.problems) < NOTED:
            self.problems.append(message)

    @property
    def safe(self) -> bool:
        bad = self.server_errors, self.lost, self.phantom, self.stale, self.inconsistent
        return not any(bad) and not self.rejected


def verify(url: str, ops: list[Op]) -> Findings:
    """Compare the requests and their answers with the database after the load."""
    found = Findings(requests=len(ops))
    for op in ops:
        if op.outcome == "5xx":
            found.note("server_errors", f"{op.kind} answered {op.status}: {op.detail[:200]}")
        elif op.outcome == "rejected":
            found.note("rejected", f"{op.kind} answered {op.status}: {op.detail[:200]}")
        found.refused += op.outcome == "refused"
        found.unknown += op.outcome == "unknown"
        found.accepted += op.outcome == "ok" and op.kind != "poll"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            events = conn.execute(select(Event.__table__).order_by(Event.id)).all()
            ratings = conn.execute(select(Rating.__table__)).all()
            evidence = conn.execute(select(Evidence.__table__)).all()
            orphans = conn.scalar(
                select(func.count())
                .select_from(Event)
                .outerjoin(Rubric, Event.rubric_id == Rubric.id)
                .where(Rubric.id.is_(None))
            )
    finally:
        engine.dispose()
    check_ratings(found, ops, events, ratings)
    check_evidence(found, ops, events, evidence)
    check_consistency(found, events, ratings, evidence, orphans)
    return found


def check_ratings(found: Findings, ops: list[Op], events, ratings) -> None:
    """Replay each seat's rating answers in order against the history of its lane."""
    history = defaultdict(list)
    for e in events:
        if e.kind.startswith("rating."):
            history[(e.rubric_id, e.competency_id, e.kind.split(".")[1])].append(e)
    asked = defaultdict(list)
    for op in ops:
        if op.kind == "rating":
            asked[(op.rubric_id, op.competency_id, op.side)].append(op)
    rows = {(r.rubric_id, r.competency_id): r for r in ratings}
    for key in history.keys() - asked.keys():
        found.note("phantom", f"{len(history[key])} rating events on {key}, nobody asked")
    for key, requests in asked.items():
        left = list(history.get(key, []))
        current = None
        for n, op in enumerate(requests):
            story = tell(requests, n, left)
            nxt = left[0] if left else None
            matches = nxt is not None and nxt.after == {"step": op.value}
            if op.outcome == "ok":
                if op.value == current:
                    found.unchanged += 1  # nothing to change, so rightly no event
                    if len(found.remarks) < NOTED:
                        found.remarks.append(f"{key}: 2xx changed nothing: {story}")
                elif matches:
                    if nxt.before != {"step": current}:
                        found.note("inconsistent", f"{key}: event {nxt.id} before != {current}")
                    left.pop(0)
                else:
                    found.note("lost", f"{key}: 2xx for {op.value!r} not in history; {story}")
                current = op.value
            elif op.outcome in ("unknown", "5xx") and matches and op.value != current:
                left.pop(0)  # the crash took the answer, not the change
                found.unknown_applied += op.outcome == "unknown"
                current = op.value
        if left:
            found.note("phantom", f"{key}: events {[e.id for e in left]} match no request")
        row = rows.get(key[:2])
        final = getattr(row, f"{key[2]}_step") if row else None
        if final != current:
            found.note("stale", f"{key}: rating is {final!r}, last applied change {current!r}")


class tell:
    """What a seat asked of one rating and what history holds next, described when needed."""

    def __init__(self, asked: list[Op], upto: int, left: list):
        self.asked, self.upto, self.left = asked, upto, left[:4]

    def __str__(self) -> str:
        recent = self.asked[max(0, self.upto - 7) : self.upto + 1]
        asked = ", ".join(f"{op.value} ({op.outcome})" for op in recent)
        coming = ", ".join(f"{e.id}: {e.after['step']}" for e in self.left)
        return f"asked {asked}; next in history {coming or 'nothing'}"


def check_evidence(found: Findings, ops: list[Op], events, evidence) -> None:
    """Each accepted item is stored once, with its evidence.added event; nothing extra."""
    by_body = defaultdict(list)
    for item in evidence:
        by_body[item.body].append(item)
    added = {e.after["id"]: e for e in events if e.kind == "evidence.added"}
    asked = set()
    for op in ops:
        if op.kind != "evidence":
            continue
        asked.add(op.value)
        items = by_body.get(op.value, [])
        if len(items) > 1:
            found.note("phantom", f"evidence stored {len(items)} times: {op.value!r}")
        if op.outcome == "ok":
            item = items[0] if items else None
            event = added.get(item.id) if item else None
            if item is None or (item.rubric_id, item.competency_id) != (
                op.rubric_id,
                op.competency_id,
            ):
                found.note("lost", f"2xx evidence not stored: {op.value!r}")
            elif event is None or event.after.get("body") != op.value:
                found.note("lost", f"2xx evidence {item.id} has no evidence.added event")
        elif items and op.outcome == "refused":
            found.note("phantom", f"refused evidence stored anyway: {op.value!r}")
        elif items and op.outcome == "unknown":
            found.unknown_applied += 1
    for body in by_body.keys() - asked:
        found.note("phantom", f"evidence nobody sent: {body[:80]!r}")


def check_consistency(found: Findings, events, ratings, evidence, orphans: int) -> None:
    """The rules the app keeps whatever the load: history, ratings and counts agree."""
    last = {}
    for e in events:
        if e.kind.startswith("rating."):
            last[(e.rubric_id, e.competency_id, e.kind.split(".")[1])] = e.after["step"]
    rows = {(r.rubric_id, r.competency_id): r for r in ratings}
    for (rubric_id, cid, side), step in last.items():
        row = rows.get((rubric_id, cid))
        if row is None or getattr(row, f"{side}_step") != step:
            found.note("inconsistent", f"rating {rubric_id}/{cid} {side} != last event {step!r}")
    for key, row in rows.items():
        for side in ("self", "manager"):
            if getattr(row, f"{side}_step") is not None and (*key, side) not in last:
                found.note("inconsistent", f"rating {key} {side} set without any event")
    shared = Counter((i.rubric_id, i.competency_id) for i in evidence if not i.private)
    for key in shared.keys() | {k for k, r in rows.items() if r.evidence_count}:
        count = rows[key].evidence_count if key in rows else 0
        if count != shared[key]:
            found.note("inconsistent", f"{key}: evidence_count {count}, {shared[key]} items")
    added = Counter(e.after["id"] for e in events if e.kind == "evidence.added")
    for item in evidence:
        if added[item.id] != 1:
            found.note("inconsistent", f"evidence {item.id} has {added[item.id]} added events")
    ids = {item.id for item in evidence}
    for item_id in added.keys() - ids:
        found.note("inconsistent", f"evidence.added {item_id} names no stored item")
    if orphans:
        found.note("inconsistent", f"{orphans} events name a rubric that does not exist")
