"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import re

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


# Route walks ------------------------------------------------------------------------

# Values for the route parameters that are not ids; the small ladder has them.
ROUTE_WORDS = {
    "key": "small",
    "level_key": "junior",
    "track_key": "ic",
    "category_key": "code",
    "fmt": "csv",
    "token": "not-a-real-token-but-long-enough-to-look-like-one",
    "filename": "css/rungs.css",
}
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def routes(app, method: str | None = None) -> list:
    """Every route of the app, optionally only those that accept a method, in a stable order."""
    found = [r for r in app.url_map.iter_rules() if method is None or method in r.methods]
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def id_parameters(rule) -> list[str]:
    """The parameters of a rule read by the ``int`` converter: the ids in its path."""
    return [name for kind, name in _PARAMETER.findall(rule.rule) if kind == "int"]


def fill(rule, values: dict[str, object]) -> str:
    """The path of a rule with each parameter written as given, unconverted (any text)."""

    def value(match: re.Match) -> str:
        name = match.group(2)
        if name in values:
            return str(values[name])
        if name in ROUTE_WORDS:
            return ROUTE_WORDS[name]
        raise AssertionError(f"{rule.endpoint}: give the parameter {name!r} a value")

    return _PARAMETER.sub(value, rule.rule)
