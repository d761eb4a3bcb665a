"""The landing pages: where each role starts."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.ladders import store
from app.levels import index as engine_index
from app.levels import standing as engine
from app.oneonone.views import last_meetings
from app.rubric import service
from app.rubric.models import Rating, Rubric

bp = Blueprint("home", __name__)


@dataclass(frozen=True)
class Row:
    person: User
    rubric: Rubric | None
    track: str
    standing: engine.Standing | None
    manager_standing: engine.Standing | None
    last_meeting: object | None
    index: engine_index.TrackIndex | None = None
    ratings: dict | None = None

    def category_level(self, key: str) -> str | None:
        found = next((c for c in self.standing.categories if c.key == key), None)
        return found.level if found else None

    def category_position(self, key: str) -> int:
        level = self.category_level(key)
        keys = [lv.key for lv in self.index.levels]
        return keys.index(level) + 1 if level in keys else 0


@bp.get("/")
@login_required
def index():
    """Send engineers to their own rubric and managers and admins to their team."""
    if current_user.is_manager or current_user.is_admin:
        return redirect(url_for("home.team"))
    return redirect(url_for("rubric.me"))


@bp.get("/team")
@login_required
def team():
    """List the people the signed-in manager looks after, with where each one stands."""
    people = reports_of(current_user)
    ladders = store.all_ladders()
    rows = (
        team_rows(people, ladders[0])
        if ladders
        else [Row(p, None, "", None, None, None) for p in people]
    )
    return render_template("home/team.html", rows=rows, ladder=ladders[0] if ladders else None)


def team_rows(people: list[User], ladder) -> list[Row]:
    """Compute each person's standing on a ladder with one query for all their ratings."""
    stored = store.stored(ladder)
    rubrics = {
        r.user_id: r
        for r in db.session.scalars(
            select(Rubric).where(
                Rubric.ladder_id == ladder.id, Rubric.user_id.in_([p.id for p in people])
            )
        )
    }
    by_rubric: dict[int, dict[int, service.RatingRow]] = {r.id: {} for r in rubrics.values()}
    if by_rubric:
        for row in db.session.execute(
            select(
                Rating.rubric_id,
                Rating.competency_id,
                Rating.self_step,
                Rating.manager_step,
                Rating.evidence_count,
                Rating.focus,
            ).where(Rating.rubric_id.in_(list(by_rubric)))
        ):
            by_rubric[row[0]][row[1]] = service.RatingRow(*row[2:])
    meetings = last_meetings(list(by_rubric))
    tracks = {t.key: t for t in stored.spec.tracks}
    rows = []
    for person in people:
        rubric = rubrics.get(person.id)
        if rubric is None:
            rows.append(Row(person, None, "", None, None, None))
            continue
        track = tracks.get(rubric.track_key, stored.spec.tracks[0])
        index = service.track_index(stored, track.key)
        ratings = by_rubric[rubric.id]
        mine = service.values(stored, ratings, "self")
        own = engine.evaluate(index, mine, rubric.target_key)
        theirs = service.values(stored, ratings, "manager")
        managers = engine.evaluate(index, theirs, rubric.target_key) if theirs else None
        rows.append(
            Row(
                person,
                rubric,
                track.name,
                own,
                managers,
                meetings.get(rubric.id),
                index,
                mine,
            )
        )
    return rows


@bp.get("/team/overview")
@login_required
def overview():
    """Show the team's strengths and gaps: a heatmap of levels and the most shared gaps."""
    if not (current_user.is_manager or current_user.is_admin):
        abort(404)
    ladders = store.all_ladders()
    if not ladders:
        return render_template("rubric/no_ladder.html")
    people = reports_of(current_user)
    rows = [r for r in team_rows(people, ladders[0]) if r.standing]
    spec = store.stored(ladders[0]).spec
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    if sort in {c.key for c in spec.categories}:
        rows.sort(
            key=lambda r: (r.category_position(sort), r.person.name.casefold()), reverse=descending
        )
    else:
        sort = "name"
        rows.sort(key=lambda r: r.person.name.casefold(), reverse=descending)
    return render_template(
        "home/overview.html",
        rows=rows,
        spec=spec,
        sort=sort,
        descending=descending,
        gaps=team_gaps(rows),
    )


def reports_of(viewer: User) -> list[User]:
    """The people whose data a manager (their reports) or an admin (everyone) sees."""
    query = select(User).where(User.active)
    if not viewer.is_admin:
        query = query.where(User.manager_id == viewer.id)
    return list(db.session.scalars(query.order_by(User.name)))


@dataclass(frozen=True)
class SharedGap:
    title: str
    category: str
    level: str
    missing: tuple[str, ...]  # who still lacks it for their next level


def team_gaps(rows: list[Row], limit: int = 10) -> list[SharedGap]:
    """The competencies of each person's next level that most of the team is missing."""
    found: dict[str, SharedGap] = {}
    for row in rows:
        if row.standing.next_level is None:
            continue
        gaps = engine.gaps_to(row.index, row.ratings, row.standing.next_level)
        levels = {lv.key: lv.name for lv in row.index.levels}
        for category in gaps.categories:
            for item in category.items:
                if item.level != row.standing.next_level:
                    continue  # only what the next level adds
                seen = found.get(item.key)
                who = (*seen.missing, row.person.name) if seen else (row.person.name,)
                found[item.key] = SharedGap(item.title, category.name, levels[item.level], who)
    shared = sorted(found.values(), key=lambda g: (-len(g.missing), g.title))
    return [g for g in shared if len(g.missing) > 1][:limit] or shared[:limit]
