"""Ladder pages: the list, the grid with search, level comparison, import and export."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy import delete, select
from wtforms import SelectChoice

from app.access import admin_required, ladder_or_404
from app.audit import log as audit
from app.clock import utcnow
from app.extensions import db
from app.ladders import browse, formats, importer, pending, preview, store
from app.ladders.formats import LadderFormatError
from app.ladders.forms import ApplyForm, ImportForm, LayoutForm, layout_choices
from app.ladders.models import PendingImport
from app.web import is_htmx

bp = Blueprint("ladders", __name__, url_prefix="/ladders")

PENDING_TTL = timedelta(hours=1)


def stored_or_404(key: str) -> store.StoredLadder:
    return store.stored(ladder_or_404(key))


@bp.get("/")
@login_required
def index():
    """List the ladders of this installation."""
    ladders = [(store.stored(lad).spec, lad) for lad in store.all_ladders()]
    archived = [lad for lad in store.all_ladders(archived=True) if lad.archived]
    return render_template("ladders/index.html", ladders=ladders, archived=archived)


@bp.get("/<key>")
@login_required
def show(key: str):
    """Show a ladder as a grid of levels by categories, filtered by a search."""
    ladder = ladder_or_404(key)
    spec = store.stored(ladder).spec
    track = spec.track_or_first(request.args.get("track"))
    query = request.args.get("q", "")[:200]
    rows = browse.grid(spec, track, query)
    found = sum(r.count for r in rows)
    context = dict(spec=spec, track=track, query=query, rows=rows, ladder=ladder, found=found)
    context["suggest_url"] = url_for("suggestions.new", key=ladder.key)
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
    spec = stored_or_404(key).spec
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
    spec = stored_or_404(key).spec
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
    """Upload ladder files and preview what importing them would change."""
    form = ImportForm()
    problems = None
    if form.validate_on_submit():
        files = [(f.filename or "ladder", f.read(formats.MAX_BYTES + 1)) for f in form.file.data]
        combine_as = form.combine.data if len(files) > 1 else None
        try:
            plan = importer.plan_many(
                files,
                format=form.format.data,
                key=form.key.data or None,
                layout=form.layout.data,
                combine_as=combine_as or "levels",
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
                    filename=", ".join(name for name, _ in files)[:255],
                    format=form.format.data,
                    layout=form.layout.data,
                    ladder_key=form.key.data or None,
                    combine_as=combine_as,
                    data=pending.pack(files) if combine_as else files[0][1],
                )
            )
            db.session.commit()
            return _preview(plan, token, files)
    status = 422 if (problems or form.errors) else 200
    return render_template("ladders/import.html", form=form, problems=problems), status


def _preview(
    plan: importer.Plan,
    token: str,
    files: list[tuple[str, bytes]],
    *,
    problems: list | None = None,
    tried: str | None = None,
):
    """Render the preview of a plan; ``problems`` say why the layout ``tried`` failed."""
    shown = preview.build(plan)
    layout_form = LayoutForm(formdata=None, layout=tried or plan.reading.layout or "auto")
    layout_form.layout.choices = [SelectChoice(x, label.capitalize()) for x, label in shown.layouts]
    html = render_template(
        "ladders/preview.html",
        preview=shown,
        token=token,
        files=[name for name, _ in files],
        form=ApplyForm(),
        layout_form=layout_form,
        problems=problems,
        tried=tried,
        tried_label=formats.LAYOUT_LABELS.get(tried or ""),
    )
    return html, 422 if problems else 200


def _pending(token: str) -> PendingImport | None:
    return db.session.scalar(
        select(PendingImport).where(
            PendingImport.token == token,
            PendingImport.user_id == current_user.id,
            PendingImport.created_at >= utcnow() - PENDING_TTL,
        )
    )


def _plan(found: PendingImport, layout: str | None = None) -> importer.Plan:
    return importer.plan_many(
        pending.files_of(found),
        format=found.format,
        key=found.ladder_key,
        layout=layout or found.layout,
        combine_as=found.combine_as or "levels",
    )


@bp.post("/import/<token>/layout")
@admin_required
def relayout(token: str):
    """Read a previewed upload again in another layout and show the new preview."""
    found = _pending(token)
    form = LayoutForm()
    form.layout.choices = layout_choices()
    if found is None or not form.validate_on_submit():
        flash("That preview has expired. Upload the file again.", "error")
        return redirect(url_for("ladders.upload"), code=303)
    files = pending.files_of(found)
    try:
        plan = _plan(found, form.layout.data)
    except LadderFormatError as error:
        # The file does not read that way: say why, beside the preview it still has.
        return _preview(_plan(found), token, files, problems=error.problems, tried=form.layout.data)
    found.layout = form.layout.data
    db.session.commit()
    return _preview(plan, token, files)


@bp.post("/import/<token>")
@admin_required
def apply(token: str):
    """Apply a previewed import in one transaction."""
    found = _pending(token)
    if found is None or not ApplyForm().validate_on_submit():
        flash("That preview has expired. Upload the file again.", "error")
        return redirect(url_for("ladders.upload"), code=303)
    try:
        plan = _plan(found)
    except LadderFormatError:
        abort(400)
    db.session.delete(found)
    detail = audit.import_detail(plan.diff.summary(), found.filename, plan.exists)
    audit.record("ladder.imported", current_user, plan.spec.key, detail=detail)
    outcome = importer.apply(plan, current_user)
    db.session.commit()  # the log entry and the used preview, also when nothing changed
    if outcome == "draft":
        flash(
            f"The file is the draft of {plan.spec.name} now ({plan.diff.summary()}). "
            "Nothing changes for anyone until you publish it.",
            "success",
        )
        return redirect(url_for("drafts.draft", key=plan.spec.key), code=303)
    flash(f"Imported {plan.spec.name}: {plan.diff.summary()}.", "success")
    return redirect(url_for("ladders.show", key=plan.spec.key), code=303)


def _forget_stale_uploads() -> None:
    db.session.execute(
        delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_TTL)
    )
