"""Data safety under load and kill -9: no 5xx, and nothing answered 2xx is ever lost.

Run with ``make safety`` (or ``python -m bench.safety --seconds 20``); see docs/data-safety.md.
For each database (a fresh SQLite file, and an own PostgreSQL database) and each phase
(steady load; load with a kill -9 of gunicorn's whole process group half-way), it serves the
app with gunicorn, lets 16 signed-in browsers change four shared rubrics, then holds the
database to the answers: every 2xx change in history, the last one in force, the files sound.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from bench import safety_db, scratch
from bench.harness import ROOT, Server
from bench.safety_load import Timeline, run, seats_for, sign_in
from bench.safety_verify import Findings, verify

OUT = ROOT / "bench" / "out"
WORK = OUT / "safety"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/rungs_safety"


@dataclass
class Result:
    database: str
    phase: str
    timeline: Timeline
    found: Findings
    integrity_ok: bool
    integrity: str

    @property
    def safe(self) -> bool:
        return self.found.safe and self.integrity_ok


def server_env(url: str) -> dict[str, str]:
    """The environment of `flask db upgrade` and gunicorn: this database, one secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNGS_", "GUNICORN_"))}
    env |= {
        "FLASK_APP": "wsgi.py",
        "RUNGS_DATABASE_URL": url,
        "RUNGS_SECRET_KEY": secrets.token_hex(32),  # sessions outlive the crash: one key
    }
    return env


def phase(url: str, name: str, crashes: int, args) -> Result:
    """Build a fresh database, load it (and crash it), then check every answer against it."""
    database = safety_db.label(url)
    say(f"{database}, {name}: fresh database, flask db upgrade, ladder and team")
    scratch.fresh(url, "safety")
    env = server_env(url)
    scratch.migrate(env)
    team = safety_db.populate(url)
    log = WORK / f"gunicorn-{database.lower()}-{'crash' if crashes else 'steady'}.log"
    log.unlink(missing_ok=True)
    server = Server(env, args.workers, log)
    try:
        server.start()
        seats = seats_for(team, server.port)
        sign_in(seats)
        say(f"{database}, {name}: {len(seats)} browsers for {args.seconds:g} s")
        timeline = run(seats, server, args.seconds, f"{database}-{name}", args.seed, crashes)
    finally:
        server.stop()
    found = verify(url, [op for seat in seats for op in seat.ops])
    ok, note = safety_db.integrity(url)
    result = Result(database, name, timeline, found, ok, note)
    say(f"{database}, {name}: {'safe' if result.safe else 'NOT SAFE'}; {note}")
    return result


def table(results: list[Result]) -> list[str]:
    lines = [
        "| database | phase | requests | req/s | 5xx | connection errors | accepted (2xx) "
        "| lost | final state | integrity |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        f = r.found
        errors = f.refused + f.unknown
        if errors:
            errors = f"{errors} ({f.refused} refused, {f.unknown} unanswered)"
        state = f"{f.stale} stale, {f.inconsistent} inconsistent, {f.phantom} phantom"
        if not (f.stale or f.inconsistent or f.phantom):
            state = "ok"
        lines.append(
            f"| {r.database} | {r.phase} | {f.requests:,} | {f.requests / r.timeline.seconds:.0f}"
            f" | {f.server_errors} | {errors}"
            f" | {f.accepted:,} | {f.lost} | {state} | {'ok' if r.integrity_ok else 'FAILED'} |"
        )
    return lines


def notes(results: list[Result]) -> list[str]:
    lines = []
    for r in results:
        t, f = r.timeline, r.found
        if t.crashes:
            kills = ", ".join(f"{at:.1f} s (down {down:.1f} s)" for at, down in t.crashes)
            lines.append(
                f"- {r.database}: kill -9 of gunicorn's whole process group at {kills}; of the "
                f"{f.unknown} requests that got no answer, {f.unknown_applied} had been applied "
                "(and are in history), the others had not."
            )
        lines.append(f"- {r.database}, {r.phase}: {r.integrity}.")
        lines += [f"  - {problem}" for problem in f.problems]
        if f.unchanged:
            lines.append(
                f"- {r.database}, {r.phase}: {f.unchanged} rating 2xx changed nothing, rightly: "
                "an unanswered request had already set that value."
            )
            lines += [f"  - {remark}" for remark in f.remarks]
    return lines


def report(results: list[Result], args, started: datetime, load: str) -> str:
    head = [
        "# Rungs data safety",
        "",
        f"- {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average before the run {load}",
        f"- gunicorn with {args.workers} sync workers; 16 signed-in browsers on 4 shared "
        f"rubrics (each engineer and their manager, twice each) of a {safety_db.COMPETENCIES}"
        f"-competency ladder; {args.seconds:g} s per phase, {args.crashes} kill -9 in the "
        "second; ratings 70%, evidence 15%, live polls 15%",
        "- lost: answered 2xx but missing from history; final state: every rating equals the "
        "last change applied to it and history, ratings and evidence counts agree",
        "",
    ]
    return "\n".join(head + table(results) + [""] + notes(results)) + "\n"


def say(message: str) -> None:
    print(f"[safety] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.safety", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="load per phase (60)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--crashes", type=int, default=3, help="kill -9 per crash phase (3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="which to run (sqlite,postgresql)"
    )
    parser.add_argument("--postgres", default=POSTGRES, help=f"own database URL ({POSTGRES})")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    if not 1 <= args.crashes <= 10:
        parser.error("--crashes must be between 1 and 10")
    WORK.mkdir(parents=True, exist_ok=True)
    urls = {"sqlite": "sqlite:///" + str(WORK / "rungs-safety.sqlite3"), "postgresql": None}
    if "postgresql" in args.databases:
        if make_url(args.postgres).host not in ("127.0.0.1", "localhost", None):
            parser.error("the safety run only talks to 127.0.0.1")
        urls["postgresql"] = args.postgres
    started = datetime.now(UTC)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    began = time.monotonic()
    results = []
    try:
        for name in args.databases.split(","):
            url = urls.get(name.strip())
            if url is None:
                parser.error(f"unknown database {name!r}")
            try:
                results.append(phase(url, "steady", 0, args))
                results.append(phase(url, "kill -9", args.crashes, args))
            finally:
                scratch.drop(url, "safety")
    except scratch.ScratchError as error:  # HarnessError, or the scratch database's own
        print(f"safety: {error}", file=sys.stderr)
        return 2
    text = report(results, args, started, load)
    (OUT / "safety.md").write_text(text)
    print()
    print(text)
    print(f"(whole run {time.monotonic() - began:.0f} s; also in bench/out/safety.md)")
    return 0 if all(r.safe for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
