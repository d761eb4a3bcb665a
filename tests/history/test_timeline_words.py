"""History in plain words: names rather than keys, and times in the viewer's zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from helpers import open_rubric, rate, small_ladder
from sqlalchemy import update

from app.auth.models import User
from app.extensions import db
from app.history.events import Kind
from app.history.models import Event
from app.history.timeline import _rating, _sentence
from app.ladders import store
from app.ladders.spec import DEFAULT_SCALE, TrackSpec
from app.rubric.side import Side

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ladders"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="shared/ladders is not beside the repo"
)


def history(client, rubric_id, **args) -> str:
    response = client.get(f"/rubrics/{rubric_id}/history", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_first_rating_reads_as_rated_not_changed_from_none(pair):
    engineer, _, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "not-yet")
    html = history(engineer, rubric_id)
    assert "<strong>Eli Engineer</strong> rated “Code at Junior #1” Not yet" in html
    assert "from none" not in html and "own rating" not in html


def test_a_changed_rating_says_what_it_was(pair):
    engineer, manager, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    rate(manager, rubric_id, ids["code-junior-1"], "sometimes")
    html = history(engineer, rubric_id)
    assert "rated “Code at Junior #1” Consistently (was Sometimes)" in html
    assert "<strong>Maya Manager</strong> rated “Code at Junior #1” Sometimes as manager" in html


def test_a_cleared_rating_says_so():
    said = _rating(Side.MANAGER, "sometimes", None, "“Writes tests”", DEFAULT_SCALE)
    assert said == "cleared the rating as manager of “Writes tests” (was Sometimes)"


@needs_shared
def test_track_and_target_are_named(app, client, as_role, runner):
    done = runner.invoke(args=["ladder", "import", str(SHARED / "monzo-backend.md")])
    assert done.exit_code == 0, done.output
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    with app.app_context():
        spec = store.stored(store.by_key("monzo-backend")).spec
        track, level = spec.tracks[0], spec.levels[2]
    client.post(f"/rubrics/{rubric_id}/settings", data={"track": track.key, "target": level.key})
    html = history(client, rubric_id, kind="settings")
    assert f"set the target to {level.name}" in html
    assert f"<strong>Eli Engineer</strong> set the target to {level.name}</li>" in html


def two_tracks():
    spec = small_ladder()
    tracks = (TrackSpec("ic", "Individual contributor", ("junior", "mid")),) + (
        TrackSpec("em", "Engineering manager", ("mid",)),
    )
    return replace(spec, tracks=tracks)


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [
        (
            {"track": "em", "target": None},
            {"track": "ic", "target": "mid"},
            "set the track to Individual contributor and the target to Mid-level",
        ),
        (
            {"track": "ic", "target": "mid"},
            {"track": "em", "target": "mid"},
            "set the track to Engineering manager",
        ),
        (
            {"track": "ic", "target": "mid"},
            {"track": "ic", "target": None},
            "set the target to the next level",
        ),
        (
            {"track": "ic", "target": None},
            {"track": "ic", "target": "gone"},
            "set the target to gone",
        ),
    ],
)
def test_settings_are_said_with_names(before, after, said):
    assert _sentence(Kind.SETTINGS, before, after, "", two_tracks()) == said


@pytest.fixture
def one_event(app, pair):
    """The engineer's rubric with one rating, made at 09:30 UTC on 1 July 2026."""
    engineer, _, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    with app.app_context():
        db.session.execute(update(Event).values(created_at=datetime(2026, 7, 1, 9, 30)))
        db.session.commit()
    return engineer, rubric_id


def choose_zone(app, people, name):
    with app.app_context():
        db.session.execute(update(User).where(User.id == people.engineer.id).values(time_zone=name))
        db.session.commit()


def test_times_are_utc_for_a_viewer_we_know_nothing_about(one_event):
    engineer, rubric_id = one_event
    html = history(engineer, rubric_id)
    assert '<time datetime="2026-07-01T09:30:00Z">1 Jul 2026, 09:30 UTC</time>' in html


def test_the_browsers_zone_from_its_cookie(one_event):
    engineer, rubric_id = one_event
    engineer.set_cookie("rungs_tz", "America/New_York")
    html = history(engineer, rubric_id)
    assert '<time datetime="2026-07-01T09:30:00Z">1 Jul 2026, 05:30 EDT</time>' in html


def test_a_chosen_zone_wins_over_the_browsers(app, people, one_event):
    engineer, rubric_id = one_event
    engineer.set_cookie("rungs_tz", "America/New_York")
    choose_zone(app, people, "Asia/Tokyo")
    assert "1 Jul 2026, 18:30 JST" in history(engineer, rubric_id)


@pytest.mark.parametrize("cookie", ["Mars/Olympus", "../../etc/passwd", "", "<b>x</b>"])
def test_a_cookie_naming_no_zone_is_ignored(one_event, cookie):
    engineer, rubric_id = one_event
    engineer.set_cookie("rungs_tz", cookie)
    assert "1 Jul 2026, 09:30 UTC" in history(engineer, rubric_id)


def test_since_a_day_means_the_day_where_the_viewer_is(app, people, one_event):
    engineer, rubric_id = one_event
    choose_zone(app, people, "Asia/Tokyo")  # 09:30 UTC is 18:30 on 1 July in Tokyo
    assert "Code at Junior #1" in history(engineer, rubric_id, since="2026-07-01")
    choose_zone(app, people, "Pacific/Honolulu")  # and 23:30 on 30 June in Honolulu
    assert "Code at Junior #1" not in history(engineer, rubric_id, since="2026-07-01")
