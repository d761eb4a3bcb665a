"""Several people changing one rubric at once: no errors, nothing lost, last write wins."""

from __future__ import annotations

import random
import threading

from helpers import HX, open_rubric, rate, sign_in, small_ladder, stored_and_counted
from sqlalchemy import select

from app.evidence.models import Evidence
from app.extensions import db
from app.history.models import Event
from app.ladders import store
from app.rubric.models import Rating

STEPS = ("not-yet", "sometimes", "consistently")


def test_concurrent_ratings_and_evidence_on_one_rubric(app, people):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ids = list(store.stored(store.by_key("small")).competency_ids.values())
    engineer = app.test_client()
    sign_in(engineer, people.engineer)
    rubric_id, _ = open_rubric(engineer)
    clients = []
    for user in (people.engineer, people.engineer, people.manager, people.manager):
        client = app.test_client()
        sign_in(client, user)
        clients.append(client)

    accepted: list[tuple[int, int, str]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(n: int, client) -> None:
        chooser = random.Random(n)
        for i in range(25):
            cid = chooser.choice(ids)
            if i % 5 == 4:
                response = client.post(
                    f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
                    data={"body": f"evidence {n}-{i}", "day": "2026-11-26"},
                    headers=HX,
                )
            else:
                response = rate(client, rubric_id, cid, chooser.choice(STEPS))
            with lock:
                if response.status_code >= 500:
                    failures.append(response.get_data(as_text=True)[:200])
                elif response.status_code == 200:
                    accepted.append((n, cid, response.request.path))

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(accepted) == 100
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.id)).all()
        evidence = db.session.scalars(select(Evidence)).all()
        # Every piece of evidence that was accepted is stored and in history.
        assert len(evidence) == 20
        assert sum(e.kind == "evidence.added" for e in events) == 20
        # The final ratings are the last recorded change of each competency and side.
        last: dict[tuple[int, str], str] = {}
        for e in events:
            if e.kind.startswith("rating."):
                last[(e.competency_id, e.kind.split(".")[1])] = e.after["step"]
        rows = db.session.scalars(select(Rating).where(Rating.rubric_id == rubric_id)).all()
        final = {}
        for row in rows:
            if row.self_step:
                final[(row.competency_id, "self")] = row.self_step
            if row.manager_step:
                final[(row.competency_id, "manager")] = row.manager_step
        assert final == last
        # And each change's "before" is the previous change's "after": no write was lost.
        seen: dict[tuple[int, str], str | None] = {}
        for e in events:
            if e.kind.startswith("rating."):
                key = (e.competency_id, e.kind.split(".")[1])
                assert e.before["step"] == seen.get(key)
                seen[key] = e.after["step"]
        counts = {r.competency_id: r.evidence_count for r in rows}
        for cid in ids:
            assert counts.get(cid, 0) == sum(1 for ev in evidence if ev.competency_id == cid)
    # Clicks that came in between each other's read and write changed the kept standings
    # by every one of them: they still equal a count of the rows.
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted


def test_first_open_of_a_rubric_by_two_people_at_once(app, people):
    """The engineer and the manager open a rubric that does not exist yet, many times over."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    clients = []
    for user in (people.engineer, people.manager) * 3:
        client = app.test_client()
        sign_in(client, user)
        clients.append(client)
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def open_it(client) -> None:
        barrier.wait()
        response = client.get(f"/people/{people.engineer.id}/rubric")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=open_it, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(clients)
    with app.app_context():
        from app.rubric.models import Rubric

        assert db.session.query(Rubric).count() == 1
