"""The radar of category levels: one axis per category, one polygon per side."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from app.charts import svg
from app.levels.index import TrackIndex
from app.levels.standing import Standing


@dataclass(frozen=True)
class Radar:
    """The chart and the numbers behind it, for the table that follows the chart."""

    chart: Markup
    axes: list[svg.Axis]
    mine: str
    theirs: str | None


def axes(index: TrackIndex, mine: Standing, theirs: Standing | None) -> list[svg.Axis]:
    """One axis per category: the rung reached on each side."""
    other = {c.key: c for c in theirs.categories} if theirs else {}
    return [
        svg.Axis(
            c.name,
            index.rung(c.level),
            index.rung(other[c.key].level) if c.key in other else None,
        )
        for c in mine.categories
    ]


def category_radar(
    index: TrackIndex, mine: Standing, theirs: Standing | None, mine_label: str, theirs_label: str
) -> Radar:
    """Draw the levels reached in each category, both sides overlaid when both rated."""
    found = axes(index, mine, theirs)
    other = theirs_label if theirs else None
    text = "Each category's level" + (f", {mine_label} and {other}" if other else "")
    text += "; numbers in the table below."  # short: it travels with every level move
    chart = svg.radar(
        found,
        len(index.levels),
        title="Level by category",
        description=text,
        mine=mine_label,
        theirs=other,
    )
    return Radar(chart, found, mine_label, other)
