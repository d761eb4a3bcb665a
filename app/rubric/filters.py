"""The filter within a rubric: which competencies the page keeps, and the one remembered.

A filter is some text and some kinds ("unrated", "gaps", ...); a competency stays when its
words contain the text and it is of every kind ticked. The value knows nothing of Flask; the
two functions at the end load and save a person's filter for one rubric.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.rubric.models import FILTER_TEXT, SavedFilter

if TYPE_CHECKING:
    from app.rubric.page import Item, RubricPage


@dataclass(frozen=True)
class Kind:
    """One box of the filter: its label and the test a competency must pass."""

    key: str
    label: str
    keeps: Callable[[RubricPage, Item], bool]


# The one list of kinds, in the order the form shows them.
KINDS = (
    Kind("unrated", "Unrated", lambda page, item: item.mine is None),
    Kind("gaps", "Gaps to target", lambda page, item: item.spec.key in page.gap_keys),
    Kind("disagree", "Disagreements", lambda page, item: item.disagree),
    Kind("focus", "Focus", lambda page, item: item.focus),
    # Rated before a new ladder version reworded it, and not kept or rated again since.
    Kind("changed", "Wording changed", lambda page, item: item.wording_changed),
)
BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass(frozen=True)
class Filter:
    """What the viewer asked the rubric to show; empty keeps everything."""

    text: str = ""
    show: tuple[str, ...] = ()  # keys of KINDS, in KINDS order

    @classmethod
    def of(cls, text: str | None, show: list[str] | tuple[str, ...]) -> Filter:
        """Build a filter from what a form or a query string sent, dropping unknown kinds."""
        wanted = set(show)
        kinds = tuple(kind.key for kind in KINDS if kind.key in wanted)
        return cls(" ".join((text or "").split())[:FILTER_TEXT], kinds)

    @classmethod
    def from_args(cls, args) -> Filter | None:
        """Read a filter from a query string; None when it names none (use the saved one).

        ``only=gaps`` and ``only=disagree`` are the older addresses of two kinds; links
        such as "Show all 42 open competencies" still use them.
        """
        if not any(name in args for name in ("q", "show", "only")):
            return None
        return cls.of(args.get("q"), args.getlist("show") + args.getlist("only"))

    def __bool__(self) -> bool:
        return bool(self.text or self.show)

    def keeps(self, page: RubricPage, item: Item) -> bool:
        """Tell whether a competency passes the filter."""
        if self.text and self.text.casefold() not in words_of(item):
            return False
        return all(BY_KEY[key].keeps(page, item) for key in self.show)

    def args(self) -> dict[str, object]:
        """The query string that shows this filter (empty for none)."""
        found: dict[str, object] = {}
        if self.text:
            found["q"] = self.text
        if self.show:
            found["show"] = list(self.show)
        return found

    def describe(self) -> str:
        """Say in words what the filter keeps: "Unrated, Focus, with “deploy”"."""
        parts = [BY_KEY[key].label for key in self.show]
        if self.text:
            parts.append(f"with “{self.text}”")
        return ", ".join(parts)


def words_of(item: Item) -> str:
    """The words a text filter searches: title, description and examples."""
    spec = item.spec
    return " ".join((spec.title, spec.description or "", *spec.examples)).casefold()


def remembered(saved: tuple[str, str] | None) -> Filter:
    """Return the filter a saved (text, show) pair says; an empty one for none."""
    if saved is None:
        return Filter()
    text, show = saved
    return Filter.of(text, show.split(","))


def save(user_id: int, rubric_id: int, chosen: Filter) -> None:
    """Remember a person's filter on a rubric; an empty filter forgets it."""
    row = db.session.get(SavedFilter, (user_id, rubric_id))
    if not chosen:
        if row is not None:
            db.session.delete(row)
        db.session.commit()
        return
    if row is None:
        row = SavedFilter(user_id=user_id, rubric_id=rubric_id)
        db.session.add(row)
    row.text, row.show, row.saved_at = chosen.text, ",".join(chosen.show), utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        # Two tabs saved the first filter at once: the other row stands, so update it.
        db.session.rollback()
        row = db.session.get(SavedFilter, (user_id, rubric_id))
        row.text, row.show, row.saved_at = chosen.text, ",".join(chosen.show), utcnow()
        db.session.commit()
