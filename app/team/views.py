"""The team dashboard: where each role starts, the team's standing and its shared gaps."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.access import person_or_404
from app.account.views import viewer_zone
from app.auth.models import User
from app.extensions import db
from app.ladders import store
from app.ladders.manage import LadderChangeRefused
from app.ladders.models import Ladder
from app.oneonone import rhythm
from app.rubric import choice
from app.team.forms import SEPARATOR, AssignmentForm
from app.team.page import reports_of, team_gaps, team_rows

bp = Blueprint("team", __name__)


@bp.get("/")
@login_required
def start():
    """Send engineers to their own rubric and managers and admins to their team."""
    if current_user.is_manager or current_user.is_admin:
        return redirect(url_for("team.index"))
    return redirect(url_for("rubric.me"))


@bp.get("/team")
@login_required
def index():
    """List the people the signed-in manager looks after, with where each one stands."""
    if not (current_user.is_manager or current_user.is_admin):
        abort(404)  # an engineer (a manager demoted, say) has no team to look after
    people = reports_of(current_user)
    rows = team_rows(people, today=rhythm.local_today(viewer_zone()))
    several = len({r.ladder.id for r in rows if r.ladder}) > 1
    return render_template("team/team.html", rows=rows, several=several)


@bp.get("/team/overview")
@login_required
def overview():
    """Show the team's strengths and gaps: a heatmap of levels and the most shared gaps."""
    if not (current_user.is_manager or current_user.is_admin):
        abort(404)
    people = reports_of(current_user)
    chosen = choice.ladders_of([p.id for p in people])
    if not chosen and not store.all_ladders():
        return render_template("ladders/none_yet.html")
    # One heatmap is one ladder's categories: the ladder asked for, else most people's.
    in_use = Counter(lad.id for lad in chosen.values())
    ladders = {lad.id: lad for lad in chosen.values()}
    wanted = store.by_key(request.args.get("ladder", ""))
    if wanted is None:
        wanted = (
            ladders[in_use.most_common(1)[0][0]] if in_use else choice.ladder_of(current_user.id)
        )
    if wanted is None:
        return render_template("ladders/none_yet.html")
    on_it = [p for p in people if p.id in chosen and chosen[p.id].id == wanted.id]
    rows = [r for r in team_rows(on_it, wanted) if r.standing]
    spec = store.stored(wanted).spec
    others = sorted((lad for lad in ladders.values() if lad.id != wanted.id), key=lambda x: x.name)
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    if sort in {c.key for c in spec.categories}:
        rows.sort(
            key=lambda r: (r.category_rung(sort), r.person.name.casefold()), reverse=descending
        )
    else:
        sort = "name"
        rows.sort(key=lambda r: r.person.name.casefold(), reverse=descending)
    return render_template(
        "team/overview.html",
        rows=rows,
        spec=spec,
        sort=sort,
        descending=descending,
        gaps=team_gaps(rows),
        ladder=wanted,
        others=others,
    )


def may_assign(person: User) -> bool:
    """Tell whether the current user may choose this person's ladder: admins, their manager."""
    return current_user.is_admin or (
        current_user.is_manager and person.manager_id == current_user.id
    )


def assignable_or_404(user_id: int) -> User:
    """Return a person whose ladder the current user may choose, else 404."""
    person = person_or_404(user_id)
    if not may_assign(person):
        abort(404)
    return person


def render_assignment(person: User, form: AssignmentForm | None = None, status: int = 200):
    """The page where an admin or manager chooses a person's ladder and track."""
    open_ladders = [(lad, store.stored(lad).spec) for lad in store.all_ladders()]
    assigned = choice.assignment_of(person.id)
    if form is None:
        current = ""
        if assigned is not None:
            ladder = db.session.get(Ladder, assigned.ladder_id)
            track = f"{SEPARATOR}{assigned.track_key}" if assigned.track_key else ""
            current = ladder.key + track
        form = AssignmentForm.offering(open_ladders, formdata=None, choice=current)
    return (
        render_template(
            "team/assignment.html",
            person=person,
            form=form,
            landing=choice.ladder_of(person.id),
            assigned=assigned,
            rubrics=choice.rubrics_of(person.id),
            may_assign=may_assign(person),
        ),
        status,
    )


@bp.get("/people/<int:user_id>/ladder")
@login_required
def assignment(user_id: int):
    """Show which ladder a person is on and why; admins and their manager may choose it."""
    return render_assignment(person_or_404(user_id))


@bp.post("/people/<int:user_id>/ladder")
@login_required
def assign(user_id: int):
    """Put a person on a ladder and track: the one they land on from now on."""
    person = assignable_or_404(user_id)
    open_ladders = [(lad, store.stored(lad).spec) for lad in store.all_ladders()]
    form = AssignmentForm.offering(open_ladders)
    if not form.validate_on_submit():
        return render_assignment(person, form, 422)
    key, track = form.chosen()
    ladder = store.by_key(key)
    try:
        rubric = choice.assign(person, ladder, track, current_user)
    except LadderChangeRefused as refused:
        db.session.rollback()
        form.choice.errors = [str(refused)]
        return render_assignment(person, form, 422)
    db.session.commit()
    flash(f"{person.name} is on the {ladder.name} ladder now. Their ratings stay.", "success")
    return redirect(url_for("rubric.show", rubric_id=rubric.id), code=303)
