"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)
from bench import harness

PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}


class QueryCounter:
    """Count the SQL statements an app sends, leaving transaction control aside."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        word = statement.lstrip().split(None, 1)[0].upper()
        if word not in {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE"}:
            self.statements.append(statement)


@contextmanager
def counting_sql(app) -> Iterator[QueryCounter]:
    """Count the statements an app sends inside the block."""
    from sqlalchemy import event

    from app.extensions import db

    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


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


# Real servers: the shared harness (bench/harness.py) ------------------------------


@contextmanager
def gunicorn(database_url: str, log: Path, workers: int = 1) -> Iterator[int]:
    """Run the app under gunicorn, as production does, on a free port; yield the port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNGS_", "GUNICORN_"))}
    env |= {"RUNGS_DATABASE_URL": database_url, "RUNGS_SECRET_KEY": "shared by the servers"}
    with harness.Server(env, workers, log) as server:
        yield server.port


def http_request(
    port: int, method: str, path: str, form=None, cookie: str = ""
) -> tuple[int, dict[str, str], str]:
    """Send one request to a local server; return status, headers and body."""
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    reply = harness.request(port, method, path, headers, body)
    return reply.status, dict(reply.headers.items()), reply.text


def login_form(port: int) -> tuple[str, str]:
    """Open /login on a server; return its session cookie and the form's CSRF token."""
    browser = harness.Browser(port)
    page = browser.send("GET", "/login")
    return browser.cookie_header(), csrf_from(page.text)
