"""The two sides of a rubric: the person's own ratings and their manager's."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Whose rating: the person's own (``self``) or their manager's."""

    SELF = "self"
    MANAGER = "manager"

    @property
    def other(self) -> Side:
        """The side across the table."""
        return Side.MANAGER if self is Side.SELF else Side.SELF
