"""Editing a ladder in the app: its draft, publishing versions, comparing them, forking.

Editors (admins, and people given the editor right on a ladder) change a draft; nothing
anyone rates moves until the draft is published as the next version with a note.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.access import admin_required, ladder_or_404
from app.auth.models import User
from app.drafts.forms import (
    CompetencyForm,
    EditorForm,
    FileForm,
    ForkForm,
    NewCompetencyForm,
    PartForm,
    PublishForm,
)
from app.extensions import db
from app.ladders import browse, formats, manage, versions
from app.ladders.manage import LadderChangeRefused
from app.ladders.models import Ladder
from app.ladders.spec import CompetencySpec, LadderSpec
from app.ladders.wording import compare
from app.rubric import wording as rubric_wording
from app.web import id_value, is_htmx

bp = Blueprint("drafts", __name__, url_prefix="/ladders")


def editable_or_404(key: str) -> Ladder:
    """A ladder the current user may edit; everyone else gets 404, as for anything hidden."""
    ladder = ladder_or_404(key)
    if not manage.may_edit(current_user, ladder):
        abort(404)
    return ladder


def version_or_404(ladder: Ladder, number: int):
    found = versions.version(ladder, number)
    if found is None:
        abort(404)
    return found


# Versions: browse, export, compare (anyone signed in, as the ladder itself).


@bp.get("/<key>/versions")
@login_required
def history(key: str):
    """List every published version of a ladder: number, date, author and note."""
    ladder = ladder_or_404(key)
    found = versions.history(ladder)
    return render_template(
        "drafts/versions.html",
        ladder=ladder,
        versions=found,
        draft=versions.draft(ladder),
        may_edit=manage.may_edit(current_user, ladder),
        editors=manage.editors(ladder) if current_user.is_admin else [],
        editor_form=EditorForm(formdata=None),
    )


@bp.get("/<key>/versions/<int:number>")
@login_required
def version(key: str, number: int):
    """Show one version of a ladder as it was published."""
    ladder = ladder_or_404(key)
    kept = version_or_404(ladder, number)
    spec = versions.spec_of(kept.text, ladder.key)
    track = spec.track_or_first(request.args.get("track"))
    return render_template(
        "drafts/version.html",
        ladder=ladder,
        kept=kept,
        spec=spec,
        track=track,
        rows=browse.grid(spec, track),
    )


@bp.get("/<key>/versions/<int:number>/export.<fmt>")
@login_required
def export(key: str, number: int, fmt: str):
    """Download one version as Rungs YAML (the file kept, byte for byte) or CSV."""
    ladder = ladder_or_404(key)
    kept = version_or_404(ladder, number)
    if fmt == "yaml":
        body, mimetype = kept.text, "application/yaml"
    elif fmt == "csv":
        body, mimetype = formats.export_csv(versions.spec_of(kept.text, key)), "text/csv"
    else:
        abort(404)
    name = f"{ladder.key}-v{number}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/<key>/diff")
@login_required
def diff(key: str):
    """Compare two versions: added, removed and changed competencies, word by word."""
    ladder = ladder_or_404(key)
    latest = versions.latest_number(ladder)
    older = id_value(request.args.get("from")) or max(1, latest - 1)
    newer = id_value(request.args.get("to")) or latest
    a, b = version_or_404(ladder, older), version_or_404(ladder, newer)
    newer_spec = versions.spec_of(b.text, key)
    comparison = compare(versions.spec_of(a.text, key), newer_spec)
    return render_template(
        "drafts/diff.html",
        spec=newer_spec,
        ladder=ladder,
        older=a,
        newer=b,
        comparison=comparison,
        numbers=list(range(1, latest + 1)),
    )


# The draft: editors only.


def render_draft(ladder: Ladder, status: int = 200, **forms) -> tuple[str, int]:
    """The draft page: what publishing would change, each competency to edit, the note."""
    spec = versions.draft_spec(ladder)
    forms.setdefault("new_form", NewCompetencyForm.for_spec(spec, formdata=None))
    forms.setdefault("publish_form", PublishForm(formdata=None))
    forms["part_forms"] = {
        (part, x.key): PartForm(
            formdata=None, prefix=f"{part}-{x.key}", name=x.name, summary=x.summary
        )
        for part in ("levels", "categories")
        for x in getattr(spec, part)
    }
    return (
        render_template(
            "drafts/draft.html",
            ladder=ladder,
            spec=spec,
            draft=versions.draft(ladder),
            comparison=versions.changes_in_draft(ladder, spec),
            **forms,
        ),
        status,
    )


@bp.get("/<key>/draft")
@login_required
def draft(key: str):
    """Show the ladder's draft (or the published ladder, ready to become one)."""
    return render_draft(editable_or_404(key))


