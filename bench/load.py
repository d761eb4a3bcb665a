"""Drive the server: wrk with bench/rungs.lua, or a small threaded Python client without it."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import OUT, ROOT, BenchError
from bench.server import HOST, SignedIn

THREADS = 2
CONNECTIONS = 8
SCRIPT = ROOT / "bench" / "rungs.lua"
STEPS = ("sometimes", "consistently", "not-yet")  # the order rungs.lua cycles through


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def pick() -> Wrk | PythonLoad:
    """Use wrk, installing it from Debian when missing and root; else fall back to Python."""
    if os.environ.get("BENCH_LOADGEN") == "python":
        return PythonLoad("BENCH_LOADGEN=python")
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        for command in (install, ["apt-get", "update", "-qq"], install):
            done = subprocess.run(command, env=env, capture_output=True, timeout=300)
            if done.returncode == 0 and command is install:
                break
    found = shutil.which("wrk")
    if found:
        return Wrk(found)
    return PythonLoad("wrk is not installed and could not be installed (needs root and apt-get)")


class Wrk:
    """wrk -t2 -c8 with a Lua script that rotates through the signed-in users."""

    def __init__(self, path: str):
        self.path = path
        self.name = f"wrk -t{THREADS} -c{CONNECTIONS}"
        self.note = ""

    def run(self, port: int, scenario: str, users: list[SignedIn], seconds: float, offset=0):
        data = OUT / "users.lua"
        write_users(users, data)
        env = {
            **os.environ,
            "BENCH_SCENARIO": scenario,
            "BENCH_USERS": str(data),
            "BENCH_THREADS": str(THREADS),
            "BENCH_OFFSET": str(offset),
        }
        command = [self.path, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s"]
        command += ["--timeout", "10s", "-s", str(SCRIPT), f"http://{HOST}:{port}/"]
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=seconds + 60
        )
        line = next((s for s in done.stdout.splitlines() if s.startswith("BENCH ")), None)
        if done.returncode != 0 or line is None:
            raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        raw = json.loads(line[len("BENCH ") :])
        statuses = Counter()
        for per_thread in raw["statuses"]:
            statuses.update({int(k): v for k, v in per_thread.items()})
        return Result(
            raw["requests"],
            raw["duration_us"] / 1e6,
            raw["p50_us"] / 1e3,
            raw["p99_us"] / 1e3,
            dict(statuses),
            raw["errors"],
        )


def write_users(users: list[SignedIn], path: Path) -> None:
    """Write the signed-in users as a Lua table for rungs.lua."""
    lines = ["return {"]
    for u in users:
        comps = ", ".join(str(c) for c in u.competency_ids)
        lines.append(
            f"  {{ cookie = {json.dumps(u.cookie)}, live_cookie = {json.dumps(u.live_cookie)},"
            f" csrf = {json.dumps(u.csrf)}, rubric = {u.rubric_id},"
            f" live = {json.dumps(u.live or '')}, comps = {{ {comps} }} }},"
        )
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


def build(scenario: str, user: SignedIn | None, counter: int, nusers: int, offset: int):
    """The n-th request of a thread, exactly as rungs.lua builds it (counter from 1)."""
    if scenario == "trivial" or user is None:
        return "GET", "/me", {}, None
    if scenario == "signed_in":
        return "GET", "/me", {"Cookie": user.cookie}, None
    headers = {"Cookie": user.cookie, "X-CSRFToken": user.csrf}
    if scenario == "page":
        return "GET", f"/rubrics/{user.rubric_id}", headers, None
    headers["HX-Request"] = "true"
    if scenario == "live":
        return "GET", user.live, headers | {"Cookie": user.live_cookie}, None
    if scenario == "live_heartbeat":
        return "GET", user.live, headers, None
    turn = (counter - 1) // nusers
    comps = user.competency_ids
    step = STEPS[(turn // len(comps) + offset) % len(STEPS)]
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    path = f"/rubrics/{user.rubric_id}/ratings/{comps[turn % len(comps)]}"
    return "POST", path, headers, f"step={step}".encode()


class PythonLoad:
    """The fallback: 8 threads, one request at a time each, a new connection per request."""

    def __init__(self, reason: str):
        self.name = f"Python http.client, {CONNECTIONS} threads"
        self.note = f"Python load generator used ({reason}); wrk gives higher, truer numbers."

    def run(self, port: int, scenario: str, users: list[SignedIn], seconds: float, offset=0):
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors = [0]
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def worker(index: int) -> None:
            mine = users[index::CONNECTIONS] or users[:1]
            counter, seen, codes, failed = 0, [], Counter(), 0
            while time.monotonic() < deadline:
                counter += 1
                user = mine[(counter - 1) % len(mine)] if mine else None
                method, path, headers, body = build(scenario, user, counter, len(mine), offset)
                start = time.perf_counter()
                try:
                    conn = http.client.HTTPConnection(HOST, port, timeout=10)
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    conn.close()
                except OSError:
                    failed += 1
                    continue
                seen.append(time.perf_counter() - start)
                codes[response.status] += 1
            with lock:
                latencies.extend(seen)
                statuses.update(codes)
                errors[0] += failed

        started = time.monotonic()
        workers = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - started
        latencies.sort()
        return Result(
            len(latencies),
            elapsed,
            percentile(latencies, 50) * 1e3,
            percentile(latencies, 99) * 1e3,
            dict(statuses),
            errors[0],
        )


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
