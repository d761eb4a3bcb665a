"""The kept standings: changed by each click, counted again when they no longer fit."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import rate, small_ladder

from app.extensions import db
from app.ladders import store
from app.ladders.spec import CompetencySpec
from app.levels.incremental import Kept
from app.rubric import queries, standings
from app.rubric.models import KeptStanding, Rating
from app.rubric.page import build
from app.rubric.side import Side


def stored_and_counted(app, rubric_id: int) -> tuple[dict, dict]:
    """Return the stored standings by side, and what counting every row says they are."""
    with app.app_context():
        rows = {
            Side(k.side): (k.ladder_version, k.track_key, Kept.from_json(k.data))
            for k in db.session.scalars(
                db.select(KeptStanding).where(KeptStanding.rubric_id == rubric_id)
            )
        }
        page = build(queries.load(rubric_id), None, {})
        ratings = queries.ratings(rubric_id)
        counted = {
            side: (page.ladder.version, page.index.track_key, standings.count(page, ratings, side))
            for side in Side
        }
    return rows, counted


def test_clicks_of_both_sides_keep_the_standings_equal_to_a_count(app, pair):
    engineer, manager, rubric_id, ids = pair
    for client, key, step in [
        (engineer, "code-junior-1", "consistently"),
        (engineer, "code-junior-2", "sometimes"),
        (manager, "code-junior-1", "sometimes"),
        (engineer, "code-junior-2", "consistently"),
        (manager, "team-mid-1", "consistently"),
    ]:
        assert rate(client, rubric_id, ids[key], step).status_code == 200
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted
    assert stored[Side.SELF][2].cells[0][0].marks == "22"  # both of Code at Junior shown


def test_a_rating_written_behind_the_standings_back_is_counted_on_the_next_click(app, pair):
    engineer, _, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    with app.app_context():
        # Not through a click: the kept standing still says "sometimes".
        db.session.execute(
            db.update(Rating)
            .where(Rating.competency_id.in_([ids["code-junior-1"], ids["code-junior-2"]]))
            .values(self_step="consistently")
        )
        db.session.add(
            Rating(rubric_id=rubric_id, competency_id=ids["code-junior-2"], self_step="sometimes")
        )
        db.session.commit()
    assert rate(engineer, rubric_id, ids["code-junior-1"], "not-yet").status_code == 200
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted
    assert stored[Side.SELF][2].cells[0][0].marks == "01"


def test_a_new_ladder_version_is_counted_again_on_the_next_click(app, pair):
    engineer, _, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    with app.app_context():
        spec = small_ladder()
        extra = CompetencySpec("code-junior-3", "A third one", "junior", "code")
        store.save(dataclasses.replace(spec, competencies=(*spec.competencies, extra)))
        db.session.commit()
        new_id = store.stored(store.by_key("small")).competency_ids["code-junior-3"]
    assert rate(engineer, rubric_id, new_id, "sometimes").status_code == 200
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted
    assert stored[Side.SELF][2].cells[0][0].marks == "2-1"  # the new competency is in


def test_choosing_another_track_counts_the_standings_for_it(app, pair):
    engineer, _, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    with app.app_context():
        spec = small_ladder()
        tracks = (*spec.tracks, dataclasses.replace(spec.tracks[0], key="mgr", name="Manager"))
        store.save(dataclasses.replace(spec, tracks=tracks))
        db.session.commit()
    response = engineer.post(f"/rubrics/{rubric_id}/settings", data={"track": "mgr", "target": ""})
    assert response.status_code == 303
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted
    assert {track for _, track, _ in stored.values()} == {"mgr"}


@pytest.mark.parametrize("only_one", [False, True])
def test_recompute_command_counts_the_standings(app, pair, runner, only_one):
    engineer, _, rubric_id, ids = pair
    with app.app_context():
        db.session.add(
            Rating(rubric_id=rubric_id, competency_id=ids["team-mid-2"], manager_step="sometimes")
        )
        db.session.commit()
    args = ["rubric", "recompute", *(["--rubric", str(rubric_id)] if only_one else [])]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Counted the standings of 1 rubric again." in result.output
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted
    assert stored[Side.MANAGER][2].rated


def test_recompute_command_refuses_an_unknown_rubric(runner, people):
    result = runner.invoke(args=["rubric", "recompute", "--rubric", "999999"])
    assert result.exit_code == 1
    assert "No rubric has the id 999999." in result.output
