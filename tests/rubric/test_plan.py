"""The growth plan names the owner's own rating of each focused competency."""

from __future__ import annotations

import re

from helpers import open_rubric, rate, small_ladder

from app.extensions import db
from app.ladders import store


def test_the_plan_shows_the_rating_of_a_focused_competency(app, client, as_role):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        cid = store.stored(store.by_key("small")).competency_ids["code-junior-1"]
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, cid, "sometimes")
    client.post(f"/rubrics/{rubric_id}/focus/{cid}", data={"focus": "1"})
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    plan = re.search(r'<ul class="plan">(.*?)</ul>', html, re.S)
    assert plan and "Sometimes · 0 evidence" in plan.group(1)
