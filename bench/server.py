"""The benchmark's server and its signed-in people, on the shared harness (bench.harness)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.dataset import PASSWORD, BenchError, Person
from bench.harness import HOST, Browser, Server, live_url, meta_token, request

__all__ = ["HOST", "WORKERS", "SignedIn", "gunicorn", "request", "sign_in"]

WORKERS = 2


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[int]:
    """Run gunicorn with the bench's workers on a free local port; always stop it."""
    with Server(env, WORKERS, log) as server:
        yield server.port


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
        reply = self.browser.send("GET", self.live, htmx=True)
        self.live_cookie = self.browser.cookie_header()
        return reply.status


def sign_in(port: int, person: Person, path: str = "/") -> SignedIn:
    """Sign in through the real form, open the rubric and collect what requests need."""
    browser = Browser(port)
    browser.sign_in(person.email, PASSWORD)
    final, page = browser.follow(path)
    match = re.fullmatch(r"/rubrics/(\d+)", urlsplit(final).path)
    if page.status != 200 or not match:
        raise BenchError(f"{person.email} landed on {final} ({page.status}), not on a rubric")
    html = page.body.decode()
    ids = [int(n) for n in re.findall(r'<article id="c-(\d+)"', html)]
    # A big page shows its categories closed: open them as a person would, one by one.
    for category in re.findall(r'hx-get="(/rubrics/\d+/levels/[^"]+/categories/[^"]+)"', html):
        fragment = browser.send("GET", category, htmx=True).body.decode()
        ids += [int(n) for n in re.findall(r'<article id="c-(\d+)"', fragment)]
    return SignedIn(
        person.email,
        browser.cookie_header(),
        meta_token(html),
        int(match.group(1)),
        live_url(html),
        ids,
        len(page.body),
        browser,
        browser.cookie_header(),
    )
