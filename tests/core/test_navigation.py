"""Navigation says where one is; skip links; a favicon where browsers look for one."""

from __future__ import annotations

import re

import pytest
from helpers import open_rubric


def current_links(html: str) -> list[str]:
    """The labels of the main navigation's links marked as the current page."""
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav, "no main navigation"
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', nav.group(1))


@pytest.mark.parametrize(
    ("role", "address", "current"),
    [
        ("manager", "/team", ["Team"]),
        ("manager", "/team/overview", ["Team"]),
        ("engineer", "/ladders/", ["Ladders"]),
        ("admin", "/admin/users", ["People"]),
        ("admin", "/admin/audit", ["Audit log"]),
        ("engineer", "/account", []),
    ],
)
def test_the_navigation_marks_the_page_shown(client, as_role, runner, role, address, current):
    runner.invoke(args=["ladder", "load-default"])
    as_role(role)
    response = client.get(address, follow_redirects=True)
    assert response.status_code == 200, address
    assert current_links(response.get_data(as_text=True)) == current


def test_my_rubric_is_current_on_ones_own_rubric_only(client, as_role, people, runner):
    runner.invoke(args=["ladder", "load-default"])
    as_role("manager")
    own = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert current_links(own) == ["My rubric"]
    theirs = client.get(f"/people/{people.engineer.id}/rubric", follow_redirects=True)
    assert current_links(theirs.get_data(as_text=True)) == []


def test_the_rubric_has_a_skip_link_to_its_competencies(client, as_role, runner):
    runner.invoke(args=["ladder", "load-default"])
    as_role("engineer")
    _, html = open_rubric(client)
    assert '<a class="skip" href="#main">Skip to content</a>' in html
    assert '<a class="skip" href="#levels">Skip to the competencies</a>' in html
    assert '<div id="levels" tabindex="-1">' in html


def test_favicon_is_linked_and_found_where_browsers_guess(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    guessed = client.get("/favicon.ico")
    assert guessed.status_code == 301 and guessed.headers["Location"] == "/static/favicon.svg"
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")
