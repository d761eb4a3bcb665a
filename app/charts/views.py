"""The progress-over-time chart of a rubric, served alone for in-place refreshes."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from jinja2_fragments.flask import render_block

from app.charts.steps import steps_chart
from app.rubric import page, service
from app.rubric.views import loaded_or_404, side_of
from app.web import is_htmx

bp = Blueprint("charts", __name__)


@bp.get("/rubrics/<int:rubric_id>/charts")
@login_required
def show(rubric_id: int):
    """Show the levels-over-time chart (htmx swaps it in place when levels move)."""
    loaded = loaded_or_404(rubric_id)
    side = side_of(loaded)
    view = page.build(loaded, side, service.ratings(rubric_id))
    context = dict(view=view, **steps_chart(view))
    if is_htmx():
        return render_block("rubric/page.html", "steps", **context)
    return render_template("rubric/charts.html", **context)
