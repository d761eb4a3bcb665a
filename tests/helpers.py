"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)

PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}


def sign_in(client, user, remember: bool = False):
    """Sign in through the real form and return the response."""
    return client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y" if remember else ""},
    )


def csrf_from(html: str) -> str:
    """Pull the CSRF token out of a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def small_ladder() -> LadderSpec:
    """Two levels, two categories, two competencies per cell; everything must be shown."""
    levels = (LevelSpec("junior", "Junior"), LevelSpec("mid", "Mid-level"))
    cats = (CategorySpec("code", "Code"), CategorySpec("team", "Teamwork"))
    comps = tuple(
        CompetencySpec(
            f"{c.key}-{lv.key}-{n}",
            f"{c.name} at {lv.name} #{n}",
            lv.key,
            c.key,
            description=f"Why {c.name} #{n} matters.",
            examples=("An example.",),
        )
        for lv in levels
        for c in cats
        for n in (1, 2)
    )
    return LadderSpec(
        "small",
        "Small ladder",
        (TrackSpec("ic", "IC", ("junior", "mid")),),
        levels,
        cats,
        comps,
        rule=LevelRule(type="all", approaching=0.5),
    )


def open_rubric(client) -> tuple[int, str]:
    """Follow / to the signed-in person's rubric; return its id and the page."""
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    rubric_id = int(re.search(r"/rubrics/(\d+)", response.request.path).group(1))
    return rubric_id, response.get_data(as_text=True)


def rate(client, rubric_id, competency_id, step, htmx=True):
    """Post one rating, as htmx does or as a plain form."""
    return client.post(
        f"/rubrics/{rubric_id}/ratings/{competency_id}",
        data={"step": step},
        headers=HX if htmx else {},
    )


def selected_options(html: str, select_id: str) -> list[str]:
    """The values of the selected options of one <select>, whatever the attribute order."""

    class Finder(HTMLParser):
        inside, found = False, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "select":
                self.inside = attrs.get("id") == select_id
            elif tag == "option" and self.inside and "selected" in attrs:
                self.found.append(attrs.get("value"))

        def handle_endtag(self, tag):
            if tag == "select":
                self.inside = False

    finder = Finder()
    finder.found = []
    finder.feed(html)
    return finder.found
