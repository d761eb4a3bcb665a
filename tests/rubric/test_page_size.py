"""The rubric page of a 1,000-competency ladder stays under 150 KB however far it is rated."""

from __future__ import annotations

import random

import pytest
from helpers import open_rubric, sign_in

from app.extensions import db
from app.ladders import store
from app.ladders.synthetic import ladder as synthetic_ladder
from app.rubric.models import Rating

STEPS = ("not-yet", "sometimes", "consistently")


@pytest.mark.parametrize("rated", ["nothing", "half", "everything"])
@pytest.mark.parametrize("viewer", ["engineer", "manager"])
def test_the_page_of_1000_competencies_stays_under_150_kb(app, client, people, rated, viewer):
    with app.app_context():
        store.save(synthetic_ladder(1000))
        db.session.commit()
        ids = list(store.stored(store.by_key("synthetic")).competency_ids.values())
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    rng = random.Random(7)
    chosen = {"nothing": [], "half": rng.sample(ids, 500), "everything": ids}[rated]
    with app.app_context():
        db.session.add_all(
            Rating(
                rubric_id=rubric_id,
                competency_id=cid,
                self_step="consistently" if rated == "everything" else rng.choice(STEPS),
                manager_step=rng.choice(STEPS),
            )
            for cid in chosen
        )
        db.session.commit()
    if viewer == "manager":
        client.post("/logout")
        sign_in(client, people.manager)
    response = client.get(f"/rubrics/{rubric_id}")
    assert response.status_code == 200
    assert len(response.get_data()) < 150_000, len(response.get_data())
