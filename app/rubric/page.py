"""The read model of a rubric: what one viewer sees of it, worked out once per request.

A :class:`RubricPage` holds the ladder's track laid out, every rating row, and the standing
of each side, computed lazily: a click that redraws one competency and the badge pays for
one evaluation, not three. It knows nothing of URLs, forms or charts; the template gets
those from :mod:`app.rubric.render`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from app.ladders import store
from app.ladders.spec import CategorySpec, CompetencySpec, LevelSpec, Scale, TrackSpec
from app.levels import incremental
from app.levels.incremental import Kept
from app.levels.index import TrackIndex
from app.levels.standing import Standing
from app.rubric.filters import Filter
from app.rubric.queries import NO_RATING, OwnedRubric, RatingRow
from app.rubric.side import Side

FOCUS_LIMIT = 5
# Competencies a page shows up front. Past that its categories start closed and load when
# opened, so a ladder of thousands still gives a page of tens of kilobytes.
SHOWN_UP_FRONT = 120


@dataclass(frozen=True)
class Rung:
    """One level of the track as the ladder picture draws it, from the page's side."""

    key: str
    name: str
    reached: bool  # at or below the person's level
    here: bool  # the person's level
    target: bool  # the target level the person chose
    next: bool  # the next level above theirs
    categories: tuple[str, ...]  # the categories whose own level is this one
    theirs: bool = False  # the other side's ratings put the person here


@dataclass(frozen=True)
class Item:
    """One competency as the page shows it, from the viewer's side."""

    id: int
    spec: CompetencySpec
    row: RatingRow
    side: Side  # the side the page is seen from
    demonstrated: bool
    wording_changed_at: datetime | None = None  # when its words last changed, if ever

    @property
    def wording_changed(self) -> bool:
        """Tell whether the words changed after the page's side rated it ("look again")."""
        changed, rated = self.wording_changed_at, self.row.at(self.side)
        return changed is not None and rated is not None and rated < changed

    @property
    def mine(self) -> str | None:
        """The rating the page's side gave."""
        return self.row.step(self.side)

    @property
    def theirs(self) -> str | None:
        """The rating the other side gave."""
        return self.row.step(self.side.other)

    @property
    def disagree(self) -> bool:
        """Tell whether both sides rated and differ."""
        return bool(self.mine and self.theirs and self.mine != self.theirs)

    @property
    def evidence_count(self) -> int:
        return self.row.evidence_count

    @property
    def focus(self) -> bool:
        return self.row.focus


class Cell:
    """The competencies of one (level, category) cell, as a page lists them.

    Its size and how many are demonstrated come from the ladder and the kept standing when
    the page has one; its items (and so the rating rows) are only built when listed.
    """

    def __init__(self, page: RubricPage, level: int, category: int):
        self.page, self.level, self.category = page, level, category
        self.specs = page.index.cells[level][category]

    def __len__(self) -> int:
        return len(self.specs)

    def __iter__(self):
        return iter(self.items)

    @cached_property
    def items(self) -> list[Item]:
        ids = self.page.stored.competency_ids
        return [self.page.item(ids[c.key]) for c in self.specs]

    @property
    def demonstrated(self) -> int:
        """Count the competencies shown as demonstrated, for the cell's summary."""
        page = self.page
        if page.kept is None or "items" in self.__dict__:
            return sum(1 for item in self.items if item.demonstrated)
        counts = page.kept[page.primary].cells[self.level][self.category].counts
        scale = page.scale
        return sum(
            n for step, n in zip(scale.choices, counts, strict=True) if scale.demonstrated(step.key)
        )


def side_ratings(
    stored: store.StoredLadder, rows: Mapping[int, RatingRow], side: Side
) -> dict[str, float]:
    """Turn one side's rating steps into the engine's competency-key-to-value map."""
    scale, keys = stored.spec.scale, stored.competency_keys
    found = {}
    for cid, row in rows.items():
        step = row.step(side)
        if step is not None and cid in keys:
            found[keys[cid]] = scale.value(step)
    return found


