"""The team dashboard: where each role starts, the team's standing and its shared gaps."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.account.views import viewer_zone
from app.ladders import store
from app.oneonone import rhythm
from app.team.page import Row, reports_of, team_gaps, team_rows

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
    ladders = store.all_ladders()
    rows = (
        team_rows(people, ladders[0], rhythm.local_today(viewer_zone()))
        if ladders
        else [Row(p, None, "", None, None, None) for p in people]
    )
    return render_template("team/team.html", rows=rows, ladder=ladders[0] if ladders else None)


@bp.get("/team/overview")
@login_required
def overview():
    """Show the team's strengths and gaps: a heatmap of levels and the most shared gaps."""
    if not (current_user.is_manager or current_user.is_admin):
        abort(404)
    ladders = store.all_ladders()
    if not ladders:
        return render_template("ladders/none_yet.html")
    rows = [r for r in team_rows(reports_of(current_user), ladders[0]) if r.standing]
    spec = store.stored(ladders[0]).spec
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
    )
