"""Server-rendered SVG charts: a radar of category levels and a step chart over time.

Plain functions from numbers to markup, so they are tested without an app. Every text that
reaches the markup is escaped here; the caller marks the result safe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Axis:
    name: str
    mine: float  # level reached, as a position: 0 = none, 1 = the first level, ...
    theirs: float | None = None


def _pt(x: float, y: float) -> str:
    # Whole units are precise enough on a 200-unit chart and keep in-place updates small.
    return f"{round(x) + 0},{round(y) + 0}"


def radar(
    axes: list[Axis], top: int, *, title: str, description: str, mine: str, theirs: str | None
) -> Markup:
    """Draw one axis per category, a ring per level, and one polygon per side."""
    radius, n = 100.0, max(len(axes), 1)
    top = max(top, 1)

    def at(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return r * math.cos(angle) + 0.0, r * math.sin(angle) + 0.0

    def point(i: int, value: float) -> tuple[float, float]:
        return at(i, radius * max(0.0, min(value, top)) / top)

    rings = " ".join(
        "M" + " ".join(_pt(*point(i, level)) for i in range(n)) + "Z" for level in range(1, top + 1)
    )
    spokes = " ".join(f"M0,0L{_pt(*point(i, top))}" for i in range(n))
    labels = []
    for i, axis in enumerate(axes):
        x, y = at(i, radius * 1.12)
        # Anchored by class (see rungs.css): short markup keeps in-place updates small.
        anchor = "m" if abs(x) < 1 else ("s" if x > 0 else "e")
        labels.append(f'<text class="{anchor}" x="{x:.0f}" y="{y:.0f}">{escape(axis.name)}</text>')
    series = [
        f'<polygon class="series-mine" points="'
        f'{" ".join(_pt(*point(i, a.mine)) for i, a in enumerate(axes))}"/>'
    ]
    if theirs is not None:
        series.append(
            f'<polygon class="series-theirs" points="'
            f'{" ".join(_pt(*point(i, a.theirs or 0)) for i, a in enumerate(axes))}"/>'
        )
    return Markup(  # noqa: S704 - every text above went through escape()
        f'<svg class="chart radar" viewBox="-260 -125 520 250" role="img" '
        f'aria-labelledby="radar-title radar-desc"><title id="radar-title">{escape(title)}'
        f'</title><desc id="radar-desc">{escape(description)}</desc>'
        f'<path class="ring" d="{rings}"/><path class="axis" d="{spokes}"/>'
        f"{''.join(series)}{''.join(labels)}</svg>"
    )


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[date, int], ...]  # (day, level position) in time order


def steps(
    series: list[Series],
    start: date,
    end: date,
    top: int,
    level_names: list[str],
    *,
    title: str,
    description: str,
) -> Markup:
    """Draw each series as a staircase from its first day to the end day."""
    width, height, left, bottom = 420.0, 160.0, 140.0, 20.0
    span = max((end - start).days, 1)
    top = max(top, 1)

    def x(day: date) -> float:
        return left + (width - left) * (day - start).days / span

    def y(level: int) -> float:
        return (height - bottom) * (1 - level / top) + 4

    grid = "".join(
        f'<line class="grid" x1="{left}" y1="{y(i):.1f}" x2="{width}" y2="{y(i):.1f}"/>'
        f'<text x="{left - 4}" y="{y(i) + 4:.1f}" text-anchor="end">{escape(name)}</text>'
        for i, name in enumerate(["None", *level_names])
    )
    paths = []
    for k, s in enumerate(series):
        if not s.points:
            continue
        # Before its first point a series stood at no level: draw that stretch too.
        d = f"M{x(start):.1f} {y(0):.1f}"
        for day, level in s.points:
            d += f"H{x(day):.1f}V{y(level):.1f}"
        d += f"H{x(end):.1f}"
        paths.append(f'<path class="step step-{k}" data-series="{escape(s.name)}" d="{d}"/>')
    axis = (
        f'<text x="{left}" y="{height + 12}">{start.isoformat()}</text>'
        f'<text x="{width}" y="{height + 12}" text-anchor="end">{end.isoformat()}</text>'
    )
    return Markup(  # noqa: S704 - every text above went through escape()
        f'<svg class="chart steps" viewBox="0 0 {width + 10:.0f} {height + 20:.0f}" role="img" '
        f'aria-labelledby="steps-title steps-desc"><title id="steps-title">{escape(title)}'
        f'</title><desc id="steps-desc">{escape(description)}</desc>{grid}{"".join(paths)}'
        f"{axis}</svg>"
    )
