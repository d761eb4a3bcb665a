"""Serve the app with gunicorn as in production, and sign people in over real HTTP."""

from __future__ import annotations

import html as htmllib
import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.dataset import BIN, PASSWORD, ROOT, BenchError, Person

HOST = "127.0.0.1"
WORKERS = 2


def free_port() -> int:
    """Ask the kernel for a port nobody listens on."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[int]:
    """Run gunicorn with 2 workers on a free local port; always stop its process group."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"{HOST}:{port}"]
    # gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl): leave it
    # to a server that may be running already. It is an admin channel, not on the request path.
    command.append("--no-control-socket")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*command, "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the workers go with it
        )
        try:
            _wait_ready(port, proc, log)
            yield port
        finally:
            _stop(proc)


def _wait_ready(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if request(port, "GET", "/me").status in (200, 302):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within {timeout:g} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(port: int, method: str, path: str, headers=None, body: bytes | None = None) -> Reply:
    """Send one request to the local server and read the whole answer."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


@dataclass
class Browser:
    """Just enough of a browser: a cookie jar and redirects."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, path: str, headers=None, form: dict | None = None) -> Reply:
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        reply = request(self.port, method, path, headers, body)
        for value in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return reply

    def follow(self, path: str) -> tuple[str, Reply]:
        """GET a page following redirects; return the final path and answer."""
        for _ in range(5):
            reply = self.send("GET", path)
            if reply.status not in (301, 302, 303, 307):
                return path, reply
            path = urlsplit(reply.headers["Location"])._replace(scheme="", netloc="").geturl()
        raise BenchError(f"too many redirects from {path}")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


@dataclass
class SignedIn:
    """One signed-in person as the load generator replays them."""

    email: str
    cookie: str  # the session right after opening the rubric, as the page requests send it
    csrf: str
    rubric_id: int
    live: str | None  # the poll URL of #live (hx-get); None while the page has none
    competency_ids: list[int]
    page_bytes: int
    browser: Browser = field(repr=False)
    live_cookie: str = ""  # the session after a real poll: its presence heartbeat is fresh

    def poll_once(self) -> int:
        """Poll like the browser does and keep the session it answers with."""
        reply = self.browser.send("GET", self.live, {"HX-Request": "true"})
        self.live_cookie = self.browser.cookie_header()
        return reply.status


def sign_in(port: int, person: Person, path: str = "/") -> SignedIn:
    """Sign in through the real form, open the rubric and collect what requests need."""
    browser = Browser(port)
    form = browser.send("GET", "/login")
    token = form_token(form.body.decode())
    answer = browser.send(
        "POST", "/login", form={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    if answer.status != 303:
        raise BenchError(f"sign-in of {person.email} answered {answer.status}")
    final, page = browser.follow(path)
    match = re.fullmatch(r"/rubrics/(\d+)", urlsplit(final).path)
    if page.status != 200 or not match:
        raise BenchError(f"{person.email} landed on {final} ({page.status}), not on a rubric")
    html = page.body.decode()
    return SignedIn(
        person.email,
        browser.cookie_header(),
        meta_token(html),
        int(match.group(1)),
        live_url(html),
        [int(n) for n in re.findall(r'<article id="c-(\d+)"', html)],
        len(page.body),
        browser,
        browser.cookie_header(),
    )


def form_token(html: str) -> str:
    """The hidden csrf_token field of a form."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    value = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    if not value:
        raise BenchError("no csrf_token field on the sign-in form")
    return value.group(1)


def meta_token(html: str) -> str:
    """The page's <meta name="csrf-token">, which htmx sends as X-CSRFToken."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    if not match:
        raise BenchError('no <meta name="csrf-token"> on the rubric page')
    return match.group(1)


def live_url(html: str) -> str | None:
    """The URL the page polls: hx-get of the element with id="live" (since=, seen=)."""
    tag = re.search(r'<[^>]*\bid="live"[^>]*>', html)
    found = re.search(r'hx-get="([^"]+)"', tag.group(0)) if tag else None
    if not found or "since=" not in found.group(1):
        return None
    return htmllib.unescape(found.group(1))
