"""Everything the rubric page shows, worked out from one rubric and its ratings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from flask import url_for
from flask_wtf.csrf import generate_csrf

from app.charts import progress, svg
from app.clock import utcnow
from app.ladders import store
from app.ladders.spec import CategorySpec, CompetencySpec, LevelSpec, ScaleStep, TrackSpec
from app.levels import index as engine_index
from app.levels import standing as engine
from app.rubric import live, service
from app.rubric.service import Loaded, RatingRow

FOCUS_LIMIT = 5


@dataclass(frozen=True)
class Item:
    """One competency as the page shows it."""

    id: int
    spec: CompetencySpec
    row: RatingRow | None
    demonstrated: bool

    @property
    def self_step(self) -> str | None:
        return self.row.self_step if self.row else None

    @property
    def manager_step(self) -> str | None:
        return self.row.manager_step if self.row else None

    @property
    def evidence_count(self) -> int:
        return self.row.evidence_count if self.row else 0

    @property
    def focus(self) -> bool:
        return bool(self.row and self.row.focus)

    def mine(self, side: str) -> str | None:
        """The rating the viewer's side gave."""
        return self.self_step if side == "self" else self.manager_step

    def theirs(self, side: str) -> str | None:
        """The rating the other side gave."""
        return self.manager_step if side == "self" else self.self_step

    def changed_by(self, view: RubricView) -> str:
        """Say who last set the other side's rating and when, e.g. "Maya, 3 min ago"."""
        if self.row is None:
            return ""
        if view.primary == "self":
            at, who = self.row.manager_at, view.loaded.manager_name or "a former manager"
            if self.row.manager_by_id and self.row.manager_by_id != view.loaded.owner_manager_id:
                who = "a former manager"
        else:
            at, who = self.row.self_at, view.owner_name
        return f"{who}, {ago(at)}" if at else who


@dataclass
class RubricView:
    loaded: Loaded
    side: str | None  # what the viewer rates: "self", "manager" or None (read-only)
    stored: store.StoredLadder
    track: TrackSpec
    index: engine_index.TrackIndex
    rows: dict[int, RatingRow]
    standing: engine.Standing  # from the viewer's side (the person's own for read-only)
    other: engine.Standing | None  # the other side, when it has rated anything
    scale: tuple[ScaleStep, ...] = field(default=())
    since: int = 0  # the rubric's version (newest event id) this view shows
    here: list[tuple[int, str]] = field(default_factory=list)  # others viewing now
    as_of: date | None = None  # set when the page shows the rubric as of a past day

    @property
    def rubric(self):
        return self.loaded.rubric

    focus_limit = FOCUS_LIMIT

    @property
    def ladder(self):
        return self.loaded.ladder

    @property
    def owner_name(self) -> str:
        return self.loaded.owner_name

    @property
    def own(self) -> bool:
        return self.side == "self"

    @property
    def other_label(self) -> str:
        """How the other side is named on this page."""
        if self.primary == "self":
            return (
                f"Manager ({self.loaded.manager_name})" if self.loaded.manager_name else "Manager"
            )
        return self.owner_name

    def shows(self, item: Item, only: str | None) -> bool:
        """Tell whether a filter keeps a competency on the page."""
        if only == "gaps":
            return not item.demonstrated
        if only == "disagree":
            mine, theirs = item.mine(self.primary), item.theirs(self.primary)
            return bool(mine and theirs and mine != theirs)
        return True

    @property
    def presence(self) -> str:
        return live.presence_text(self.here)

    @property
    def seen(self) -> str:
        return live.seen_key(self.here)

    def radar(self):
        """The radar chart of category levels, both sides overlaid."""
        mine = "You" if self.own else ("Manager" if self.side == "manager" else self.owner_name)
        theirs = self.other_label if self.other else None
        axes = progress.radar_axes(self.index, self.standing, self.other)
        text = "The level reached in each category" + (f", {mine} and {theirs}" if theirs else "")
        text += "; the numbers are in the table that follows."
        return (
            svg.radar(
                axes,
                len(self.index.levels),
                title="Level by category",
                description=text,
                mine=mine,
                theirs=theirs,
            ),
            axes,
            mine,
            theirs,
        )

    def level_name(self, pos: float | None) -> str:
        if not pos:
            return "No level yet"
        return self.index.levels[int(pos) - 1].name

    @property
    def open_gaps(self) -> int:
        return sum(len(c.items) for c in self.standing.gaps.categories)

    @property
    def primary(self) -> str:
        return self.side or "self"

    def item(self, competency_id: int) -> Item:
        key = self.stored.competency_keys[competency_id]
        spec = self.stored.competencies[key]
        row = self.rows.get(competency_id)
        step = (row.self_step if self.primary == "self" else row.manager_step) if row else None
        return Item(competency_id, spec, row, self.step_value(step) >= 1.0)

    def step_value(self, step: str | None) -> float:
        return next((s.value for s in self.scale if s.key == step), 0.0)

    def step_label(self, step: str | None) -> str:
        return next((s.label for s in self.scale if s.key == step), "Not rated")

    def levels(self) -> list[tuple[LevelSpec, list[tuple[CategorySpec, list[Item]]]]]:
        """Return the track's levels, each with its categories and their competencies."""
        return [self.level(li) for li in range(len(self.index.levels))]

    def level(self, li: int) -> tuple[LevelSpec, list[tuple[CategorySpec, list[Item]]]]:
        """Return one level (by position) with its categories and their competencies."""
        ids = self.stored.competency_ids
        cats = []
        for ci, category in enumerate(self.index.categories):
            items = [self.item(ids[c.key]) for c in self.index.cells[li][ci]]
            if items:
                cats.append((category, items))
        return self.index.levels[li], cats

    def focused(self) -> list[Item]:
        keys = self.stored.competency_keys
        return [self.item(cid) for cid, row in self.rows.items() if row.focus and cid in keys]

    def category(self, key: str) -> engine.CategoryStanding | None:
        return next((c for c in self.standing.categories if c.key == key), None)

    def level_position(self, key: str | None) -> int:
        keys = [lv.key for lv in self.index.levels]
        return keys.index(key) if key in keys else -1

    def anchor(self, key: str) -> str:
        return f"c-{self.stored.competency_ids[key]}"

    def rate_url(self, competency_id: int) -> str:
        return self._urls["rate"].format(competency_id)

    def focus_url(self, competency_id: int) -> str:
        return self._urls["focus"].format(competency_id)

    def evidence_url(self, competency_id: int) -> str:
        return self._urls["evidence"].format(competency_id)

    @cached_property
    def _urls(self) -> dict[str, str]:
        # url_for once per page, not four times per competency: a ladder can have thousands.
        marker = 987654321
        ids = dict(rubric_id=self.rubric.id, competency_id=marker)
        return {
            name: url_for(endpoint, **ids).replace(str(marker), "{}")
            for name, endpoint in (
                ("rate", "rubric.rate"),
                ("focus", "rubric.focus"),
                ("evidence", "evidence.index"),
            )
        }

    @cached_property
    def csrf(self) -> str:
        return generate_csrf()

    def eager(self, position: int, only: str | None, open_level: str | None) -> bool:
        """Tell whether a level's competencies are on the page from the start.

        Everything up to the target is; higher levels load when opened, so a big ladder
        still gives a small page. Filters and past views show every level.
        """
        if only or self.as_of or open_level == self.index.levels[position].key:
            return True
        target = self.level_position(self.standing.target)
        return position <= max(target, self.level_position(self.standing.level))


