"""Count the SQL statements of each request in-process, with the Flask test client."""

from __future__ import annotations

import itertools
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event

from app.extensions import db
from bench.dataset import PASSWORD, BenchError, Person
from bench.harness import form_token, live_url, meta_token
from bench.sql import QueryCounter

HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Count:
    statements: int
    bytes: int
    status: int
    seconds: float  # median time of one request in-process: the server's work, no network


def measure(app, person: Person, path: str = "/", viewer: Person | None = None):
    """Count statements of the page, the live poll and a rating POST on one rubric.

    ``person`` owns the rubric that ``path`` leads to; ``viewer`` (their manager) rates
    it instead when given. Returns a Count by scenario name, as in bench/run.py's
    SCENARIOS; the live ones are missing while the rubric page has no live region.
    """
    client = sign_in(app, person)
    landed = client.get(path, follow_redirects=True)
    match = re.fullmatch(r"/rubrics/(\d+)", landed.request.path)
    if landed.status_code != 200 or not match:
        raise BenchError(f"{person.email} did not land on a rubric from {path}")
    rubric = f"/rubrics/{match.group(1)}"
    if viewer is not None:
        client = sign_in(app, viewer)
    html = client.get(rubric).get_data(as_text=True)
    headers = {**HX, "X-CSRFToken": meta_token(html)}
    comps = [int(n) for n in re.findall(r'<article id="c-(\d+)"', html)]
    # A big page shows its categories closed: their competencies come with each fragment.
    for category in re.findall(r'hx-get="(/rubrics/\d+/levels/[^"]+/categories/[^"]+)"', html):
        fragment = client.get(category, headers=HX).get_data(as_text=True)
        comps += [int(n) for n in re.findall(r'<article id="c-(\d+)"', fragment)]
    live = live_url(html)

    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        found = {
            "trivial": _count(counter, lambda: app.test_client().get("/me")),
            "signed_in": _count(counter, lambda: client.get("/me")),
            "page": _count(counter, lambda: client.get(rubric)),
        }
        if live is not None:
            # The warm-up poll writes the presence heartbeat; the counted ones are the 3 in 4
            # polls of a browser that find it fresh.
            found["live"] = _count(counter, lambda: client.get(live, headers=HX))

            def forget_heartbeat():
                with client.session_transaction() as session:
                    session.pop("seen", None)

            found["live_heartbeat"] = _count(
                counter, lambda: client.get(live, headers=HX), prepare=forget_heartbeat
            )
        turns = itertools.cycle(comps[::7] or comps)
        url = []

        def other_step():
            # Two different steps in a row on one competency: the second one always writes.
            url[:] = [f"{rubric}/ratings/{next(turns)}"]
            client.post(url[0], data={"step": "not-yet"}, headers=headers)

        found["rate"] = _count(
            counter,
            lambda: client.post(url[0], data={"step": "consistently"}, headers=headers),
            prepare=other_step,
        )
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return found


def _count(counter: QueryCounter, send: Callable, prepare=None, times: int = 15) -> Count:
    """Send once to warm caches, then count ``times`` sends: most statements, median time.

    Fifteen, not three: the in-process ratios (floor, 5,000 vs 100) compare medians of
    milliseconds, which a busy machine moves by more than the budgets allow.
    """
    if prepare:
        prepare()
    send()
    worst, took = None, []
    for _ in range(times):
        if prepare:
            prepare()
        counter.statements.clear()
        start = time.perf_counter()
        response = send()
        took.append(time.perf_counter() - start)
        if worst is None or len(counter.statements) > worst[0]:
            worst = (len(counter.statements), len(response.get_data()), response.status_code)
    return Count(*worst, statistics.median(took))


def sign_in(app, person: Person):
    """A test client signed in through the real form, CSRF token and all."""
    client = app.test_client()
    token = form_token(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 303:
        raise BenchError(f"in-process sign-in of {person.email} answered {answer.status_code}")
    return client
