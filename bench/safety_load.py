"""Many signed-in people changing shared rubrics at once, with every answer written down."""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field

from bench.harness import Browser, Server
from bench.safety_db import PASSWORD, Team

STEPS = ("not-yet", "sometimes", "consistently")
HOT = 24  # competencies everyone works on, so engineer and manager meet on the same rows
SEATS_PER_SIDE = 2  # each person has the rubric open twice (two tabs, two devices)
DAY = "2026-11-26"


@dataclass
class Op:
    """One request and what became of it."""

    seat: int
    kind: str  # "rating", "evidence" or "poll"
    rubric_id: int
    competency_id: int | None
    side: str | None
    value: str | None  # the step asked for, or the (unique) evidence body
    outcome: str  # "ok" (2xx), "rejected" (other), "5xx", "refused", "unknown"
    status: int | None = None
    detail: str = ""


@dataclass
class Seat:
    """One browser of one person on one rubric."""

    index: int
    email: str
    actor_id: int
    side: str
    rubric_id: int
    lane: list[int]  # competencies whose `side` rating only this seat changes
    hot: list[int]
    client: Browser | None = None
    ops: list[Op] = field(default_factory=list)


def seats_for(team: Team, port: int) -> list[Seat]:
    """Four seats per rubric: the engineer twice and the manager twice.

    Each seat alone changes its side's rating of its lane (half of the hot competencies), so
    the order of its own answers says exactly what history and the final state must be; the
    rows, the rubric lock and the evidence counts are shared by everyone on the rubric.
    """
    hot = team.competency_ids[:HOT]
    seats = []
    for shared in team.rubrics:
        people = (
            ("self", shared.engineer, shared.engineer_id),
            ("manager", shared.manager, shared.manager_id),
        )
        for side, email, actor_id in people:
            for n in range(SEATS_PER_SIDE):
                lane = hot[n::SEATS_PER_SIDE]
                seats.append(Seat(len(seats), email, actor_id, side, shared.rubric_id, lane, hot))
    for seat in seats:
        seat.client = Browser(port)
    return seats


def sign_in(seats: list[Seat]) -> None:
    for seat in seats:
        seat.client.sign_in(seat.email, PASSWORD)
        seat.client.open(f"/rubrics/{seat.rubric_id}")


def send(seat: Seat, op: Op, method: str, path: str, form: dict | None = None) -> Op:
    """Send one request and classify its fate; connection failures are not answers."""
    try:
        reply = seat.client.send(method, path, form, htmx=True)
    except ConnectionRefusedError:
        op.outcome = "refused"  # nothing reached a server: it cannot have been applied
    except (OSError, http.client.HTTPException) as error:
        op.outcome, op.detail = "unknown", type(error).__name__  # sent, but no answer came
    else:
        op.status = reply.status
        if reply.status >= 500:
            op.outcome, op.detail = "5xx", reply.text[:300]
        elif 200 <= reply.status < 300:
            op.outcome = "ok"
            if op.kind == "poll" and reply.status == 200:
                seat.client.follow_live(reply.text)
        else:
            op.outcome, op.detail = "rejected", reply.text[:300]
    seat.ops.append(op)
    return op


def work(seat: Seat, tag: str, until: float, seed: int) -> None:
    """Rate (70%), add evidence (15%) and poll (15%) as fast as the server answers."""
    rng = random.Random(seed * 1000 + seat.index)
    maybe: dict[int, set[str]] = {}  # what each rating of the lane may hold, as far as known
    n = 0
    while time.monotonic() < until:
        n += 1
        roll = rng.random()
        if roll < 0.70:
            cid = rng.choice(seat.lane)
            # Ask for a value it cannot already hold, so a 2xx is a real change that history
            # must show; after several answers lost in a crash that may be impossible.
            held = maybe.get(cid, set())
            step = rng.choice([s for s in STEPS if s not in held] or STEPS)
            op = Op(seat.index, "rating", seat.rubric_id, cid, seat.side, step, "")
            path = f"/rubrics/{seat.rubric_id}/ratings/{cid}"
            outcome = send(seat, op, "POST", path, {"step": step}).outcome
            if outcome == "ok":
                maybe[cid] = {step}
            elif outcome in ("unknown", "5xx"):
                maybe[cid] = held | {step}
        elif roll < 0.85:
            cid = rng.choice(seat.hot)
            body = f"Safety run {tag}, seat {seat.index}, item {n}: shipped and measured it."
            op = Op(seat.index, "evidence", seat.rubric_id, cid, seat.side, body, "")
            path = f"/rubrics/{seat.rubric_id}/competencies/{cid}/evidence"
            send(seat, op, "POST", path, {"body": body, "day": DAY})
        else:
            op = Op(seat.index, "poll", seat.rubric_id, None, None, None, "")
            send(seat, op, "GET", seat.client.live)
        if op.outcome in ("refused", "unknown"):
            time.sleep(0.2)  # the server is down: retry soon, but do not spin


@dataclass
class Timeline:
    seconds: float
    crashes: list[tuple[float, float]] = field(default_factory=list)  # (at, down for) in s


def run(
    seats: list[Seat], server: Server, seconds: float, tag: str, seed: int, crashes: int
) -> Timeline:
    """Run every seat for ``seconds``, killing the server -9 ``crashes`` times evenly apart."""
    start = time.monotonic()
    until = start + seconds
    threads = [
        threading.Thread(target=work, args=(seat, tag, until, seed), daemon=True) for seat in seats
    ]
    for thread in threads:
        thread.start()
    timeline = Timeline(seconds)
    try:
        for n in range(1, crashes + 1):
            time.sleep(max(0.0, start + seconds * n / (crashes + 1) - time.monotonic()))
            killed = time.monotonic()
            server.crash()
            server.start()
            timeline.crashes.append((killed - start, time.monotonic() - killed))
    finally:
        for thread in threads:
            thread.join(timeout=seconds + 60)
    return timeline