def save(ladder: Ladder, spec: LadderSpec, credit: str = "") -> list[str]:
    """Write the draft; return the validator's problems instead when it refuses it."""
    try:
        versions.save_draft(ladder, spec, current_user, credit)
    except formats.LadderFormatError as refused:
        db.session.rollback()
        return [problem.message for problem in refused.problems]
    db.session.commit()
    return []


def competency_of(spec: LadderSpec, ckey: str) -> CompetencySpec:
    found = next((c for c in spec.competencies if c.key == ckey), None)
    if found is None:
        abort(404)
    return found


@bp.get("/<key>/draft/competencies/<ckey>")
@login_required
def edit_competency(key: str, ckey: str):
    """Show the form of one competency of the draft (in place with htmx)."""
    ladder = editable_or_404(key)
    competency = competency_of(versions.draft_spec(ladder), ckey)
    form = CompetencyForm(
        formdata=None,
        title=competency.title,
        description=competency.description,
        examples="\n".join(competency.examples),
    )
    return render_competency_form(ladder, competency, form)


def render_competency_form(ladder, competency, form, status=200, problems=()):
    template = "drafts/_competency_form.html" if is_htmx() else "drafts/competency.html"
    html = render_template(
        template, ladder=ladder, competency=competency, form=form, problems=problems
    )
    return html, status


@bp.post("/<key>/draft/competencies/<ckey>")
@login_required
def save_competency(key: str, ckey: str):
    """Change a competency's words in the draft."""
    ladder = editable_or_404(key)
    spec = versions.draft_spec(ladder)
    competency = competency_of(spec, ckey)
    form = CompetencyForm()
    if not form.validate_on_submit():
        return render_competency_form(ladder, competency, form, 422)
    changed = dataclasses.replace(
        competency,
        title=form.title.data,
        description=form.description.data or "",
        examples=form.example_list(),
    )
    new_spec = versions.with_competency(spec, changed)
    problems = save(ladder, new_spec)
    if problems:
        return render_competency_form(ladder, competency, form, 422, problems)
    flash(f"Saved “{changed.title}” to the draft.", "success")
    target = url_for("drafts.draft", key=key) + f"#dc-{ckey}"
    if is_htmx():
        # What publishing would change moved too: the whole page shows it again.
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, code=303)


@bp.post("/<key>/draft/competencies")
@login_required
def add_competency(key: str):
    """Add a competency to a cell of the draft."""
    ladder = editable_or_404(key)
    spec = versions.draft_spec(ladder)
    form = NewCompetencyForm.for_spec(spec)
    if not form.validate_on_submit():
        return render_draft(ladder, 422, new_form=form)
    new = CompetencySpec(
        key=versions.new_competency_key(spec, form.category.data, form.level.data, form.title.data),
        title=form.title.data,
        level=form.level.data,
        category=form.category.data,
        description=form.description.data or "",
        examples=form.example_list(),
    )
    problems = save(ladder, versions.with_competency(spec, new))
    if problems:
        form.title.errors = problems
        return render_draft(ladder, 422, new_form=form)
    flash(f"Added “{new.title}” to the draft.", "success")
    return redirect(url_for("drafts.draft", key=key) + f"#dc-{new.key}", code=303)


@bp.post("/<key>/draft/competencies/<ckey>/archive")
@login_required
def archive_competency(key: str, ckey: str):
    """Take a competency out of the draft; once published, it is archived, its ratings kept."""
    ladder = editable_or_404(key)
    spec = versions.draft_spec(ladder)
    gone = competency_of(spec, ckey)
    kept = tuple(c for c in spec.competencies if c.key != ckey)
    problems = save(ladder, dataclasses.replace(spec, competencies=kept))
    for problem in problems:
        flash(problem, "error")
    if not problems:
        flash(f"“{gone.title}” is out of the draft; its ratings stay when it is published.", "info")
    return redirect(url_for("drafts.draft", key=key), code=303)


@bp.post("/<key>/draft/publish")
@login_required
def publish(key: str):
    """Publish the draft as the next version, with its note."""
    ladder = editable_or_404(key)
    form = PublishForm()
    if not form.validate_on_submit():
        return render_draft(ladder, 422, publish_form=form)
    try:
        published, comparison = versions.publish(ladder, form.note.data, current_user)
    except LadderChangeRefused as refused:
        db.session.rollback()
        form.note.errors = [str(refused)]
        return render_draft(ladder, 422, publish_form=form)
    rubric_wording.tell_raters(ladder, comparison)
    db.session.commit()
    flash(f"Published version {published.number} of {ladder.name}.", "success")
    return redirect(url_for("drafts.history", key=key), code=303)


@bp.post("/<key>/draft/discard")
@login_required
def discard(key: str):
    """Throw the draft away; the published ladder stays as it is."""
    ladder = editable_or_404(key)
    if versions.discard_draft(ladder):
        db.session.commit()
        flash("The draft is discarded.", "info")
    return redirect(url_for("drafts.history", key=key), code=303)


# Forks and editors: admins.


