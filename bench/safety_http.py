"""gunicorn that can be killed -9 and started again, and signed-in clients that talk to it."""

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
from urllib.parse import urlencode

from bench import scratch

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # the only address this script ever talks to


class SafetyError(scratch.ScratchError):
    """The safety run could not be carried out (as opposed to finding lost data)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with sync workers in its own process group, on one fixed local port."""

    def __init__(self, env: dict[str, str], workers: int, log: Path):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> float:
        """Start gunicorn and wait until it answers; return how long that took."""
        began = time.monotonic()
        command = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--no-control-socket",  # several gunicorns on one machine must not share one
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
                raise SafetyError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                if request(self.port, "GET", "/login", timeout=2).status == 200:
                    return time.monotonic() - began
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise SafetyError(f"gunicorn did not answer within {timeout:g} s; see {self.log}")

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
            raise SafetyError("gunicorn's master survived SIGKILL") from None
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
    body: str


def request(
    port: int, method: str, path: str, headers=None, body: bytes | None = None, timeout=30
) -> Reply:
    """Send one request to the local server on a fresh connection and read the answer."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read().decode())
    finally:
        conn.close()


@dataclass
class Client:
    """One browser: a cookie jar, the page's CSRF token and its live-poll URL."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    live: str = ""

    def send(self, method: str, path: str, form: dict | None = None, htmx=False) -> Reply:
        headers = {}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
            if method == "POST":
                headers["X-CSRFToken"] = self.csrf  # as htmx sends it, from <meta>
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = request(self.port, method, path, headers, body)
        for value in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return reply

    def sign_in(self, email: str, password: str, rubric_id: int) -> None:
        """Sign in through the real form and open a rubric, as a person would."""
        form = self.send("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.body)
        if form.status != 200 or not token:
            raise SafetyError(f"no sign-in form ({form.status})")
        answer = self.send(
            "POST", "/login", {"email": email, "password": password, "csrf_token": token[1]}
        )
        if answer.status != 303:
            raise SafetyError(f"sign-in of {email} answered {answer.status}")
        page = self.send("GET", f"/rubrics/{rubric_id}")
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.body)
        if page.status != 200 or not meta:
            raise SafetyError(f"{email} could not open rubric {rubric_id} ({page.status})")
        self.csrf = meta[1]
        self.follow_live(page.body)

    def follow_live(self, html: str) -> None:
        """Keep the URL the page's poller asks next (it moves on with every change)."""
        found = re.search(r'id="live"[^>]*hx-get="([^"]+)"', html)
        if found:
            self.live = htmllib.unescape(found[1])
