"""Long and odd Unicode names are kept exactly, refused when too long, shown intact."""

from __future__ import annotations

import pytest
from helpers import small_ladder
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.ladders import store
from app.rubric.models import Rubric

# --- Long and odd Unicode names --------------------------------------------------------

NAMES_TO_KEEP = [
    "مريم الحسيني",  # right-to-left
    "\u202egnp.exe\u202c Override",  # a right-to-left override that tries to flip the row
    "Zoë 🧗‍♀️ Climber 👩🏽‍💻",  # emoji with ZWJ sequences and skin tones
    "A\u0301\u0302\u0303 Stacked Marks",  # combining marks
    "名前が長い" * 24,  # exactly 120 characters
]


@pytest.fixture
def odd_people(app, people):
    """Give everyone a name that is hard to show; the engineer's rubric shows the first."""
    with app.app_context():
        store.save(small_ladder())
        ladder = store.by_key("small")
        everyone = (people.engineer, people.other_engineer, people.other_manager)
        everyone += (people.manager, people.admin)
        for user, name in zip(everyone, NAMES_TO_KEEP, strict=True):
            db.session.get(User, user.id).name = name
        rubric = Rubric(user_id=people.engineer.id, ladder_id=ladder.id, track_key="ic")
        db.session.add(rubric)
        db.session.commit()
        return rubric.id


@pytest.mark.parametrize("name", NAMES_TO_KEEP)
def test_an_odd_name_typed_into_the_invite_form_is_kept_exactly(app, client, as_role, name):
    as_role("admin")
    data = {"email": "odd@example.com", "name": name, "role": "engineer", "manager": ""}
    assert client.post("/admin/users", data=data).status_code == 303
    with app.app_context():
        assert User.by_email("odd@example.com").name == name
    assert f'<th scope="row">{name}</th>' in client.get("/admin/users").get_data(as_text=True)


def test_names_of_121_characters_are_refused_not_cut(app, client, as_role):
    as_role("admin")
    data = {"email": "long@example.com", "name": "x" * 121, "role": "engineer", "manager": ""}
    response = client.post("/admin/users", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert User.by_email("long@example.com") is None


def test_odd_names_are_shown_intact_on_people_team_and_rubric_pages(
    app, client, as_role, odd_people
):
    as_role("admin")
    people_page = client.get("/admin/users").get_data(as_text=True)
    team_page = client.get("/team").get_data(as_text=True)
    for name in NAMES_TO_KEEP:
        assert f'<th scope="row">{name}</th>' in people_page
        assert f">{name}</a></th>" in team_page
    with app.app_context():
        stored = sorted(db.session.scalars(select(User.name)))
    assert stored == sorted(NAMES_TO_KEEP)
    rubric_page = client.get(f"/rubrics/{odd_people}").get_data(as_text=True)
    assert f"<h1>{NAMES_TO_KEEP[0]}&#39;s rubric</h1>" in rubric_page
