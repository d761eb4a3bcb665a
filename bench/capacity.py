"""Capacity: how many open rubrics, each polling every 2 s, one server holds while a person
rates with p99 <= 100 ms.

Steps up the number of open pages (asyncio, one process: a thread per page would cost the
machine more than the server does) and, at each step, rates 10 times a second for a few
seconds; the answer is the largest step whose rating p99 stayed within the budget and whose
pages kept their 2 s rhythm. The load generator runs on the same 2 cores as the server, so
the figure is a floor for a server that has the machine to itself.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from bench.harness import HOST, Browser
from bench.load import percentile

POLL_EVERY = 2.0
RATE_EVERY = 0.1  # a rating POST every 100 ms while a step lasts
STEP_SECONDS = 8.0
STEPS = (250, 500, 1_000, 2_000, 4_000)
P99_MS = 100.0


@dataclass
class Step:
    pages: int
    rating_p99_ms: float
    ratings: int
    rating_errors: int
    polls: int
    poll_errors: int
    seconds: float  # how long the pages polled
    expected: int  # the polls of pages that keep to every 2 s exactly

    @property
    def polls_per_second(self) -> float:
        return self.polls / self.seconds if self.seconds else 0.0

    @property
    def kept_rhythm(self) -> bool:
        """Tell whether the pages polled at least 90% as often as every 2 s."""
        return self.polls >= 0.9 * self.expected

    @property
    def held(self) -> bool:
        bad = self.rating_errors or self.poll_errors > 0.01 * max(1, self.polls)
        return self.rating_p99_ms <= P99_MS and self.kept_rhythm and not bad


@dataclass
class Capacity:
    steps: list[Step] = field(default_factory=list)

    @property
    def held(self) -> int:
        """The most open pages of a step that held (0: not even the first)."""
        return max((s.pages for s in self.steps if s.held), default=0)


@dataclass
class _Tab:
    cookies: dict[str, str]
    live: str


async def _send(port: int, method: str, path: str, headers: dict, body: bytes = b""):
    """One request on a fresh connection, as the harness sends: status and Set-Cookie."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    cookies = [h.split(":", 1)[1].strip() for h in head[1:] if h.lower().startswith("set-cookie:")]
    return status, cookies


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


async def _poll(port: int, tab: _Tab, offset: float, stop: float, counts: list[int]) -> None:
    await asyncio.sleep(offset)
    while time.monotonic() < stop:
        began = time.monotonic()
        headers = {"Cookie": _cookie_header(tab.cookies), "HX-Request": "true"}
        try:
            status, set_cookies = await _send(port, "GET", tab.live, headers)
            for value in set_cookies:
                for name, morsel in SimpleCookie(value).items():
                    tab.cookies[name] = morsel.value
        except OSError:
            status = 0
        counts[0] += 1
        counts[1] += status not in (200, 204)
        await asyncio.sleep(max(0.0, POLL_EVERY - (time.monotonic() - began)))


async def _rate(port: int, rater, stop: float, out: list[float], errors: list[int]) -> None:
    steps = itertools.cycle(("not-yet", "consistently", "sometimes"))
    comps = itertools.cycle(rater.competency_ids)
    while time.monotonic() < stop:
        began = time.monotonic()
        path = f"/rubrics/{rater.rubric_id}/ratings/{next(comps)}"
        headers = {
            "Cookie": rater.cookie,
            "X-CSRFToken": rater.csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            status, _ = await _send(port, "POST", path, headers, f"step={next(steps)}".encode())
        except OSError:
            status = 0
        out.append((time.monotonic() - began) * 1e3)
        errors[0] += status != 200
        await asyncio.sleep(max(0.0, RATE_EVERY - (time.monotonic() - began)))


async def _step(port: int, tabs: list[_Tab], pages: int, rater) -> Step:
    began = time.monotonic()
    stop = began + STEP_SECONDS + POLL_EVERY  # the first 2 s spread the pages' first polls
    counts, latencies, errors = [0, 0], [], [0]
    copies = [
        _Tab(dict(tabs[n % len(tabs)].cookies), tabs[n % len(tabs)].live) for n in range(pages)
    ]
    polls = [_poll(port, tab, POLL_EVERY * n / pages, stop, counts) for n, tab in enumerate(copies)]

    async def rate_after_spread():
        await asyncio.sleep(POLL_EVERY)
        await _rate(port, rater, stop, latencies, errors)

    await asyncio.gather(*polls, rate_after_spread())
    latencies.sort()
    window = stop - began
    expected = sum(
        math.floor((window - POLL_EVERY * n / pages) / POLL_EVERY) + 1 for n in range(pages)
    )
    return Step(
        pages,
        percentile(latencies, 99),
        len(latencies),
        errors[0],
        counts[0],
        counts[1],
        window,
        expected,
    )


def measure(port: int, tabs: list[Browser], rater, steps=STEPS) -> Capacity:
    """Step up the open pages until a step no longer holds; ``tabs`` are opened rubrics."""
    found = Capacity()
    open_tabs = [_Tab(dict(b.cookies), b.live) for b in tabs if b.live]
    for pages in steps:
        step = asyncio.run(_step(port, open_tabs, pages, rater))
        found.steps.append(step)
        if not step.held:
            break
    return found
