"""`make bench`: prove Rungs stays fast as ladders and teams grow.

Builds a fresh database (SQLite under bench/out/, or the PostgreSQL database named by
RUNGS_DATABASE_URL), serves the app with gunicorn, drives it with wrk and prints one table
(also written to bench/out/latest.md). Exits non-zero only when the bench could not run;
a missed budget is a MISS in the table. See docs/benchmark.md.
"""

from __future__ import annotations

import os
import platform
import random
import secrets
import signal
import sqlite3
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import text

from bench import (
    capacity,
    dataset,
    engine_bench,
    importing,
    load,
    paint,
    queries,
    report,
    scratch,
    server,
)
from bench.dataset import OUT, BenchError

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))  # per scenario, after a warm-up
WARM_UP = 2.0
USERS = 16  # signed-in engineers the load generator rotates through
COMPETENCIES_PER_USER = 40  # the ones each of them keeps re-rating
# Rating last: until then no event is newer than the polls' since=, so they answer 204.
SCENARIOS = ("trivial", "signed_in", "live", "live_heartbeat", "page", "rate")
TRIVIAL_PATH = "/me"
POLLERS = int(os.environ.get("BENCH_POLLERS", "100"))  # open rubrics beside the one clicked


LOAD_BEFORE = os.getloadavg()


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main() -> int:
    # On SIGTERM unwind like Ctrl-C does, so gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    url = dataset.database_url()
    settings = {
        "RUNGS_DATABASE_URL": url,
        "RUNGS_SECRET_KEY": secrets.token_hex(32),
        "FLASK_APP": "wsgi.py",
    }
    os.environ.update(settings)  # the in-process app reads the same configuration as gunicorn
    try:
        return run(url, {**os.environ, **settings})
    except scratch.ScratchError as exc:  # BenchError, or the scratch database's own
        print(f"bench: could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        try:
            scratch.drop(url, "bench")
        except Exception as exc:  # noqa: BLE001 - never hide the real outcome behind cleanup
            print(f"bench: could not drop the bench database: {exc}", file=sys.stderr)


def run(url: str, env: dict[str, str]) -> int:
    from app import create_app

    started = time.monotonic()
    say(f"fresh database {dataset.describe(url)}; flask db upgrade")
    scratch.fresh(url, "bench")
    scratch.migrate(env)
    app = create_app()
    data = dataset.populate(app)
    people = len(data.engineers) + len(data.managers)
    say(f"{data.competencies:,} competencies, {people} people, {data.ratings:,} ratings")
    loadgen = load.pick()
    say(f"load generator: {loadgen.name}")

    results: dict[str, load.Result | None] = {}
    notes: list[str] = []
    with server.gunicorn(env, OUT / "gunicorn.log") as port:
        say(f"gunicorn on 127.0.0.1:{port}; signing in {USERS} engineers")
        users = [server.sign_in(port, person) for person in data.engineers[:USERS]]
        rng = random.Random(5)
        for user in users:
            user.competency_ids = rng.sample(user.competency_ids, COMPETENCIES_PER_USER)
        for scenario in SCENARIOS:
            reason = probe(port, scenario, users)
            if reason:
                results[scenario] = None
                notes.append(f"{scenario}: not available ({reason})")
                say(notes[-1])
                continue
            seconds = SECONDS
            if scenario == "live":
                seconds = fresh_heartbeats(users)
            say(f"{scenario}: {WARM_UP:g} s warm-up, {seconds:g} s measured")
            loadgen.run(port, scenario, users, WARM_UP, offset=0)
            if scenario == "live":
                fresh_heartbeats(users)
            before = dataset.event_count(app)
            results[scenario] = result = loadgen.run(port, scenario, users, seconds, offset=1)
            shares = ", ".join(f"{n:,} x {code}" for code, n in sorted(result.statuses.items()))
            notes.append(f"{scenario}: {result.requests:,} requests ({shares})")
            if result.errors:
                notes[-1] += f", {result.errors} socket errors"
            if scenario == "rate":
                written = dataset.event_count(app) - before
                notes[-1] += f"; {written:,} of them changed a rating (one event each)"
        say(f"click to painted update in Chromium, {POLLERS} other open rubrics polling")
        ladder_keys = [paint.load_ladder(app), data.ladder_key]
        painted = paint.measure(
            port,
            data.engineers[-1],
            ladder_keys,
            data.engineers[:-1] + data.managers,
            POLLERS,
        )
        if painted is not None:
            notes.append(
                f"paint: {painted.polls:,} polls by {painted.pollers} open rubrics meanwhile"
                f", {painted.poll_errors} failed"
            )
        say("capacity: stepping up open rubrics polling every 2 s while one person rates")
        held = measure_capacity(port, data, ladder_keys)
        for step in held.steps:
            notes.append(
                f"capacity {step.pages:,} open rubrics: rating p99 {step.rating_p99_ms:.1f} ms"
                f" over {step.ratings} ratings ({step.rating_errors} failed), "
                f"{step.polls_per_second:,.0f} polls/s of {step.pages / 2:,.0f} wanted"
                f" ({step.poll_errors} failed): {'held' if step.held else 'did not hold'}"
            )

    say("counting SQL per request in-process")
    engineer = data.engineers[0]
    manager = next(m for m in data.managers if m.id == engineer.manager_id)
    sql = both_sides(app, engineer, manager, "/")
    sized = {}
    for size in (100, 5_000):
        key = dataset.add_sized_ladder(app, size, engineer)
        sized[size] = both_sides(
            app, engineer, manager, f"/people/{engineer.id}/rubric?ladder={key}"
        )
    say("timing the level engine")
    engine_times = engine_bench.measure()
    say("timing ladder imports")
    imports = importing.measure(app)

    rows = report.http_rows(results, sql, TRIVIAL_PATH)
    rows += report.sql_rows(sized) + [report.click_ratio_row(sized)]
    rows += report.engine_rows(engine_times) + report.import_rows(imports)
    rows.append(report.paint_row(painted, f"no Chromium at {paint.CHROMIUM}"))
    rows.append(report.capacity_row(held, "no step could be measured"))
    head = header(app, url, loadgen)
    notes += [n for n in [loadgen.note] if n]
    notes.append(f"whole run: {time.monotonic() - started:.0f} s")
    print("\n".join(head) + "\n\n" + report.text(rows) + "\n\n" + "\n".join(notes))
    (OUT / "latest.md").write_text(
        "\n\n".join(["\n".join(f"- {h}" for h in head), report.markdown(rows)])
        + "\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n"
    )
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return 0


def measure_capacity(port: int, data: dataset.Dataset, ladder_keys: list[str]):
    """Open every other person's rubrics (98 tabs), then step up copies of them polling.

    The last engineer rates: nobody else has their rubric open, so the pages stay quiet.
    """
    rater = server.sign_in(port, data.engineers[-1])
    others = data.engineers[:-1] + data.managers
    tabs = paint.Pollers(port, others, POLLERS, ladder_keys).browsers
    return capacity.measure(port, tabs, rater)


def fresh_heartbeats(users: list[server.SignedIn]) -> float:
    """Poll once per user, as their browser would, so the next polls find presence fresh.

    Returns how long a run may last before the heartbeat is due again: a browser polling
    every 2 s writes its presence on 1 poll in 4, and the "live" row measures the other 3.
    """
    for user in users:
        status = user.poll_once()
        if status != 204:
            raise BenchError(f"live: a poll of {user.live} answered {status}, not 204")
    try:
        from app.rubric.live import HEARTBEAT
    except ImportError:
        return SECONDS
    return max(1.0, min(SECONDS, HEARTBEAT.total_seconds() - 2))


def probe(port: int, scenario: str, users: list[server.SignedIn]) -> str | None:
    """Send one request of a scenario; say why it cannot be measured, if it cannot."""
    if scenario.startswith("live") and users[0].live is None:
        return 'the rubric page has no id="live" element polling with since='
    method, path, headers, body = load.build(scenario, users[0], 1, 1, offset=2)
    status = server.request(port, method, path, headers, body).status
    if status == report.EXPECTED[scenario]:
        return None
    if scenario.startswith("live") and status in (404, 405):
        return f"GET {path} answered {status}"
    raise BenchError(f"{scenario}: {method} {path} answered {status}, not the expected one")


def both_sides(app, engineer, manager, path: str) -> dict[str, queries.Count]:
    """SQL counts as the engineer and as their manager; keep the larger of each."""
    own = queries.measure(app, engineer, path)
    theirs = queries.measure(app, engineer, path, viewer=manager)
    return {
        key: max(own[key], theirs.get(key, own[key]), key=lambda c: c.statements) for key in own
    }


def header(app, url: str, loadgen) -> list[str]:
    """The machine and the setup the numbers come from."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    if url.startswith("sqlite"):
        database = f"SQLite {sqlite3.sqlite_version} (WAL), file under bench/out/"
    else:
        with app.app_context():
            from app.extensions import db

            version = db.session.scalar(text("SHOW server_version"))
        database = f"PostgreSQL {version} ({dataset.describe(url)})"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    busy = ", ".join(f"{n:.1f}" for n in LOAD_BEFORE)
    return [
        f"Rungs bench, {when}: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
        f"; load average before the run {busy} (other work on the machine skews the numbers)",
        f"database: {database}",
        f"server: gunicorn, {server.WORKERS} sync workers, no access log; "
        f"load: {loadgen.name}, {SECONDS:g} s per scenario after a {WARM_UP:g} s warm-up, "
        f"{USERS} signed-in engineers in rotation",
    ]


if __name__ == "__main__":
    sys.exit(main())
