"""Two app servers, one database: what one server writes, the other server's clients see live."""

from __future__ import annotations

import html
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from helpers import HX, PASSWORD, small_ladder

from app.extensions import db
from app.ladders import store

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def launch(database_url: str, log: Path) -> subprocess.Popen:
    """Start gunicorn on a free port in its own process group, as production runs the app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNGS_", "GUNICORN_"))}
    env |= {
        "RUNGS_DATABASE_URL": database_url,
        "RUNGS_SECRET_KEY": "shared by both servers",  # a session from one is valid on the other
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"{HOST}:0"]
    with log.open("w") as out:
        return subprocess.Popen(
            [*command, "--no-control-socket", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def port_of(proc: subprocess.Popen, log: Path, timeout: float = 15) -> int:
    """Wait until the server answers and return the port the kernel gave it."""
    deadline = time.monotonic() + timeout
    port = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        found = re.search(rf"Listening at: http://{HOST}:(\d+)", log.read_text())
        port = port or (int(found[1]) if found else None)
        if port:
            try:
                if Browser(port).send("GET", "/login")[0] == 200:
                    return port
            except OSError:
                pass
        time.sleep(0.05)
    pytest.fail(f"the server did not answer within {timeout} s:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


class Browser:
    """A cookie jar that talks HTTP to one server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def send(self, method: str, path: str, form=None, headers=None) -> tuple[int, str, str]:
        """Return status, Location and body of one request."""
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.csrf and method == "POST":
            headers["X-CSRFToken"] = self.csrf  # as htmx sends it, from <meta name="csrf-token">
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def open(self, path: str) -> tuple[str, str]:
        """GET a page following redirects; keep its CSRF token; return final path and page."""
        for _ in range(5):
            status, location, text = self.send("GET", path)
            if status not in (302, 303):
                assert status == 200, text
                self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', text)[1]
                return path, text
            path = urlsplit(location).path
        pytest.fail(f"too many redirects from {path}")

    def sign_in(self, email: str) -> None:
        """Sign in through the real form, with its real CSRF token."""
        _, page = self.open("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        form = {"email": email, "password": PASSWORD, "csrf_token": token}
        assert self.send("POST", "/login", form)[0] == 303


def poller(page: str) -> str:
    """The URL the page's poller asks next."""
    return html.unescape(re.search(r'id="live"[^>]*hx-get="([^"]+)"', page)[1])


@pytest.fixture
def ladder(app) -> dict[str, int]:
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        return dict(store.stored(store.by_key("small")).competency_ids)


@pytest.fixture
def two_servers(migrated, people, ladder, tmp_path):
    """Servers A and B: separate processes on separate ports, one database.

    Requested after ``people``, so both are stopped before the test's rows are deleted.
    """
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = []
    try:
        procs = [launch(migrated, log) for log in logs]
        yield [port_of(proc, log) for proc, log in zip(procs, logs, strict=True)]
    finally:
        for proc in procs:
            stop(proc)


def test_a_change_through_one_server_reaches_a_poller_on_the_other(two_servers, people, ladder):
    port_a, port_b = two_servers
    assert port_a != port_b
    engineer, manager = Browser(port_b), Browser(port_a)
    engineer.sign_in(people.engineer.email)
    path, page = engineer.open("/")
    rubric_id = int(re.fullmatch(r"/rubrics/(\d+)", path)[1])
    manager.sign_in(people.manager.email)
    _, manager_page = manager.open(f"/rubrics/{rubric_id}")
    assert engineer.send("GET", poller(page), headers=HX)[0] == 204  # quiet before the change

    cid = ladder["code-junior-1"]
    rated = manager.send(
        "POST", f"/rubrics/{rubric_id}/ratings/{cid}", {"step": "consistently"}, HX
    )
    assert rated[0] == 200, rated[2]

    status, _, changed = engineer.send("GET", poller(page), headers=HX)
    assert status == 200
    # The competency's head, swapped in out of band and marked as changed by someone else.
    head = re.search(rf'<div id="h-{cid}" class="head changed"[^>]*>', changed)
    assert head and 'hx-swap-oob="true"' in head[0]
    assert "Manager (Maya Manager): <strong>Consistently</strong>" in changed
    assert engineer.send("GET", poller(changed), headers=HX)[0] == 204  # and quiet again

    # The other way round: the engineer's own rating through B shows up on the manager's A.
    other = ladder["team-mid-2"]
    assert (
        engineer.send("POST", f"/rubrics/{rubric_id}/ratings/{other}", {"step": "sometimes"}, HX)[0]
        == 200
    )
    status, _, seen = manager.send("GET", poller(manager_page), headers=HX)
    assert status == 200 and f'id="h-{other}"' in seen
    assert "Eli Engineer: <strong>Sometimes</strong>" in seen
