"""Ladder pages: the list, the grid with search, level comparison, import and export."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy import delete, select

from app.access import admin_required
from app.audit import log as audit
from app.clock import utcnow
from app.extensions import db
from app.ladders import browse, formats, importer, store
from app.ladders.formats import LadderFormatError
from app.ladders.forms import ApplyForm, ImportForm
from app.ladders.models import PendingImport
from app.web import is_htmx

bp = Blueprint("ladders", __name__, url_prefix="/ladders")

PENDING_TTL = timedelta(hours=1)


def ladder_or_404(key: str) -> store.StoredLadder:
    found = store.by_key(key)
    if found is None:
        abort(404)
    return store.stored(found)


@bp.get("/")
@login_required
def index():
    """List the ladders of this installation."""
    ladders = [store.stored(lad).spec for lad in store.all_ladders()]
    return render_template("ladders/index.html", ladders=ladders)


@bp.get("/<key>")
@login_required
def show(key: str):
    """Show a ladder as a grid of levels by categories, filtered by a search."""
    ladder = store.by_key(key)
    if ladder is None:
        abort(404)
    spec = store.stored(ladder).spec
    track = spec.track_or_first(request.args.get("track"))
    query = request.args.get("q", "")[:200]
    rows = browse.grid(spec, track, query)
    found = sum(r.count for r in rows)
    context = dict(spec=spec, track=track, query=query, rows=rows, ladder=ladder, found=found)
    if is_htmx() and request.headers.get("HX-Target") == "grid":
        response = Response(render_block("ladders/show.html", "grid", **context))
    else:
        response = Response(render_template("ladders/show.html", **context))
    response.vary.add("HX-Request")
    return response


@bp.get("/<key>/compare")
@login_required
def compare(key: str):
    """Compare two levels of a track side by side."""
    spec = ladder_or_404(key).spec
    track = spec.track_or_first(request.args.get("track"))
    levels = list(track.levels)
    lower = request.args.get("from") if request.args.get("from") in levels else levels[0]
    default_upper = levels[min(levels.index(lower) + 1, len(levels) - 1)]
    upper = request.args.get("to") if request.args.get("to") in levels else default_upper
    comparison = browse.compare(spec, track, lower, upper)
    names = {lv.key: lv.name for lv in spec.levels}
    return render_template(
        "ladders/compare.html",
        spec=spec,
        track=track,
        names=names,
        comparison=comparison,
        # Asked the other way round, the comparison runs upwards: the selects say so too.
        lower=comparison.lower.key,
        upper=comparison.upper.key,
    )


@bp.get("/<key>/export.<fmt>")
@login_required
def export(key: str, fmt: str):
    """Download a ladder as Rungs YAML or CSV."""
    spec = ladder_or_404(key).spec
    if fmt == "yaml":
        body, mimetype = formats.export_rungs(spec), "application/yaml"
    elif fmt == "csv":
        body, mimetype = formats.export_csv(spec), "text/csv"
    else:
        abort(404)
    # A slug is [a-z0-9-] only: no path, quote or line break can reach the header.
    filename = f"{formats.slugify(spec.key)}.{fmt}"
    return Response(
        body,
        # content_type, not mimetype: Flask would add a second charset to text/csv.
        content_type=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def upload():
    """Upload a ladder file and preview what importing it would change."""
    form = ImportForm()
    problems = None
    if form.validate_on_submit():
        upload_file = form.file.data
        data = upload_file.read(formats.MAX_BYTES + 1)
        filename = upload_file.filename or "ladder"
        try:
            plan = importer.plan(
                data, filename=filename, format=form.format.data, key=form.key.data or None
            )
        except LadderFormatError as error:
            problems = error.problems
        else:
            token = secrets.token_urlsafe(24)
            _forget_stale_uploads()
            db.session.add(
                PendingImport(
                    token=token,
                    user_id=current_user.id,
                    filename=filename[:255],
                    format=form.format.data,
                    ladder_key=form.key.data or None,
                    data=data,
                )
            )
            db.session.commit()
            return render_template(
                "ladders/preview.html", plan=plan, token=token, filename=filename, form=ApplyForm()
            )
    status = 422 if (problems or form.errors) else 200
    return render_template("ladders/import.html", form=form, problems=problems), status


@bp.post("/import/<token>")
@admin_required
def apply(token: str):
    """Apply a previewed import in one transaction."""
    pending = db.session.scalar(
        select(PendingImport).where(
            PendingImport.token == token,
            PendingImport.user_id == current_user.id,
            PendingImport.created_at >= utcnow() - PENDING_TTL,
        )
    )
    if pending is None or not ApplyForm().validate_on_submit():
        flash("That preview has expired. Upload the file again.", "error")
        return redirect(url_for("ladders.upload"), code=303)
    try:
        plan = importer.plan(
            pending.data, filename=pending.filename, format=pending.format, key=pending.ladder_key
        )
    except LadderFormatError:
        abort(400)
    db.session.delete(pending)
    detail = audit.import_detail(plan.diff.summary(), pending.filename, plan.exists)
    audit.record("ladder.imported", current_user, plan.spec.key, detail=detail)
    importer.apply(plan)
    db.session.commit()  # the log entry and the used preview, also when nothing changed
    flash(f"Imported {plan.spec.name}: {plan.diff.summary()}.", "success")
    return redirect(url_for("ladders.show", key=plan.spec.key), code=303)


def _forget_stale_uploads() -> None:
    db.session.execute(
        delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_TTL)
    )
