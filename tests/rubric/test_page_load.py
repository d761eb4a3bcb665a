"""What the rubric page reads with the rubric itself: who else is here, the viewer's filter."""

from __future__ import annotations

import re

from helpers import HX, sign_in


def look_in(client, rubric_id: int) -> None:
    """Open the rubric and poll once, as a browser tab does: its viewer is then here."""
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    url = re.search(r'id="live"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    client.get(url, headers=HX)


def test_the_page_names_everyone_here_by_name_even_people_it_does_not_know(app, pair, people):
    engineer, manager, rubric_id, _ = pair
    admin = app.test_client()
    sign_in(admin, people.admin)  # neither the owner nor their manager: named by a query
    for client in (engineer, manager, admin):
        look_in(client, rubric_id)
    html = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Ada Admin and Maya Manager are here" in html
    # The manager sees the others, never themselves.
    html = manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "Ada Admin and Eli Engineer are here" in html


def test_the_page_opens_with_the_filter_its_viewer_left_and_only_theirs(pair):
    engineer, manager, rubric_id, _ = pair
    engineer.post(f"/rubrics/{rubric_id}/filter", data={"q": "deploy", "show": "unrated"})
    html = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert 'value="deploy"' in html
    assert 'value="deploy"' not in manager.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
