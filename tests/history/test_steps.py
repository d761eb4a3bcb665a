"""Levels over time: the person's own changes replayed day by day."""

from __future__ import annotations

import re
from datetime import datetime

from helpers import open_rubric, sign_in, small_ladder

from app.extensions import db
from app.history.models import Event
from app.history.steps import levels_over_time
from app.ladders import store
from app.rubric import queries

MONDAY, TUESDAY, FRIDAY = datetime(2026, 11, 2, 9), datetime(2026, 11, 3, 9), datetime(2026, 11, 6)


def test_each_day_a_level_moved_is_a_step(app, client, people):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ids = store.stored(store.by_key("small")).competency_ids
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    junior = ["code-junior-1", "code-junior-2", "team-junior-1", "team-junior-2"]
    changes = [(MONDAY, key, "consistently") for key in junior[:3]]
    changes += [(TUESDAY, junior[3], "sometimes"), (TUESDAY, junior[3], "consistently")]
    # The manager's ratings and a step off the scale do not move the person's own line.
    changes += [(FRIDAY, "code-mid-1", "no-such-step")]
    with app.app_context():
        for at, key, step in changes:
            db.session.add(
                Event(
                    rubric_id=rubric_id,
                    actor_id=people.engineer.id,
                    kind="rating.self",
                    competency_id=ids[key],
                    before={"step": None},
                    after={"step": step},
                    created_at=at,
                )
            )
        db.session.add(
            Event(
                rubric_id=rubric_id,
                actor_id=people.manager.id,
                kind="rating.manager",
                competency_id=ids["code-mid-2"],
                before={"step": None},
                after={"step": "consistently"},
                created_at=MONDAY,
            )
        )
        db.session.commit()
        owned = queries.load(rubric_id)
        stored = store.stored(owned.ladder)
        found = levels_over_time(rubric_id, stored, stored.index("ic"), "Eli")
    # Monday: Code at Junior, Teamwork not yet; Tuesday: Junior overall (rung 1).
    assert found.history.table() == [
        (MONDAY.date(), 0, (1, 0)),
        (TUESDAY.date(), 1, (1, 1)),
    ]
    assert found.names == ["None", "Junior", "Mid-level"]


def test_the_rubric_page_links_the_chart_instead_of_replaying_the_history(app, client, people):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    sign_in(client, people.engineer)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    figure = html[html.index('<figure id="steps"') :]
    figure = figure[: figure.index("</figure>")]
    assert "<svg" not in figure and "Show how the levels moved over time" in figure
    chart = client.get(re.search(r'hx-get="([^"]+/charts)"', figure).group(1))
    assert "<svg" in chart.get_data(as_text=True)
