"""Track and target: the target list follows the track; a target off the track is refused."""

from __future__ import annotations

import pytest
from helpers import HX, open_rubric, selected_options
from sqlalchemy import select

from app.extensions import db
from app.rubric.models import Rubric


@pytest.fixture
def rubric_id(client, as_role, runner):
    """The engineer's rubric on the default ladder, aiming at Senior Engineer (both tracks)."""
    assert runner.invoke(args=["ladder", "load-default"]).exit_code == 0
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    saved = client.post(
        f"/rubrics/{rubric_id}/settings",
        data={"track": "ic", "target": "staff"},
        follow_redirects=True,
    )
    assert "Track and target saved" in saved.get_data(as_text=True)
    return rubric_id


def stored(app, rubric_id) -> tuple[str, str | None]:
    with app.app_context():
        rubric = db.session.scalar(select(Rubric).where(Rubric.id == rubric_id))
        return rubric.track_key, rubric.target_key


def test_a_target_not_on_the_new_track_is_refused_with_a_reason(app, client, rubric_id):
    response = client.post(
        f"/rubrics/{rubric_id}/settings", data={"track": "manager", "target": "staff"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Staff Engineer is not a level of the Engineering manager track" in html
    assert "Track and target saved" not in html
    # The choice of track is kept and the list now offers that track's levels.
    assert selected_options(html, "track") == ["manager"]
    assert ">Engineering Manager</option>" in html and ">Staff Engineer</option>" not in html
    assert stored(app, rubric_id) == ("ic", "staff")  # nothing lost, nothing half-saved


def test_choosing_a_track_fetches_its_target_levels(client, rubric_id):
    response = client.get(f"/rubrics/{rubric_id}/settings?track=manager&target=staff", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="settings"')
    assert selected_options(html, "track") == ["manager"]
    assert ">Engineering Manager</option>" in html and ">Staff Engineer</option>" not in html
    assert "Staff Engineer is not a level of the Engineering manager track" in html


def test_a_shared_level_stays_the_target_when_the_track_changes(app, client, rubric_id):
    client.post(f"/rubrics/{rubric_id}/settings", data={"track": "ic", "target": "senior"})
    html = client.get(f"/rubrics/{rubric_id}/settings?track=manager", headers=HX).get_data(
        as_text=True
    )
    assert selected_options(html, "target") == ["senior"]
    saved = client.post(
        f"/rubrics/{rubric_id}/settings", data={"track": "manager", "target": "senior"}
    )
    assert saved.status_code == 303
    assert stored(app, rubric_id) == ("manager", "senior")
