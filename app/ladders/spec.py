"""The shape of a ladder, as plain data.

Importers produce a :class:`LadderSpec`, exporters consume one, the database layer stores one,
and the level engine reads one. Nothing here knows about Flask or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RuleType = Literal["all", "threshold", "points"]


@dataclass(frozen=True)
class ScaleStep:
    """One step of a rating scale; ``value`` 1.0 means demonstrated."""

    key: str
    label: str
    value: float


# The value of a rating that takes its competency out of the count: "no opportunity yet" is
# neither demonstrated nor a gap. Negative, so any sum that does not know it reads it as 0.
EXCLUDED = -1.0

# The optional rating state a ladder turns on with ``no_opportunity: true``: some
# competencies cannot be met in every team (hiring, in a team that has not had to hire).
NO_OPPORTUNITY = ScaleStep("no-opportunity", "No opportunity yet", EXCLUDED)


class Scale(tuple[ScaleStep, ...]):
    """A rating scale: its steps, lowest first, looked up by key.

    A tuple, so a spec compares and serialises as before; the look-ups are the one place
    that turns a stored step key into a value or a label. The tuple holds the valued steps
    only; "no opportunity yet", when the ladder offers it, is one more of :attr:`choices`.
    """

    def __new__(cls, steps=(), no_opportunity: bool = False):
        scale = super().__new__(cls, steps)
        scale.no_opportunity = no_opportunity
        scale._by_key = {step.key: step for step in scale}
        if no_opportunity:
            scale._by_key.setdefault(NO_OPPORTUNITY.key, NO_OPPORTUNITY)
        return scale

    @property
    def choices(self) -> tuple[ScaleStep, ...]:
        """The steps a person can pick: the scale, then "no opportunity yet" if offered."""
        return (*self, NO_OPPORTUNITY) if self.no_opportunity else tuple(self)

    def excluded(self, key: str | None) -> bool:
        """Tell whether a step takes its competency out of the count."""
        return self.no_opportunity and key == NO_OPPORTUNITY.key

    def may_move_levels(self, before: str | None, after: str | None) -> bool:
        """Tell whether changing a rating can move a level: only if it changes what counts.

        That is crossing "demonstrated", or going into or out of "no opportunity yet".
        """
        return self.demonstrated(before) != self.demonstrated(after) or (
            self.excluded(before) != self.excluded(after)
        )

    def has(self, key: str | None) -> bool:
        """Tell whether a step key belongs to the scale."""
        return key in self._by_key

    def value(self, key: str | None) -> float:
        """Return a step's value; unrated or unknown steps count as 0."""
        step = self._by_key.get(key)
        return step.value if step else 0.0

    def label(self, key: str | None) -> str:
        """Return a step's label, "Not rated" for none."""
        step = self._by_key.get(key)
        return step.label if step else "Not rated"

    def demonstrated(self, key: str | None) -> bool:
        """Tell whether a step counts as demonstrated (value 1)."""
        return self.value(key) >= 1.0


DEFAULT_SCALE = Scale(
    (
        ScaleStep("not-yet", "Not yet", 0.0),
        ScaleStep("sometimes", "Sometimes", 0.5),
        ScaleStep("consistently", "Consistently", 1.0),
    )
)


@dataclass(frozen=True)
class LevelRule:
    """How a level is reached from ratings.

    ``all``: cumulative, every competency up to the level is demonstrated.
    ``threshold``: cumulative, in each category at least ``threshold`` (0-1) of each level's
    competencies (weighted by their points, default 1) are demonstrated.
    ``points``: a category's milestone is the highest level fully met in it (cumulative);
    ``milestone_points[i]`` is what milestone *i* is worth (index 0 = no level met), the
    points of all categories add up, and the level is the highest whose
    ``level_points[level_key]`` is at most that total.
    ``approaching``: optional fraction (0-1) of the next level that earns "approaching".
    """

    type: RuleType = "all"
    threshold: float | None = None
    approaching: float | None = None
    milestone_points: tuple[int, ...] = ()
    level_points: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TrackSpec:
    key: str
    name: str
    levels: tuple[str, ...]  # level keys, lowest first; tracks may share early levels
    description: str = ""


@dataclass(frozen=True)
class LevelSpec:
    key: str
    name: str
    summary: str = ""


@dataclass(frozen=True)
class CategorySpec:
    key: str
    name: str
    summary: str = ""


@dataclass(frozen=True)
class CompetencySpec:
    key: str
    title: str
    level: str  # a LevelSpec key
    category: str  # a CategorySpec key
    description: str = ""  # Markdown
    examples: tuple[str, ...] = ()
    points: float | None = None


@dataclass(frozen=True)
class LadderSpec:
    key: str
    name: str
    tracks: tuple[TrackSpec, ...]
    levels: tuple[LevelSpec, ...]  # in a stable display order
    categories: tuple[CategorySpec, ...]
    competencies: tuple[CompetencySpec, ...]
    description: str = ""
    rule: LevelRule = field(default_factory=LevelRule)
    scale: Scale = DEFAULT_SCALE
    no_opportunity: bool = False  # offer "no opportunity yet" beside the scale's steps

    def __post_init__(self) -> None:
        scale = self.scale
        if not isinstance(scale, Scale) or scale.no_opportunity != self.no_opportunity:
            object.__setattr__(self, "scale", Scale(scale, self.no_opportunity))

    def track(self, key: str | None) -> TrackSpec | None:
        """Return the track with this key, None if there is none."""
        return next((t for t in self.tracks if t.key == key), None)

    def track_or_first(self, key: str | None) -> TrackSpec:
        """Return the track with this key, or the first: a rubric's track may be archived."""
        return self.track(key) or self.tracks[0]
