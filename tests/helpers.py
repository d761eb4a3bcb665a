"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


# Real servers ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
LOCALHOST = "127.0.0.1"


@contextmanager
def gunicorn(database_url: str, log: Path, workers: int = 1) -> Iterator[int]:
    """Run the app under gunicorn, as production does, on a free port; yield the port.

    The server has its own process group, so stopping it stops every worker.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNGS_", "GUNICORN_"))}
    env |= {"RUNGS_DATABASE_URL": database_url, "RUNGS_SECRET_KEY": "shared by the servers"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"{LOCALHOST}:0", "--no-control-socket", "wsgi:app"]
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield _port_of(proc, log, workers)
    finally:
        _stop(proc)


def _port_of(proc: subprocess.Popen, log: Path, workers: int, timeout: float = 20) -> int:
    """Wait until every worker has booted and the server answers; return its port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        text = log.read_text()
        found = re.search(rf"Listening at: http://{LOCALHOST}:(\d+)", text)
        if found and text.count("Booting worker") >= workers:
            try:
                status, _, _ = http_request(int(found[1]), "GET", "/login")
                if status == 200:
                    return int(found[1])
            except OSError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def http_request(
    port: int, method: str, path: str, form=None, cookie: str = ""
) -> tuple[int, dict[str, str], str]:
    """Send one request to a local server; return status, headers and body."""
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
    finally:
        conn.close()
    return response.status, dict(response.headers.items()), text


def login_form(port: int) -> tuple[str, str]:
    """Open /login on a server; return its session cookie and the form's CSRF token."""
    _, headers, page = http_request(port, "GET", "/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    return cookie, csrf_from(page)
