"""Count the SQL statements an app sends: the rule of the bench's and the tests' budgets."""

from __future__ import annotations

# Transaction control is the driver's business, not the request's work.
IGNORED = {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE"}


class QueryCounter:
    """A ``before_cursor_execute`` listener that keeps every statement but transaction control."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        word = statement.lstrip().split(None, 1)[0].upper()
        if word not in IGNORED:
            self.statements.append(statement)
