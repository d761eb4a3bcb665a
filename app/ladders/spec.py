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


class Scale(tuple[ScaleStep, ...]):
    """A rating scale: its steps, lowest first, looked up by key.

    A tuple, so a spec compares and serialises as before; the look-ups are the one place
    that turns a stored step key into a value or a label.
    """

    def __new__(cls, steps=()):
        scale = super().__new__(cls, steps)
        scale._by_key = {step.key: step for step in scale}
        return scale

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

    def __post_init__(self) -> None:
        if not isinstance(self.scale, Scale):
            object.__setattr__(self, "scale", Scale(self.scale))

    def track(self, key: str | None) -> TrackSpec | None:
        """Return the track with this key, None if there is none."""
        return next((t for t in self.tracks if t.key == key), None)

    def track_or_first(self, key: str | None) -> TrackSpec:
        """Return the track with this key, or the first: a rubric's track may be archived."""
        return self.track(key) or self.tracks[0]