@dataclass
class RubricPage:
    """One rubric as one viewer sees it: its track, its rows, and each side's standing."""

    owned: OwnedRubric
    side: Side | None  # what the viewer rates; None when they only look
    stored: store.StoredLadder
    track: TrackSpec
    index: TrackIndex
    rows: dict[int, RatingRow]  # every row, or only some when ``rest`` is set
    target_key: str | None
    since: int = 0  # the rubric's version (newest event id) this page shows
    here: list[tuple[int, str]] = field(default_factory=list)  # others viewing now
    as_of: date | None = None  # set when the page shows the rubric as of a past day
    # Each side's kept standing (app/rubric/standings): a click has these, not every row.
    kept: dict[Side, Kept] | None = None
    kept_changed: set[Side] = field(default_factory=set)  # to be written with the click
    # Set when ``rows`` holds only the focused ones (with kept standings, a page that lists
    # no competency needs no other): reads every row the first time another is asked for.
    rest: Callable[[], dict[int, RatingRow]] | None = None

    focus_limit = FOCUS_LIMIT

    @property
    def rubric(self):
        return self.owned.rubric

    @property
    def ladder(self):
        return self.owned.ladder

    @property
    def ladder_archived(self) -> bool:
        """Tell whether the ladder is archived: the rubric is then read-only."""
        return self.owned.ladder.archived

    @property
    def scale(self) -> Scale:
        return self.stored.spec.scale

    @property
    def own(self) -> bool:
        """Tell whether the viewer is the person whose rubric this is."""
        return self.side is Side.SELF

    @property
    def primary(self) -> Side:
        """The side the page is seen from: the viewer's, or the person's for onlookers."""
        return self.side or Side.SELF

    def ratings(self, side: Side) -> dict[str, float]:
        """One side's ratings as the engine reads them."""
        return side_ratings(self.stored, self.all_rows(), side)

    def all_rows(self) -> dict[int, RatingRow]:
        """Every rating row of the rubric, read now if the page had only some."""
        if self.rest is not None:
            self.rows, self.rest = self.rest(), None
        return self.rows

    def standing_of(self, side: Side) -> Standing:
        """Where one side's ratings put the person, towards the rubric's target."""
        return incremental.evaluate(self.index, self.scale, self.kept_of(side), self.target_key)

    def kept_of(self, side: Side) -> Kept:
        """One side's kept standing, or counted from the rows when the page has none: the
        same counts, and evaluating counts is about twice as fast as from values."""
        return self.kept[side] if self.kept is not None else self.counted(side)

    def category_levels(self) -> tuple[str | None, ...]:
        """The level of each category from the page's side, as its standing says, without
        working out the rest of it (the gaps, the progress): what a click compares."""
        if "standing" in self.__dict__:
            return self.standing.category_levels
        return incremental.category_levels(self.index, self.scale, self.kept_of(self.primary))

    def counted(self, side: Side) -> Kept:
        """Count one side's rating rows as a kept standing would."""
        keys = self.stored.competency_keys
        rows = self.all_rows()
        steps = {keys[cid]: row.step(side) for cid, row in rows.items() if cid in keys}
        return incremental.full(self.index, self.scale, steps)

    @cached_property
    def standing(self) -> Standing:
        """The standing from the page's side."""
        return self.standing_of(self.primary)

    @cached_property
    def other(self) -> Standing | None:
        """The other side's standing, when it has rated anything on this track."""
        kept = self.kept_of(self.primary.other)
        if not kept.rated:
            return None
        return incremental.evaluate(self.index, self.scale, kept, self.target_key)

    def set_row(self, competency_id: int, row: RatingRow) -> None:
        """Take a changed row in; standings are worked out again when next asked for."""
        self.rows[competency_id] = row
        for worked_out in ("standing", "other", "gap_keys"):
            self.__dict__.pop(worked_out, None)

    def row(self, competency_id: int) -> RatingRow:
        found = self.rows.get(competency_id)
        if found is None and self.rest is not None:
            found = self.all_rows().get(competency_id)
        return found or NO_RATING

    def item(self, competency_id: int) -> Item:
        spec = self.stored.competencies[self.stored.competency_keys[competency_id]]
        row = self.row(competency_id)
        side = self.primary
        return Item(
            competency_id,
            spec,
            row,
            side,
            self.scale.demonstrated(row.step(side)),
            self.stored.wording_changed.get(competency_id),
        )

    @cached_property
    def gap_keys(self) -> frozenset[str]:
        """The competencies still open on the way to the target: what "only gaps" shows."""
        return frozenset(i.key for c in self.standing.gaps.categories for i in c.items)

    def shows(self, item: Item, only: Filter | None) -> bool:
        """Tell whether a filter keeps a competency on the page."""
        return not only or only.keeps(self, item)

    def shows_any(self, items: list[Item], only: Filter | None) -> bool:
        """Tell whether a filter keeps any of these competencies, so their heading shows."""
        return not only or any(self.shows(item, only) for item in items)

    def outline(
        self, only: Filter | None
    ) -> list[tuple[LevelSpec, list[tuple[CategorySpec, int]]]]:
        """Return the levels and categories a filter keeps, with how many competencies each."""
        ids, found = self.stored.competency_ids, []
        for li, level in enumerate(self.index.levels):
            cats = []
            for ci, category in enumerate(self.index.categories):
                cell = self.index.cells[li][ci]
                count = (
                    sum(self.shows(self.item(ids[c.key]), only) for c in cell)
                    if only
                    else len(cell)
                )
                if count:
                    cats.append((category, count))
            if cats or not only:
                found.append((level, cats))
        return found

    def count_kept(self, only: Filter | None) -> int:
        """Count the competencies of the track a filter keeps."""
        return sum(count for _, cats in self.outline(only) for _, count in cats)

    def levels(self) -> list[tuple[LevelSpec, list[tuple[CategorySpec, Cell]]]]:
        """Return the track's levels, each with its categories and their competencies."""
        return [self.level(li) for li in range(len(self.index.levels))]

    def level(self, li: int) -> tuple[LevelSpec, list[tuple[CategorySpec, Cell]]]:
        """Return one level (by position) with its categories and their competencies."""
        cats = [
            (category, Cell(self, li, ci))
            for ci, category in enumerate(self.index.categories)
            if self.index.cells[li][ci]
        ]
        return self.index.levels[li], cats

    def level_items(self, li: int) -> list[Item]:
        """Every competency of one level (by position), for a filter to look through."""
        return [item for _, cell in self.level(li)[1] for item in cell]

    def rungs(self) -> list[Rung]:
        """Return the track's levels top first, marking the person, target and categories."""
        standing, index = self.standing, self.index
        here = index.position(standing.level)
        theirs = index.position(self.other.level) if self.other else None
        by_level: dict[str, list[str]] = {}
        for category in standing.categories:
            if category.level:
                by_level.setdefault(category.level, []).append(category.name)
        rungs = [
            Rung(
                key=level.key,
                name=level.name,
                reached=position <= here,
                here=position == here,
                target=level.key == self.target_key,
                next=level.key == standing.next_level,
                categories=tuple(by_level.get(level.key, ())),
                theirs=position == theirs,
            )
            for position, level in enumerate(index.levels)
        ]
        return rungs[::-1]

    def unplaced(self) -> list[str]:
        """Name the categories with no level of their own yet: they stand below the ladder."""
        return [c.name for c in self.standing.categories if not c.level]

    def focused(self) -> list[Item]:
        keys = self.stored.competency_keys
        return [self.item(cid) for cid, row in self.rows.items() if row.focus and cid in keys]

    def anchor(self, key: str) -> str:
        """The id of a competency's element on the page."""
        return f"c-{self.stored.competency_ids[key]}"

    def eager(self, position: int, only: Filter | None, open_level: str | None) -> bool:
        """Tell whether a level's competencies are on the page from the start.

        Everything up to the target is; higher levels load when opened, so a big ladder
        still gives a small page. Filters and past views show every level.
        """
        if only or self.as_of or open_level == self.index.levels[position].key:
            return True
        reached = self.index.position(self.standing.level)
        return position <= max(self.index.position(self.standing.target), reached)

    def category_open(self, position: int, only: Filter | None, open_level: str | None) -> bool:
        """Tell whether the categories of a level show their competencies from the start.

        They do on a small page, and wherever the viewer asked for everything (a filter,
        a past day, a level opened by its link); otherwise each opens on demand.
        """
        if only or self.as_of or open_level == self.index.levels[position].key:
            return True
        if self.eager(position, only, open_level):
            shown = sum(self.level_size(li) for li in self._eager_positions(only, open_level))
        else:
            shown = self.level_size(position)  # a level loaded on its own, when opened
        return shown <= SHOWN_UP_FRONT

    def lists_competencies(self, only: Filter | None, open_level: str | None) -> bool:
        """Tell whether the page lists any competency up front (then it needs every row)."""
        return any(
            self.category_open(li, only, open_level)
            for li in self._eager_positions(only, open_level)
        )

    def _eager_positions(self, only: Filter | None, open_level: str | None) -> list[int]:
        return [li for li in range(len(self.index.levels)) if self.eager(li, only, open_level)]

    def level_size(self, position: int) -> int:
        """Count the competencies of one level of the track."""
        return sum(len(cell) for cell in self.index.cells[position])


def build(
    owned: OwnedRubric,
    side: Side | None,
    rows: dict[int, RatingRow],
    *,
    since: int = 0,
    here: list[tuple[int, str]] | None = None,
    track_key: str | None = None,
    target_key: str | None = None,
    as_of: date | None = None,
    stored: store.StoredLadder | None = None,
) -> RubricPage:
    """Gather what the page needs; standings are worked out when first asked for.

    ``track_key`` and ``target_key`` show another track or target than the stored ones
    (the rubric as it was on a past day) without touching the rubric itself; ``stored``
    shows another version of the ladder (the one in force that day).
    """
    stored = stored or store.stored(owned.ladder)
    track = stored.spec.track_or_first(track_key or owned.rubric.track_key)
    return RubricPage(
        owned=owned,
        side=side,
        stored=stored,
        track=track,
        index=stored.index(track.key),
        rows=rows,
        target_key=target_key if track_key else owned.rubric.target_key,
        since=since,
        here=here or [],
        as_of=as_of,
    )