@bp.route("/<key>/fork", methods=["GET", "POST"])
@admin_required
def fork(key: str):
    """Start a new ladder from this one (the default, an imported public one...)."""
    source = ladder_or_404(key)
    form = ForkForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.key.data, form.name.data = f"{source.key}-ours", f"{source.name} (ours)"
    elif form.validate_on_submit():
        try:
            ladder = versions.fork(source, form.key.data, form.name.data, current_user)
        except LadderChangeRefused as refused:
            db.session.rollback()
            form.key.errors = [str(refused)]
        else:
            db.session.commit()
            flash(f"{ladder.name} is a new ladder, forked from {source.name}.", "success")
            return redirect(url_for("drafts.draft", key=ladder.key), code=303)
    status = 422 if form.errors else 200
    return render_template("drafts/fork.html", source=source, form=form), status


@bp.post("/<key>/editors")
@admin_required
def add_editor(key: str):
    """Give a person the right to edit this ladder's draft and publish it."""
    ladder = ladder_or_404(key)
    form = EditorForm()
    person = User.by_email(form.email.data or "") if form.validate_on_submit() else None
    if person is None:
        flash("No one has that email: invite them first.", "error")
    elif manage.grant_editor(ladder, person, current_user):
        db.session.commit()
        flash(f"{person.name} may edit {ladder.name} now.", "success")
    return redirect(url_for("drafts.history", key=key) + "#editors", code=303)


@bp.post("/<key>/editors/<int:user_id>/remove")
@admin_required
def remove_editor(key: str, user_id: int):
    """Take the editor right back."""
    ladder = ladder_or_404(key)
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if manage.revoke_editor(ladder, person, current_user):
        db.session.commit()
        flash(f"{person.name} may no longer edit {ladder.name}.", "info")
    return redirect(url_for("drafts.history", key=key) + "#editors", code=303)


# The whole draft as a file: levels, categories, tracks, the rule and the scale.


@bp.get("/<key>/draft/file")
@login_required
def draft_file(key: str):
    """Show the draft as a Rungs YAML file to edit: every part of the ladder, in one place."""
    ladder = editable_or_404(key)
    text = versions.snapshot(versions.draft_spec(ladder))
    return render_file(ladder, FileForm(formdata=None, text=text))


def render_file(ladder, form, status=200, problems=()):
    html = render_template("drafts/file.html", ladder=ladder, form=form, problems=problems)
    return html, status


@bp.post("/<key>/draft/file")
@login_required
def save_file(key: str):
    """Save an edited file as the draft, once the import's validator accepts it."""
    ladder = editable_or_404(key)
    form = FileForm()
    if not form.validate_on_submit():
        return render_file(ladder, form, 422)
    try:
        spec = formats.parse(
            form.text.data.encode(), filename=f"{key}.yml", format="rungs", key=ladder.key
        )
    except formats.LadderFormatError as refused:
        return render_file(ladder, form, 422, [str(p) for p in refused.problems])
    problems = save(ladder, spec)
    if problems:
        return render_file(ladder, form, 422, problems)
    flash("The draft is saved.", "success")
    return redirect(url_for("drafts.draft", key=key), code=303)


@bp.post("/<key>/draft/competencies/<ckey>/move")
@login_required
def move_competency(key: str, ckey: str):
    """Move a competency up or down among the others of its level."""
    ladder = editable_or_404(key)
    spec = versions.draft_spec(ladder)
    competency_of(spec, ckey)
    step = -1 if request.form.get("direction") == "up" else 1
    items = list(spec.competencies)
    at = next(i for i, c in enumerate(items) if c.key == ckey)
    same_level = [i for i, c in enumerate(items) if c.level == items[at].level]
    here = same_level.index(at)
    if 0 <= here + step < len(same_level):
        other = same_level[here + step]
        items[at], items[other] = items[other], items[at]
        save(ladder, dataclasses.replace(spec, competencies=tuple(items)))
    return redirect(url_for("drafts.draft", key=key) + f"#dc-{ckey}", code=303)


@bp.post("/<key>/draft/<part>/<part_key>")
@login_required
def save_part(key: str, part: str, part_key: str):
    """Rename a level or a category of the draft, or change its summary."""
    ladder = editable_or_404(key)
    if part not in ("levels", "categories"):
        abort(404)
    spec = versions.draft_spec(ladder)
    items = list(getattr(spec, part))
    at = next((i for i, x in enumerate(items) if x.key == part_key), None)
    if at is None:
        abort(404)
    form = PartForm(prefix=f"{part}-{part_key}")
    if not form.validate_on_submit():
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("drafts.draft", key=key) + f"#part-{part_key}", code=303)
    items[at] = dataclasses.replace(items[at], name=form.name.data, summary=form.summary.data or "")
    for problem in save(ladder, dataclasses.replace(spec, **{part: tuple(items)})):
        flash(problem, "error")
    return redirect(url_for("drafts.draft", key=key) + f"#part-{part_key}", code=303)
