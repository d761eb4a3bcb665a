"""What a backup or restore holds, in a line a person can check."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

SKIP = {"alembic_version"}


def row_counts(conn: Connection) -> dict[str, int]:
    """Count the rows of every table in the schema, within the connection's transaction."""
    quote = conn.dialect.identifier_preparer.quote
    # Table names come from the database itself, quoted as identifiers.
    return {
        name: conn.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one()  # noqa: S608
        for name in sorted(inspect(conn).get_table_names())
    }


def holds_data(conn: Connection) -> bool:
    """Tell whether any table besides Alembic's bookkeeping has a row."""
    quote = conn.dialect.identifier_preparer.quote
    return any(
        conn.execute(text(f"SELECT 1 FROM {quote(name)} LIMIT 1")).first()  # noqa: S608
        for name in inspect(conn).get_table_names()
        if name not in SKIP
    )


def describe(counts: dict[str, int]) -> str:
    """'13 tables, 208 rows (users 5, ratings 40, ...)': the non-empty tables, biggest first."""
    tables = {name: n for name, n in counts.items() if name not in SKIP}
    rows = sum(tables.values())
    busy = sorted((pair for pair in tables.items() if pair[1]), key=lambda p: (-p[1], p[0]))
    detail = ", ".join(f"{name} {n}" for name, n in busy)
    return f"{len(tables)} tables, {rows} rows" + (f" ({detail})" if detail else "")


def size(n: int) -> str:
    """A byte count as people read it."""
    if n < 1024:
        return f"{n} bytes"
    value, units = n / 1024, ["KiB", "MiB", "GiB"]
    while value >= 1024 and len(units) > 1:
        value /= 1024
        units.pop(0)
    return f"{value:.1f} {units[0]}"