def side_levels(loaded: Loaded, side: str, rows: dict[int, RatingRow]) -> tuple:
    """The category levels one side has reached: what the radar shows of that side."""
    stored = store.stored(loaded.ladder)
    track = next(
        (t for t in stored.spec.tracks if t.key == loaded.rubric.track_key), stored.spec.tracks[0]
    )
    index = service.track_index(stored, track.key)
    standing = engine.evaluate(index, service.values(stored, rows, side))
    return tuple(c.level for c in standing.categories)


def ago(at: datetime, now: datetime | None = None) -> str:
    """Describe a past moment briefly: "just now", "5 min ago", "3 Nov 14:02"."""
    seconds = ((now or utcnow()) - at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return at.strftime("%-d %b %H:%M UTC")


def build(
    loaded: Loaded,
    side: str | None,
    rows: dict[int, RatingRow],
    *,
    since: int = 0,
    here: list[tuple[int, str]] | None = None,
    track_key: str | None = None,
    target_key: str | None = None,
) -> RubricView:
    """Compute the standing of both sides and gather what the page needs.

    ``track_key`` and ``target_key`` show another track or target than the stored ones
    (the rubric as it was on a past day) without touching the rubric itself.
    """
    stored = store.stored(loaded.ladder)
    spec = stored.spec
    wanted = track_key or loaded.rubric.track_key
    track = next((t for t in spec.tracks if t.key == wanted), spec.tracks[0])
    index = service.track_index(stored, track.key)
    primary = side or "self"
    other_side = "manager" if primary == "self" else "self"
    target = target_key if track_key else loaded.rubric.target_key
    mine = service.values(stored, rows, primary)
    theirs = service.values(stored, rows, other_side)
    return RubricView(
        loaded=loaded,
        side=side,
        stored=stored,
        track=track,
        index=index,
        rows=rows,
        standing=engine.evaluate(index, mine, target),
        other=engine.evaluate(index, theirs, target) if theirs else None,
        scale=spec.scale,
        since=since,
        here=here or [],
    )
