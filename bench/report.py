"""The one results table: rows, budgets, PASS/MISS, as plain text and as Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.capacity import P99_MS, Capacity
from bench.importing import Timing
from bench.load import Result
from bench.paint import Paint
from bench.queries import Count

COLUMNS = ("scenario", "rps", "p50 ms", "p99 ms", "SQL/req", "bytes", "time/call", "ratio")
COLUMNS += ("budget", "result")
LEFT = {"scenario", "budget", "result"}

RATE_RPS, LIVE_RPS, RATE_P99 = 0.35, 0.70, 4.0
RATE_SQL, PAGE_SQL, RATE_BYTES, ENGINE_RATIO = 4, 8, 4096, 6.0
PAINT_P95_MS = 100.0
FLOOR_RATIO = 1.5  # signed-in floor vs signed-out ceiling, in-process
CLICK_RATIO = 1.3  # a rating POST at 5,000 competencies vs at 100, in-process
PAGE_BYTES, PAGE_MS = 150_000, 10.0  # the rubric page at 1,000 competencies
CAPACITY_GOAL = 2_000
EXPECTED = {"trivial": 302, "signed_in": 302, "live": 204, "live_heartbeat": 204}
EXPECTED |= {"page": 200, "rate": 200}


@dataclass
class Row:
    scenario: str
    cells: dict[str, str] = field(default_factory=dict)
    budget: str = "-"
    misses: list[str] | None = None  # None: nothing to judge

    def judge(self, ok: bool, what: str) -> None:
        self.misses = self.misses or []
        if not ok:
            self.misses.append(what)

    @property
    def result(self) -> str:
        if self.misses is None:
            return "-"
        return "PASS" if not self.misses else "MISS: " + ", ".join(self.misses)

    def values(self) -> list[str]:
        named = {**self.cells, "scenario": self.scenario, "budget": self.budget}
        named["result"] = self.result
        return [named.get(column, "") for column in COLUMNS]


def http_rows(load: dict[str, Result | None], sql: dict[str, Count], trivial_path: str):
    """Rows for the trivial endpoint and scenarios (1)-(3), judged against the trivial one."""
    base = load["trivial"]
    rows = [_http("ceiling: GET " + trivial_path + " signed out (302)", base, sql["trivial"])]
    rows[0].misses = _statuses(base, "trivial") or None
    names = {
        "signed_in": "    same, signed in (loads the user)",
        "rate": "(1) rating POST, htmx",
        "live": "(2) live poll, no change (204)",
        "live_heartbeat": "    same, presence heartbeat due",
        "page": "(3) rubric page GET",
    }
    for key in ("signed_in", "rate", "live", "live_heartbeat", "page"):
        result, count = load.get(key), sql.get(key)
        row = _http(names[key], result, count)
        if result is None or count is None:
            row.cells["rps"] = "not available"
            row.budget = f"rps >= {LIVE_RPS:.0%} of ceiling" if key == "live" else "-"
            row.misses = ["endpoint missing"] if key == "live" else None
            rows.append(row)
            continue
        rps, p99 = result.rps / base.rps, result.p99_ms / base.p99_ms
        share = f"{rps:.0%}" if rps >= 0.1 else f"{rps:.1%}" if rps >= 0.01 else f"{rps:.2%}"
        row.cells["ratio"] = f"rps {share}, p99 {p99:.1f}x"
        for miss in _statuses(result, key):
            row.judge(False, miss)
        if key == "rate":
            row.budget = f"rps >= {RATE_RPS:.0%}, p99 <= {RATE_P99:g}x, SQL <= {RATE_SQL}, < 4 KB"
            row.judge(rps >= RATE_RPS, "rps")
            row.judge(p99 <= RATE_P99, "p99")
            row.judge(count.statements <= RATE_SQL, "SQL")
            row.judge(count.bytes < RATE_BYTES, "bytes")
        elif key == "live":
            row.budget = f"rps >= {LIVE_RPS:.0%} of ceiling"
            row.judge(rps >= LIVE_RPS, "rps")
        elif key == "live_heartbeat":
            row.budget = "- (1 poll in 4)"
        elif key == "signed_in":
            floor = count.seconds / sql["trivial"].seconds
            row.cells["ratio"] += f", in-process {floor:.2f}x"
            row.budget = f"in-process <= {FLOOR_RATIO:g}x ceiling (floor of signed-in requests)"
            row.judge(floor <= FLOOR_RATIO, "in-process floor")
        else:
            row.budget = (
                f"SQL <= {PAGE_SQL}, < {PAGE_BYTES // 1000} KB, <= {PAGE_MS:g} ms in-process"
            )
            row.judge(count.statements <= PAGE_SQL, "SQL")
            row.judge(count.bytes < PAGE_BYTES, "bytes")
            row.judge(count.seconds * 1e3 <= PAGE_MS, "in-process time")
        rows.append(row)
    return rows


def _http(name: str, result: Result | None, count: Count | None) -> Row:
    row = Row(name)
    if result is not None:
        row.cells |= {
            "rps": f"{result.rps:,.0f}" if result.rps >= 10 else f"{result.rps:.1f}",
            "p50 ms": f"{result.p50_ms:.1f}",
            "p99 ms": f"{result.p99_ms:.1f}",
        }
    if count is not None:
        row.cells |= _counted(count)
    return row


def _counted(count: Count) -> dict[str, str]:
    return {
        "SQL/req": str(count.statements),
        "bytes": f"{count.bytes:,}",
        "time/call": _ms(count.seconds) + " in-process",
    }


def _statuses(result: Result, key: str) -> list[str]:
    """Flag a run whose answers were not what the scenario means to measure."""
    good = result.statuses.get(EXPECTED[key], 0)
    if result.requests and good >= 0.99 * result.requests and not result.errors:
        return []
    return [f"only {good}/{result.requests} answered {EXPECTED[key]}"]


def sql_rows(sized: dict[int, dict[str, Count]]) -> list[Row]:
    """SQL per request at other ladder sizes: the count must not grow with the ladder."""
    rows = []
    for key, name, limit in (("rate", "rating POST", RATE_SQL), ("page", "rubric page", PAGE_SQL)):
        for size, counts in sized.items():
            count = counts[key]
            row = Row(f"    {name} at {size:,} competencies")
            row.cells |= _counted(count)
            row.budget = f"SQL <= {limit}" + (", < 4 KB" if key == "rate" else "")
            row.judge(count.statements <= limit and count.status == 200, "SQL")
            if key == "rate":
                row.judge(count.bytes < RATE_BYTES, "bytes")
            rows.append(row)
    return rows


def click_ratio_row(sized: dict[int, dict[str, Count]]) -> Row:
    """A rating POST in-process at 5,000 competencies against one at 100."""
    small, big = sized[100]["rate"], sized[5_000]["rate"]
    row = Row("    rating POST in-process, 5,000 vs 100 competencies")
    ratio = big.seconds / small.seconds
    row.cells["time/call"] = f"{_ms(big.seconds)} vs {_ms(small.seconds)}"
    row.cells["ratio"] = f"{ratio:.2f}x"
    row.budget = f"<= {CLICK_RATIO:g}x"
    row.judge(ratio <= CLICK_RATIO, "ratio")
    return row


def capacity_row(found: Capacity | None, note: str) -> Row:
    """(7) How many open rubrics polling every 2 s one server holds, rating p99 <= 100 ms."""
    row = Row("(7) capacity: open rubrics polling every 2 s")
    row.budget = f"printed (goal >= {CAPACITY_GOAL:,}), rating p99 <= {P99_MS:g} ms"
    if found is None or not found.steps:
        row.cells["time/call"] = "not available"
        row.misses = [note]
        return row
    held = next((s for s in found.steps if s.pages == found.held), None)
    shown = held or found.steps[0]
    row.cells |= {"p99 ms": f"{shown.rating_p99_ms:.1f}", "rps": f"{shown.polls_per_second:,.0f}"}
    row.cells["ratio"] = f"{found.held:,} held" + (
        "" if found.held else f" (p99 {found.steps[0].rating_p99_ms:.0f} ms at {shown.pages:,})"
    )
    row.cells["time/call"] = "steps " + ", ".join(
        f"{s.pages:,}: p99 {s.rating_p99_ms:.0f} ms{'' if s.held else ' x'}" for s in found.steps
    )
    # The budget for this row is the figure itself; its goal, like every row's goal,
    # is shown beside it but not judged.
    reached = found.held >= CAPACITY_GOAL
    row.cells["ratio"] += f", {'at or above' if reached else 'below'} the goal of {CAPACITY_GOAL:,}"
    row.judge(found.held > 0, "not even the first step held")
    return row


def engine_rows(times: dict[str, dict[int, tuple[float, float]]]) -> list[Row]:
    """(4) The level engine: the slowest rule at each size, and the growth from 1,000."""
    sizes = sorted(next(iter(times.values())))
    rows = []
    for size in sizes:
        run = max(per_rule[size][0] for per_rule in times.values())
        build = max(per_rule[size][1] for per_rule in times.values())
        row = Row(f"(4) engine at {size:,} competencies")
        row.cells["time/call"] = f"eval {_ms(run)} + index {_ms(build)}"
        if size != 1_000:
            worst_run = max(r[size][0] / r[1_000][0] for r in times.values())
            worst_build = max(r[size][1] / r[1_000][1] for r in times.values())
            row.cells["ratio"] = f"eval {worst_run:.1f}x, index {worst_build:.1f}x"
        if size == 5_000:
            row.budget = f"<= {ENGINE_RATIO:g}x 1,000"
            row.judge(worst_run <= ENGINE_RATIO, "evaluate")
            row.judge(worst_build <= ENGINE_RATIO, "build_index")
        rows.append(row)
    return rows


def import_rows(timings: dict[int, Timing]) -> list[Row]:
    """(5) Importing a ladder file: plan (parse, validate, diff) and apply (save, commit)."""
    rows = []
    for size, t in timings.items():
        row = Row(f"(5) import {size:,} competencies")
        row.cells["time/call"] = f"{_ms(t.total)} (plan {_ms(t.plan)})"
        if size != 1_000:
            row.cells["ratio"] = f"{t.total / timings[1_000].total:.1f}x 1,000"
        rows.append(row)
    return rows


def paint_row(paint: Paint | None, note: str) -> Row:
    """(6) Click to painted update in Chromium while other open rubrics poll."""
    row = Row("(6) click to painted update, Chromium")
    row.budget = f"p95 <= {PAINT_P95_MS:g} ms"
    if paint is None:
        row.cells["time/call"] = "not available"
        row.misses = [note]
        return row
    row.cells |= {"p50 ms": f"{paint.p50:.1f}", "p99 ms": ""}
    row.cells["time/call"] = f"p95 {paint.p95:.1f} ms, {len(paint.times_ms)} clicks"
    row.cells["ratio"] = f"{paint.pollers} pollers"
    row.judge(paint.p95 <= PAINT_P95_MS, "p95")
    if paint.poll_errors:
        row.judge(False, f"{paint.poll_errors} polls failed")
    return row


def _ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.2f} ms"


def text(rows: list[Row]) -> str:
    """Aligned plain text, numbers to the right."""
    table = [list(COLUMNS)] + [row.values() for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]

    def fmt(line):
        cells = []
        for column, width, value in zip(COLUMNS, widths, line, strict=True):
            cells.append(value.ljust(width) if column in LEFT else value.rjust(width))
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(table[0]), rule, *(fmt(line) for line in table[1:])])


def markdown(rows: list[Row]) -> str:
    """The same table in Markdown."""
    align = ["---" if c in LEFT else "---:" for c in COLUMNS]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(align) + "|"]
    for row in rows:
        cells = [v.replace("|", "\\|") for v in row.values()]
        if cells[0].startswith(" "):  # Markdown drops the indent of a sub-row: mark it instead
            cells[0] = "↳ " + cells[0].strip()
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
