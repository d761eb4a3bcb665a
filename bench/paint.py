"""Click to painted update in Chromium, while other open rubrics poll the same server.

A real browser (Playwright, the system Chromium) opens an engineer's rubric on the Monzo
backend ladder from ../shared/ladders and rates competencies one after another; the page
itself measures, from the click to the frame after htmx swapped the new badge in. Meanwhile
other signed-in sessions poll their own rubrics every 2 s as open pages do.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.extensions import db
from app.ladders import importer
from bench.dataset import PASSWORD, BenchError, Person
from bench.harness import HOST, Browser
from bench.load import percentile

LADDER = Path(__file__).resolve().parent.parent.parent / "shared" / "ladders" / "monzo-backend.md"
CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
CLICKS = 40
POLL_EVERY = 2.0

# Runs in the page: click a radio, wait until #badge is swapped, then for the next frame.
MEASURE = """(selector) => new Promise((resolve) => {
  const badge = document.getElementById("badge");
  const start = performance.now();
  const seen = new MutationObserver(() => {
    seen.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - start));
  });
  seen.observe(badge, {childList: true, subtree: true, characterData: true});
  document.querySelector(selector).click();
})"""


@dataclass(frozen=True)
class Paint:
    times_ms: list[float]  # sorted
    pollers: int
    polls: int
    poll_errors: int
    poll_statuses: dict[int, int]

    @property
    def p50(self) -> float:
        return percentile(self.times_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)


def load_ladder(app) -> str:
    """Import the Monzo backend ladder into the bench database; return its key."""
    if not LADDER.exists():
        raise BenchError(f"the Monzo ladder is missing: {LADDER}")
    with app.app_context():
        found = importer.plan(LADDER.read_bytes(), filename=LADDER.name)
        importer.apply(found)
        db.session.commit()
        return found.spec.key


class Pollers:
    """Signed-in sessions that each poll their open rubric every 2 s, on threads."""

    def __init__(self, port: int, people: list[Person], count: int, ladder_keys: list[str]):
        # Signing in again would end a person's earlier session: each signs in once, and
        # opens their rubric on each ladder in a tab of its own (a copy of the cookies).
        signed: dict[int, Browser] = {}
        self.browsers = []
        for n in range(count):
            person = people[n % len(people)]
            if person.id not in signed:
                signed[person.id] = Browser(port)
                signed[person.id].sign_in(person.email, PASSWORD)
            browser = Browser(port, cookies=dict(signed[person.id].cookies))
            key = ladder_keys[(n // len(people)) % len(ladder_keys)]
            browser.open(f"/people/{person.id}/rubric?ladder={key}")
            self.browsers.append(browser)
        self.stop = threading.Event()
        self.polls = self.errors = 0
        self.statuses: dict[int, int] = {}  # 0: no answer
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._poll, args=(b, n), daemon=True)
            for n, b in enumerate(self.browsers)
        ]

    def __enter__(self) -> Pollers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _poll(self, browser: Browser, n: int) -> None:
        # Spread the first polls over the interval, as pages opened at different times do.
        if self.stop.wait(POLL_EVERY * n / len(self.browsers)):
            return
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                status = browser.send("GET", browser.live, htmx=True).status
            except OSError:
                status = 0
            with self.lock:
                self.polls += 1
                self.errors += status not in (200, 204)
                self.statuses[status] = self.statuses.get(status, 0) + 1
            self.stop.wait(max(0.0, POLL_EVERY - (time.monotonic() - began)))


def measure(
    port: int, rater: Person, ladder_keys: list[str], others: list[Person], pollers: int
) -> Paint | None:
    """Rate CLICKS times in Chromium while ``pollers`` pages poll; None without Chromium.

    The rater uses the first ladder (Monzo's); the pollers open rubrics on all of them.
    """
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        return None
    browser = Browser(port)
    browser.sign_in(rater.email, PASSWORD)
    start = f"/people/{rater.id}/rubric?ladder={ladder_keys[0]}"
    with Pollers(port, others, pollers, ladder_keys) as polling, sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = chromium.new_context()
            context.add_cookies(
                [
                    {"name": name, "value": value, "domain": HOST, "path": "/"}
                    for name, value in browser.cookies.items()
                ]
            )
            page = context.new_page()
            page.goto(f"http://{HOST}:{port}{start}")
            closed = page.locator("details.category:not([open]) > summary")
            if closed.count():  # a big ladder: open one category as a person would
                closed.first.click()
                page.wait_for_selector("article.competency")
            ids = page.eval_on_selector_all("article.competency", "(all) => all.map((a) => a.id)")
            if not ids:
                raise BenchError(f"{page.url} shows no competency to rate in Chromium")
            times = []
            for n in range(CLICKS + 3):  # the first three warm the page and the server up
                article = ids[n % len(ids)]
                selector = f"#{article} input[type=radio]:not(:checked)"
                spent = page.evaluate(MEASURE, selector)
                if n >= 3:
                    times.append(spent)
                page.wait_for_timeout(100)  # a person does not click 10 times a second
        finally:
            chromium.close()
    return Paint(sorted(times), pollers, polling.polls, polling.errors, polling.statuses)
