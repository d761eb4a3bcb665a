"""Two app servers, one database: what one server writes, the other server's clients see live."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import PASSWORD, small_ladder

from app.extensions import db
from app.ladders import store
from bench.harness import Browser, Server, live_url


def server(database_url: str, log: Path) -> Server:
    """gunicorn with one worker on a port of its own, as production runs the app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNGS_", "GUNICORN_"))}
    env |= {
        "RUNGS_DATABASE_URL": database_url,
        "RUNGS_SECRET_KEY": "shared by both servers",  # a session from one is valid on the other
    }
    return Server(env, 1, log)


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
    servers = [server(migrated, tmp_path / "a.log"), server(migrated, tmp_path / "b.log")]
    try:
        for each in servers:
            each.start()
        yield [each.port for each in servers]
    finally:
        for each in servers:
            each.stop()


def test_a_change_through_one_server_reaches_a_poller_on_the_other(two_servers, people, ladder):
    port_a, port_b = two_servers
    assert port_a != port_b
    engineer, manager = Browser(port_b), Browser(port_a)
    engineer.sign_in(people.engineer.email, PASSWORD)
    path, page = engineer.open("/")
    rubric_id = int(re.fullmatch(r"/rubrics/(\d+)", path)[1])
    manager.sign_in(people.manager.email, PASSWORD)
    _, manager_page = manager.open(f"/rubrics/{rubric_id}")
    assert engineer.send("GET", live_url(page), htmx=True).status == 204  # quiet before

    cid = ladder["code-junior-1"]
    rated = manager.send(
        "POST", f"/rubrics/{rubric_id}/ratings/{cid}", {"step": "consistently"}, htmx=True
    )
    assert rated.status == 200, rated.text

    polled = engineer.send("GET", live_url(page), htmx=True)
    assert polled.status == 200
    changed = polled.text
    # The competency's head, swapped in out of band and marked as changed by someone else.
    head = re.search(rf'<div id="h-{cid}" class="head changed"[^>]*>', changed)
    assert head and 'hx-swap-oob="true"' in head[0]
    assert "Manager (Maya Manager): <strong>Consistently</strong>" in changed
    assert engineer.send("GET", live_url(changed), htmx=True).status == 204  # and quiet again

    # The other way round: the engineer's own rating through B shows up on the manager's A.
    other = ladder["team-mid-2"]
    path = f"/rubrics/{rubric_id}/ratings/{other}"
    assert engineer.send("POST", path, {"step": "sometimes"}, htmx=True).status == 200
    seen = manager.send("GET", live_url(manager_page), htmx=True)
    assert seen.status == 200 and f'id="h-{other}"' in seen.text
    assert "Eli Engineer: <strong>Sometimes</strong>" in seen.text
