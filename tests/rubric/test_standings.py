"""The kept standings: changed by each click, counted again when they no longer fit."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import open_rubric, rate, sign_in, small_ladder, stored_and_counted

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.history.models import Event
from app.ladders import store
from app.ladders.models import Ladder
from app.ladders.spec import CompetencySpec, TrackSpec
from app.rubric import changes, queries
from app.rubric.models import Rating
from app.rubric.side import Side


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


def test_a_click_overtaken_between_its_read_and_its_write_reads_again_in_turn(
    app, pair, monkeypatch
):
    """On SQLite a click reads before it takes the writers' turn: a click that comes in
    between changes the standing, so the first one finds it changed and starts again."""
    engineer, _, rubric_id, ids = pair
    sqlite_only(app)
    assert rate(engineer, rubric_id, ids["code-junior-1"], "sometimes").status_code == 200
    reads = []
    load_click = queries.load_click

    def spied_load_click(*args, in_turn):
        reads.append(in_turn)
        return load_click(*args, in_turn=in_turn)

    monkeypatch.setattr(queries, "load_click", spied_load_click)
    between = between_read_and_write(
        monkeypatch, lambda: rate(engineer, rubric_id, ids["code-junior-2"], "consistently")
    )
    answer = rate(engineer, rubric_id, ids["code-junior-1"], "consistently")

    assert answer.status_code == 200 and between[0].status_code == 200
    assert reads == [False, False, True]  # the first, the one between, the first again
    stored, counted = stored_and_counted(app, rubric_id)
    assert stored == counted
    with app.app_context():
        steps = {
            r.competency_id: r.self_step
            for r in db.session.scalars(db.select(Rating).where(Rating.rubric_id == rubric_id))
        }
        befores = [
            e.before["step"]
            for e in db.session.scalars(
                db.select(Event)
                .where(Event.competency_id == ids["code-junior-1"])
                .order_by(Event.id)
            )
        ]
    assert steps == {ids["code-junior-1"]: "consistently", ids["code-junior-2"]: "consistently"}
    assert befores == [None, "sometimes"]


def between_read_and_write(monkeypatch, action) -> list:
    """Run ``action`` once, during the next click's arithmetic: after its read, before its
    write. Returns a list that then holds what ``action`` returned."""
    done: list = []
    set_rating = changes.set_rating

    def set_after(*args, **kwargs):
        if not done:
            done.append(None)
            done[0] = action()
        return set_rating(*args, **kwargs)

    monkeypatch.setattr(changes, "set_rating", set_after)
    return done


def sqlite_only(app) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL locks the rubric's row before a click reads")


def steps_of(app, rubric_id: int, column) -> dict[int, str | None]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Rating.competency_id, column).where(Rating.rubric_id == rubric_id)
        )
        return dict(rows.all())


def test_a_click_finds_the_ladder_archived_between_its_read_and_write(app, pair, monkeypatch):
    engineer, _, rubric_id, ids = pair
    sqlite_only(app)
    assert rate(engineer, rubric_id, ids["code-junior-1"], "sometimes").status_code == 200

    def archive():
        with app.app_context():
            ladder = db.session.scalar(db.select(Ladder).where(Ladder.key == "small"))
            ladder.archived_at = utcnow()
            db.session.commit()

    between_read_and_write(monkeypatch, archive)
    answer = rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    assert answer.status_code == 409  # as a click that came after the archive
    assert steps_of(app, rubric_id, Rating.self_step)[ids["code-junior-1"]] == "sometimes"


def test_a_manager_who_lost_the_report_between_read_and_write_writes_nothing(
    app, pair, monkeypatch, people
):
    _, manager, rubric_id, ids = pair
    sqlite_only(app)
    assert manager.get(f"/rubrics/{rubric_id}").status_code == 200  # the manager's copy

    def reassign():
        with app.app_context():
            db.session.get(User, people.engineer.id).manager_id = people.other_manager.id
            db.session.commit()

    between_read_and_write(monkeypatch, reassign)
    answer = rate(manager, rubric_id, ids["code-junior-1"], "sometimes")
    assert answer.status_code == 404
    assert ids["code-junior-1"] not in steps_of(app, rubric_id, Rating.manager_step)


def test_a_click_off_the_track_reads_in_turn(app, people, monkeypatch):
    """A competency off the rubric's track is in no standing: nothing to compare, so two
    clicks on it take turns, and each one's "before" is the other's "after"."""
    spec = dataclasses.replace(
        small_ladder(),
        tracks=(TrackSpec("short", "Short", ("junior",)), TrackSpec("ic", "IC", ("junior", "mid"))),
    )
    with app.app_context():
        store.save(spec)
        db.session.commit()
        ids = dict(store.stored(store.by_key("small")).competency_ids)
    sqlite_only(app)
    engineer, other_tab = app.test_client(), app.test_client()
    sign_in(engineer, people.engineer)
    sign_in(other_tab, people.engineer)
    rubric_id, _ = open_rubric(engineer)
    off_track = ids["code-mid-1"]  # the rubric is on "short", the first track
    assert rate(engineer, rubric_id, ids["code-junior-1"], "sometimes").status_code == 200
    between = between_read_and_write(
        monkeypatch, lambda: rate(other_tab, rubric_id, off_track, "sometimes")
    )
    assert rate(engineer, rubric_id, off_track, "consistently").status_code == 200
    assert between[0].status_code == 200
    with app.app_context():
        events = db.session.scalars(
            db.select(Event).where(Event.competency_id == off_track).order_by(Event.id)
        ).all()
    assert [(e.before["step"], e.after["step"]) for e in events] == [
        (None, "sometimes"),
        ("sometimes", "consistently"),
    ]


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
