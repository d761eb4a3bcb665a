"""Take the README's screenshots again: the rubric, a 1:1 and the promotion packet.

    .venv/bin/python docs/screenshots/make.py

Builds a throwaway installation (SQLite in a temporary folder) with the Monzo backend
ladder from ../shared/ladders (else the default ladder), an engineer with some ratings and
evidence, their manager's ratings and a 1:1 under way; serves it on 127.0.0.1 and takes
each page at 1366 and 390 px wide with the system Chromium. The PNGs are reduced to a
palette so that all of them stay a few hundred KB.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.auth import passwords  # noqa: E402
from app.auth.models import Role, User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.ladders import importer, store  # noqa: E402

LADDER = ROOT.parent / "shared" / "ladders" / "monzo-backend.md"
CHROMIUM = os.environ.get("RUNGS_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "screenshots only, never deployed"  # noqa: S105
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
SCALE = 1  # a modest device scale factor keeps the files small
COLOURS = 96  # palette size: UI colours are few, text stays crisp
EVIDENCE = [
    "Wrote the **design doc** for the ledger migration and walked the team through it.",
    "Paired with two new joiners on their first on-call week; see the [runbook notes]"
    "(https://example.com/runbook).",
    "Added property tests that caught a rounding bug before release.",
]
NOTES = """## This week
- The ledger migration shipped: what would we do **differently**?
- Eli wants to grow towards leading a project end to end.

## Next
- Pick one of the open *Leadership* competencies to focus on.
"""


def build(folder: Path):
    """An app on a fresh database with three people and the ladder."""
    app = create_app(
        {
            "SECRET_KEY": "screenshots",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'rungs.sqlite3'}",
            "WTF_CSRF_ENABLED": False,  # the set-up below posts with the test client
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        if LADDER.is_file():
            importer.apply(importer.plan(LADDER.read_bytes(), filename=LADDER.name))
        else:
            print(f"{LADDER} is missing: using the default ladder", file=sys.stderr)
            app.test_cli_runner().invoke(args=["ladder", "load-default"])
        secret = passwords.hash_password(PASSWORD)
        admin = User(email="ada@example.com", name="Ada Lovelace", role=Role.ADMIN)
        manager = User(email="maya@example.com", name="Maya Okafor", role=Role.MANAGER)
        engineer = User(email="eli@example.com", name="Eli Chen", role=Role.ENGINEER)
        engineer.manager = manager
        for person in (admin, manager, engineer):
            person.password_hash = secret
        db.session.add_all([admin, manager, engineer])
        db.session.commit()
    return app


def signed_in(app, email: str):
    client = app.test_client()
    answer = client.post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


def fill(app) -> dict[str, str]:
    """Ratings, evidence, a target and a 1:1, as two people would leave them."""
    eli, maya = signed_in(app, "eli@example.com"), signed_in(app, "maya@example.com")
    rubric = eli.get("/", follow_redirects=True).request.path
    rubric_id = int(re.search(r"/rubrics/(\d+)", rubric).group(1))
    with app.app_context():
        stored = store.stored(store.all_ladders()[0])
        track = stored.spec.tracks[0]
        index = stored.index(track.key)
        ids = stored.competency_ids
        levels = [[c.key for cell in row for c in cell] for row in index.cells]
    target = index.levels[min(2, len(index.levels) - 1)].key
    eli.post(f"/rubrics/{rubric_id}/settings", data={"track": track.key, "target": target})
    day = date(2026, 11, 2)
    for li, keys in enumerate(levels[:3]):
        for n, key in enumerate(keys):
            # Everything of the first level; most of the second; a start on the third.
            if li == 1 and n % 4 == 3 or li == 2 and n % 3:
                continue
            step = "consistently" if li < 2 or n % 2 == 0 else "sometimes"
            eli.post(f"/rubrics/{rubric_id}/ratings/{ids[key]}", data={"step": step})
            theirs = "sometimes" if n % 5 == 1 else step
            maya.post(f"/rubrics/{rubric_id}/ratings/{ids[key]}", data={"step": theirs})
    for n, key in enumerate(levels[1][:3]):
        eli.post(
            f"/rubrics/{rubric_id}/competencies/{ids[key]}/evidence",
            data={"body": EVIDENCE[n % len(EVIDENCE)], "day": (day + timedelta(n)).isoformat()},
        )
    started = maya.post(f"/rubrics/{rubric_id}/1on1s")
    meeting = started.headers["Location"]
    maya.post(f"{meeting}/notes", data={"notes": NOTES, "version": "0"})
    with app.app_context():
        eli_id = db.session.scalar(db.select(User.id).where(User.email == "eli@example.com"))
    maya.post(
        f"{meeting}/actions",
        data={"text": "Draft a proposal for the next project", "owner": str(eli_id)},
    )
    return {
        "rubric": f"/rubrics/{rubric_id}",
        "1on1": meeting,
        "packet": f"/rubrics/{rubric_id}/packet?target={target}",
    }


def shrink(path: Path) -> None:
    """Reduce a screenshot to a palette PNG: a fraction of the size, the same to read."""
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=COLOURS, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def take(base: str, pages: dict[str, str]) -> list[Path]:
    """Sign in as each viewer and screenshot their pages at both widths."""
    eli, maya = "eli@example.com", "maya@example.com"
    viewers = {"rubric": eli, "1on1": maya, "packet": maya}
    taken = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        for device, (width, height) in WIDTHS.items():
            for name, path in pages.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    device_scale_factor=SCALE,
                    timezone_id="Europe/London",
                )
                page = context.new_page()
                page.goto(f"{base}/login")
                page.get_by_label("Email").fill(viewers[name])
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(lambda url: "/login" not in url)
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                file = HERE / f"{name}-{device}.png"
                page.screenshot(path=str(file))
                shrink(file)
                taken.append(file)
                context.close()
        browser.close()
    return taken


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = build(Path(folder))
        pages = fill(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            taken = take(f"http://127.0.0.1:{server.server_port}", pages)
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()
    total = sum(f.stat().st_size for f in taken)
    for f in taken:
        print(f"{f.relative_to(ROOT)}\t{f.stat().st_size // 1024} KB")
    print(f"{len(taken)} screenshots, {total // 1024} KB in all")


if __name__ == "__main__":
    main()
