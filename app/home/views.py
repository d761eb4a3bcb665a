"""The landing pages: where each role starts."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.ladders import store
from app.oneonone.views import last_meetings
from app.rubric import engine, service
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
    if current_user.is_admin:
        people = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    else:
        people = db.session.scalars(
            select(User).where(User.manager_id == current_user.id, User.active).order_by(User.name)
        ).all()
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
        own = engine.evaluate(index, service.values(stored, ratings, "self"), rubric.target_key)
        theirs = service.values(stored, ratings, "manager")
        managers = engine.evaluate(index, theirs, rubric.target_key) if theirs else None
        rows.append(Row(person, rubric, track.name, own, managers, meetings.get(rubric.id)))
    return rows
