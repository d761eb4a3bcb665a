"""Serve the app with gunicorn as production does, and talk to it over HTTP as a browser would.

The one harness of the benchmark (``bench.run``), the data-safety run (``bench.safety``) and
the suite's two-server test: a :class:`Server` in its own process group that can be
stopped, killed with -9 and started again on the same port, and a :class:`Browser` with a
cookie jar that signs in through the real form and sends what htmx sends.
"""

from __future__ import annotations

import contextlib
import html as htmllib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import scratch

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # the only address the harness ever talks to


class HarnessError(scratch.ScratchError):
    """The server could not be started, or did not answer as a browser expects."""


def free_port() -> int:
    """Ask the kernel for a port nobody listens on."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with sync workers in its own process group, on one local port.

    The port is chosen once, so a server killed and started again answers where its
    clients already send.
    """

    def __init__(self, env: dict[str, str], workers: int, log: Path):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self, timeout: float = 30) -> float:
        """Start gunicorn and wait until it answers; return how long that took."""
        began = time.monotonic()
        offset = self.log.stat().st_size if self.log.exists() else 0
        command = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            # gunicorn 27's control socket is one path per user: several servers on one
            # machine must not share it. It is an admin channel, not on the request path.
            "--no-control-socket",
            "wsgi:app",
        ]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # master and workers share a process group we can kill
            )
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                raise HarnessError(
                    f"gunicorn exited with {self.proc.returncode}:\n{self.log.read_text()}"
                )
            try:
                # Every worker booted, so that concurrent clients meet them all.
                booted = self.log.read_text()[offset:].count("Booting worker")
                answered = request(self.port, "GET", "/login", timeout=2).status == 200
                if answered and booted >= self.workers:
                    return time.monotonic() - began
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise HarnessError(f"gunicorn did not answer within {timeout:g} s:\n{self.log.read_text()}")

    def crash(self) -> None:
        """kill -9 the master and every worker at once, as a power cut of the process would."""
        self._signal_group(signal.SIGKILL)
        self._wait_group_gone()

    def stop(self) -> None:
        """Stop gracefully, or kill when that takes too long; safe to call twice."""
        if self.proc is None or self.proc.poll() is not None:
            self._signal_group(signal.SIGKILL)  # stray workers of a dead master
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
        self._wait_group_gone()

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def _wait_group_gone(self, timeout: float = 10) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise HarnessError("gunicorn's master survived SIGKILL") from None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and group_alive(self.proc.pid):
            time.sleep(0.05)


def group_alive(pgid: int) -> bool:
    """Tell whether a live (not zombie) process of the group is left."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def location(self) -> str:
        """Where a redirect points, as a path on this server."""
        found = self.headers.get("Location", "")
        return urlsplit(found)._replace(scheme="", netloc="").geturl()


def request(
    port: int, method: str, path: str, headers=None, body: bytes | None = None, timeout=30
) -> Reply:
    """Send one request to the local server on a fresh connection and read the answer."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


@dataclass
class Browser:
    """Just enough of a browser: a cookie jar, the page's CSRF token and its poll URL."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""  # the page's <meta name="csrf-token">, which htmx sends as X-CSRFToken
    live: str = ""  # the URL the page's poller asks next

    def send(
        self, method: str, path: str, form: dict | None = None, headers=None, htmx=False
    ) -> Reply:
        """Send one request with the cookies, as htmx does when ``htmx`` is set."""
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
            if method == "POST":
                headers["X-CSRFToken"] = self.csrf
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
            path = reply.location
        raise HarnessError(f"too many redirects from {path}")

    def open(self, path: str) -> tuple[str, str]:
        """Open a page as a person would; keep its CSRF token and poll URL."""
        final, reply = self.follow(path)
        if reply.status != 200:
            raise HarnessError(f"{path} answered {reply.status}")
        html = reply.text
        self.csrf = meta_token(html)
        self.follow_live(html)
        return final, html

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the real form, with its real CSRF token."""
        form = self.send("GET", "/login")
        answer = self.send(
            "POST",
            "/login",
            {"email": email, "password": password, "csrf_token": form_token(form.text)},
        )
        if answer.status != 303:
            raise HarnessError(f"sign-in of {email} answered {answer.status}")

    def follow_live(self, html: str) -> None:
        """Keep the URL the page's poller asks next (it moves on with every change)."""
        found = live_url(html)
        if found:
            self.live = found

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def form_token(html: str) -> str:
    """The hidden csrf_token field of a form."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    value = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    if not value:
        raise HarnessError("no csrf_token field on the form")
    return value.group(1)


def meta_token(html: str) -> str:
    """The page's <meta name="csrf-token">, which htmx sends as X-CSRFToken."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    if not match:
        raise HarnessError('no <meta name="csrf-token"> on the page')
    return match.group(1)


def live_url(html: str) -> str | None:
    """The URL the page polls: hx-get of the element with id="live" (since=, seen=)."""
    tag = re.search(r'<[^>]*\bid="live"[^>]*>', html)
    found = re.search(r'hx-get="([^"]+)"', tag.group(0)) if tag else None
    if not found or "since=" not in found.group(1):
        return None
    return htmllib.unescape(found.group(1))
