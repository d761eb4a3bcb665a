"""A live Rungs server in a thread and the system Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing(what: str):
    """Skip when a browser tool is missing, but fail where CI requires it."""
    if os.environ.get("RUNGS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} is required (RUNGS_REQUIRE_BROWSER=1) but missing")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        missing("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port of 127.0.0.1 for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts (JavaScript on unless asked otherwise)."""
    contexts = []

    def open_page(java_script_enabled: bool = True, bypass_csp: bool = False, **options):
        context = browser.new_context(
            java_script_enabled=java_script_enabled, bypass_csp=bypass_csp, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def axe_source() -> str:
    if not AXE.is_file():
        missing("axe-core (npm ci in tests/browser)")
    return AXE.read_text()


@pytest.fixture
def axe_violations(axe_source):
    """Run axe-core on a page (opened with bypass_csp) and list what it finds."""

    def run(page) -> list:
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => (await axe.run(document)).violations")
        return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result]

    return run


@pytest.fixture
def screenshot(tmp_path):
    """Save a full-page screenshot; RUNGS_SCREENSHOTS=folder keeps them for a person to see."""
    folder = Path(os.environ.get("RUNGS_SCREENSHOTS") or tmp_path)

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
