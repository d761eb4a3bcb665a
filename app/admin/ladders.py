"""Ladders in this installation: the default, names, archiving and deleting (admins)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.access import admin_required, ladder_or_404
from app.admin.forms import DeleteLadderForm, RenameLadderForm
from app.extensions import db
from app.ladders import manage, store
from app.ladders.manage import LadderChangeRefused
from app.ladders.models import Ladder
from app.rubric import choice

bp = Blueprint("ladder_admin", __name__, url_prefix="/admin/ladders")


def rename_form(key: str, **kwargs) -> RenameLadderForm:
    """One ladder's rename form; the prefix keeps each box's id its own on the page."""
    return RenameLadderForm(prefix=f"rename-{key}", **kwargs)


def render(forms: dict[str, RenameLadderForm] | None = None, status: int = 200) -> Response:
    """The page: each ladder with its key, its use, and what may be done with it."""
    counts = choice.rubric_counts()
    forms = forms or {}
    ladders = [
        (
            lad,
            store.stored(lad).spec,
            counts.get(lad.id, 0),
            forms.get(lad.key) or rename_form(lad.key, formdata=None, name=lad.name),
        )
        for lad in store.all_ladders(archived=True)
    ]
    return Response(
        render_template("admin/ladders.html", ladders=ladders, delete_form=DeleteLadderForm()),
        status,
    )


@bp.get("/")
@admin_required
def index():
    """List every ladder, archived ones too, with the default marked."""
    return render()


def _done(change, ladder: Ladder, message: str):
    """Apply one change and commit it, or say in place why it was refused."""
    try:
        changed = change()
    except LadderChangeRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("ladder_admin.index"), code=303)
    db.session.commit()
    if changed is not False:
        flash(message, "success")
    return redirect(url_for("ladder_admin.index") + f"#ladder-{ladder.key}", code=303)


@bp.post("/<key>/name")
@admin_required
def rename(key: str):
    """Rename a ladder: two ladders called "Engineering" can then be told apart."""
    ladder = ladder_or_404(key)
    form = rename_form(key)
    if not form.validate_on_submit():
        return render({key: form}, 422)
    old = ladder.name
    return _done(
        lambda: manage.rename(ladder, form.name.data, current_user),
        ladder,
        f"{old} is called {form.name.data} now.",
    )


@bp.post("/<key>/default")
@admin_required
def make_default(key: str):
    """Make a ladder the default: where people land when nobody chose theirs."""
    ladder = ladder_or_404(key)
    return _done(
        lambda: manage.make_default(ladder, current_user),
        ladder,
        f"{ladder.name} is the default ladder now. People with rubrics elsewhere stay there.",
    )


@bp.post("/<key>/archive")
@admin_required
def archive(key: str):
    """Archive a ladder: offered to nobody new; its rubrics stay readable, read-only."""
    ladder = ladder_or_404(key)
    return _done(
        lambda: manage.archive(ladder, current_user),
        ladder,
        f"{ladder.name} is archived. Its rubrics stay readable and exportable.",
    )


@bp.post("/<key>/restore")
@admin_required
def restore(key: str):
    """Bring an archived ladder back."""
    ladder = ladder_or_404(key)
    return _done(
        lambda: manage.restore(ladder, current_user), ladder, f"{ladder.name} is back in use."
    )


@bp.post("/<key>/delete")
@admin_required
def delete(key: str):
    """Delete a ladder nobody has a rubric on, once the admin confirmed it."""
    ladder = ladder_or_404(key)
    form = DeleteLadderForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        flash(f"Tick “Yes, delete” to delete {ladder.name}: nothing was deleted.", "error")
        return redirect(url_for("ladder_admin.index") + f"#ladder-{ladder.key}", code=303)
    name = ladder.name
    used = choice.rubric_counts().get(ladder.id, 0)
    try:
        manage.delete(ladder, used, current_user)
    except LadderChangeRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("ladder_admin.index"), code=303)
    db.session.commit()
    store.forget(ladder.id)
    flash(f"{name} is deleted.", "success")
    return redirect(url_for("ladder_admin.index"), code=303)
