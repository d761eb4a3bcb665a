"""Evidence for a competency: add, edit and delete in place; private notes stay private."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.exc import InvalidRequestError

from app.access import rubric_or_404, side_of, side_or_404
from app.clock import utcnow
from app.evidence.forms import EvidenceForm
from app.evidence.models import Evidence
from app.evidence.queries import own_notes
from app.extensions import db
from app.history.events import Kind, record
from app.ladders import store
from app.rubric.queries import OwnedRubric, upsert_rating
from app.web import is_htmx, page_or_fragment, see_other

bp = Blueprint("evidence", __name__)

TEMPLATE = "evidence/panel.html"


def competency_or_404(owned: OwnedRubric, competency_id: int):
    """Return the competency of the rubric's ladder with this id, or answer 404."""
    stored = store.stored(owned.ladder)
    key = stored.competency_keys.get(competency_id)
    if key is None:
        abort(404)
    return stored.competencies[key]


def visible_items(rubric_id: int, competency_id: int) -> list[Evidence]:
    """Shared items and the viewer's own private notes, newest first."""
    return list(
        db.session.scalars(
            select(Evidence)
            .where(
                Evidence.rubric_id == rubric_id,
                Evidence.competency_id == competency_id,
                or_(~Evidence.private, Evidence.author_id == current_user.id),
            )
            .order_by(Evidence.day.desc(), Evidence.id.desc())
        )
    )


def refresh_count(rubric_id: int, competency_id: int) -> int:
    """Store the number of shared items on the rating row the rubric reads."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Evidence)
        .where(
            Evidence.rubric_id == rubric_id,
            Evidence.competency_id == competency_id,
            ~Evidence.private,
        )
    )
    upsert_rating(rubric_id, competency_id, evidence_count=count)
    return count


def snapshot(item: Evidence) -> dict:
    """What history keeps of an item; private notes keep only that they exist."""
    if item.private:
        return {"private": True}
    return {"body": item.body, "link": item.link, "day": item.day.isoformat()}


def render(
    owned, competency, competency_id, form, *, status=200, editing=None, conflict=None, count=None
):
    """Answer with the evidence panel: in place for htmx, as a page otherwise."""
    blocks = ["evidence"] + (["count_oob"] if count is not None else [])
    rubric_id = owned.rubric.id
    if count is not None:  # the shared items, and the viewer's own notes they see beside them
        count += own_notes(rubric_id, current_user.id).get(competency_id, 0)
    form.scoped(str(competency_id))
    if editing:
        editing[1].scoped(f"{competency_id}-edit")
    return page_or_fragment(
        TEMPLATE,
        blocks,
        status,
        owned=owned,
        rubric=owned.rubric,
        competency=competency,
        competency_id=competency_id,
        items=visible_items(rubric_id, competency_id),
        form=form,
        can_add=side_of(owned) is not None,
        editing=editing,
        conflict=conflict,
        count=count,
    )


@bp.get("/rubrics/<int:rubric_id>/competencies/<int:competency_id>/evidence")
@login_required
def index(rubric_id: int, competency_id: int):
    """List the evidence of a competency, with a form to add more."""
    owned = rubric_or_404(rubric_id)
    competency = competency_or_404(owned, competency_id)
    return render(owned, competency, competency_id, EvidenceForm(formdata=None))


@bp.post("/rubrics/<int:rubric_id>/competencies/<int:competency_id>/evidence")
@login_required
def add(rubric_id: int, competency_id: int):
    """Add a piece of evidence or a private note."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side_or_404(owned)
    competency = competency_or_404(owned, competency_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return render(owned, competency, competency_id, form, status=422)
    item = Evidence(
        rubric_id=rubric_id,
        competency_id=competency_id,
        author_id=current_user.id,
        body=form.body.data,
        link=(form.link.data or "").strip() or None,
        day=form.day.data,
        private=form.private.data,
    )
    db.session.add(item)
    db.session.flush()
    count = refresh_count(rubric_id, competency_id)
    record(
        rubric_id,
        current_user.id,
        Kind.EVIDENCE_ADDED,
        competency_id=competency_id,
        after={"id": item.id, **snapshot(item)},
    )
    db.session.commit()
    if not is_htmx():
        return see_other("rubric.show", f"c-{competency_id}", rubric_id=rubric_id)
    return render(owned, competency, competency_id, EvidenceForm(formdata=None), count=count)


def own_item_or_404(evidence_id: int) -> tuple[Evidence, OwnedRubric]:
    """Return an item the current user wrote, on a rubric they may still see."""
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.author_id != current_user.id:
        abort(404)
    owned = rubric_or_404(item.rubric_id, for_update=request.method == "POST")
    if request.method == "POST":
        try:
            db.session.refresh(item)  # see the version left by a writer we waited for
        except InvalidRequestError:
            abort(404)  # deleted meanwhile, from another tab
    return item, owned


@bp.get("/evidence/<int:evidence_id>/edit")
@login_required
def edit(evidence_id: int):
    """Show the form to edit one's own item."""
    item, owned = own_item_or_404(evidence_id)
    competency = competency_or_404(owned, item.competency_id)
    form = EvidenceForm(obj=item, formdata=None)
    form.version.data = str(item.version)
    return render(
        owned, competency, item.competency_id, EvidenceForm(formdata=None), editing=(item, form)
    )


@bp.post("/evidence/<int:evidence_id>")
@login_required
def update(evidence_id: int):
    """Save an edit, unless the item changed since the form was opened."""
    item, owned = own_item_or_404(evidence_id)
    competency = competency_or_404(owned, item.competency_id)
    form = EvidenceForm()
    blank = EvidenceForm(formdata=None)
    if not form.validate_on_submit():
        return render(
            owned, competency, item.competency_id, blank, editing=(item, form), status=422
        )
    if form.version.data != str(item.version):
        # Someone (another tab, another device) saved first: show both, lose neither.
        form.version.data = str(item.version)
        return render(
            owned,
            competency,
            item.competency_id,
            blank,
            editing=(item, form),
            conflict=item,
            status=409,
        )
    before = snapshot(item)
    item.body, item.day, item.private = form.body.data, form.day.data, form.private.data
    item.link = (form.link.data or "").strip() or None
    item.version += 1
    item.updated_at = utcnow()
    db.session.flush()
    count = refresh_count(item.rubric_id, item.competency_id)
    record(
        item.rubric_id,
        current_user.id,
        Kind.EVIDENCE_EDITED,
        competency_id=item.competency_id,
        before=before,
        after={"id": item.id, **snapshot(item)},
    )
    db.session.commit()
    if not is_htmx():
        return see_other("rubric.show", f"c-{item.competency_id}", rubric_id=item.rubric_id)
    return render(owned, competency, item.competency_id, blank, count=count)


@bp.post("/evidence/<int:evidence_id>/delete")
@login_required
def delete(evidence_id: int):
    """Delete one's own item; history keeps that it existed."""
    item, owned = own_item_or_404(evidence_id)
    competency = competency_or_404(owned, item.competency_id)
    rubric_id, competency_id = item.rubric_id, item.competency_id
    before = {"id": item.id, **snapshot(item)}
    db.session.delete(item)
    db.session.flush()
    count = refresh_count(rubric_id, competency_id)
    record(
        rubric_id,
        current_user.id,
        Kind.EVIDENCE_DELETED,
        competency_id=competency_id,
        before=before,
    )
    db.session.commit()
    if not is_htmx():
        return see_other("rubric.show", f"c-{competency_id}", rubric_id=rubric_id)
    return render(owned, competency, competency_id, EvidenceForm(formdata=None), count=count)
