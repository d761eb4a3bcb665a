"""Suggestions: anyone signed in proposes better words (or a new competency); editors decide.

An accepted suggestion goes into the ladder's draft, and the changelog of the version that
publishes it thanks its author; a declined one says why. The author is told either way.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import ladder_or_404
from app.clock import utcnow
from app.extensions import db
from app.ladders import formats, manage, store, versions
from app.ladders.models import Ladder
from app.ladders.spec import CompetencySpec
from app.ladders.wording import word_diff
from app.notifications import notify
from app.suggestions.forms import (
    CommentForm,
    DecisionForm,
    NewCompetencySuggestionForm,
    SuggestionForm,
)
from app.suggestions.models import ACCEPTED, DECLINED, OPEN, Suggestion, SuggestionComment

bp = Blueprint("suggestions", __name__)


def suggestion_or_404(suggestion_id: int) -> tuple[Suggestion, Ladder]:
    found = db.session.get(Suggestion, suggestion_id)
    if found is None:
        abort(404)
    return found, db.session.get(Ladder, found.ladder_id)


@bp.get("/ladders/<key>/suggestions")
@login_required
def index(key: str):
    """List a ladder's suggestions: open ones first, then accepted and declined."""
    ladder = ladder_or_404(key)
    found = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.ladder_id == ladder.id)
        # Each row shows its author and its number of comments: load them with the list.
        .options(selectinload(Suggestion.author), selectinload(Suggestion.comments))
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
    ).all()
    groups = {
        status: [s for s in found if s.status == status] for status in (OPEN, ACCEPTED, DECLINED)
    }
    return render_template("suggestions/index.html", ladder=ladder, groups=groups)


def new_form(ladder: Ladder, competency: CompetencySpec | None, formdata=None):
    """The form for new words for ``competency``, or for a new competency in a cell."""
    spec = store.stored(ladder).spec
    if competency is not None:
        if formdata is None:
            return SuggestionForm(
                formdata=None, title=competency.title, description=competency.description
            )
        return SuggestionForm()
    form = NewCompetencySuggestionForm(formdata=formdata)
    form.level.choices = [(lv.key, lv.name) for lv in spec.levels]
    form.category.choices = [(c.key, c.name) for c in spec.categories]
    if formdata is None:
        form.level.data = request.args.get("level")
        form.category.data = request.args.get("category")
    return form


def competency_or_none(ladder: Ladder, key: str | None) -> CompetencySpec | None:
    if not key:
        return None
    found = store.stored(ladder).competencies.get(key)
    if found is None:
        abort(404)
    return found


@bp.get("/ladders/<key>/suggestions/new")
@login_required
def new(key: str):
    """Show the form to suggest new words for a competency, or a new competency."""
    ladder = ladder_or_404(key)
    if ladder.archived:
        abort(404)
    competency = competency_or_none(ladder, request.args.get("competency"))
    return render_new(ladder, competency, new_form(ladder, competency))


def render_new(ladder, competency, form, status=200):
    html = render_template("suggestions/new.html", ladder=ladder, competency=competency, form=form)
    return html, status


@bp.post("/ladders/<key>/suggestions")
@login_required
def create(key: str):
    """Record a suggestion; its author follows it on its own page."""
    ladder = ladder_or_404(key)
    if ladder.archived:
        abort(404)
    competency = competency_or_none(ladder, request.form.get("competency"))
    form = new_form(ladder, competency, formdata=request.form)
    if not form.validate_on_submit():
        return render_new(ladder, competency, form, 422)
    if competency is not None and (form.title.data, form.description.data or "") == (
        competency.title,
        competency.description,
    ):
        form.title.errors = ["These are the words it has now: change them to suggest something."]
        return render_new(ladder, competency, form, 422)
    suggestion = Suggestion(
        ladder_id=ladder.id,
        competency_key=competency.key if competency else None,
        level_key=None if competency else form.level.data,
        category_key=None if competency else form.category.data,
        title=form.title.data,
        description=form.description.data or "",
        was_title=competency.title if competency else None,
        was_description=competency.description if competency else None,
        reason=form.reason.data,
        author_id=current_user.id,
        status=OPEN,
    )
    db.session.add(suggestion)
    db.session.commit()
    flash("Thank you: your suggestion is with the ladder's editors.", "success")
    return redirect(url_for("suggestions.show", suggestion_id=suggestion.id), code=303)


@bp.get("/suggestions/<int:suggestion_id>")
@login_required
def show(suggestion_id: int):
    """Show a suggestion: what it changes, why, its comments and its outcome."""
    suggestion, ladder = suggestion_or_404(suggestion_id)
    return render_show(suggestion, ladder)


def render_show(suggestion, ladder, status=200, comment_form=None, decision_form=None):
    diffs = []
    if not suggestion.is_new_competency:
        diffs = [
            ("Title", word_diff(suggestion.was_title or "", suggestion.title)),
            ("Description", word_diff(suggestion.was_description or "", suggestion.description)),
        ]
    spec = store.stored(ladder).spec
    html = render_template(
        "suggestions/show.html",
        suggestion=suggestion,
        ladder=ladder,
        diffs=diffs,
        levels={lv.key: lv.name for lv in spec.levels},
        categories={c.key: c.name for c in spec.categories},
        comment_form=comment_form or CommentForm(formdata=None),
        decision_form=decision_form or DecisionForm(formdata=None),
        may_decide=manage.may_edit(current_user, ladder) and suggestion.status == OPEN,
    )
    return html, status


@bp.post("/suggestions/<int:suggestion_id>/comments")
@login_required
def comment(suggestion_id: int):
    """Add a comment to a suggestion's thread."""
    suggestion, ladder = suggestion_or_404(suggestion_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return render_show(suggestion, ladder, 422, comment_form=form)
    db.session.add(
        SuggestionComment(
            suggestion_id=suggestion.id, author_id=current_user.id, body=form.body.data
        )
    )
    db.session.commit()
    return redirect(url_for("suggestions.show", suggestion_id=suggestion.id) + "#thread", code=303)


@bp.post("/suggestions/<int:suggestion_id>/decision")
@login_required
def decide(suggestion_id: int):
    """Accept a suggestion into the draft, or decline it with a reason."""
    suggestion, ladder = suggestion_or_404(suggestion_id)
    if not manage.may_edit(current_user, ladder):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    if suggestion.status != OPEN:
        flash("This suggestion was decided already.", "info")
        return redirect(url_for("suggestions.show", suggestion_id=suggestion.id), code=303)
    accepted = bool(form.accept.data)
    if not accepted and not form.note.data:
        form.note.errors = ["Say why it is declined: the author reads it."]
        return render_show(suggestion, ladder, 422, decision_form=form)
    if accepted:
        problem = into_draft(suggestion, ladder)
        if problem:
            db.session.rollback()
            form.note.errors = [problem]
            return render_show(suggestion, ladder, 422, decision_form=form)
    suggestion.status = ACCEPTED if accepted else DECLINED
    suggestion.decided_by_id = current_user.id
    suggestion.decision_note = form.note.data or ""
    suggestion.decided_at = utcnow()
    if suggestion.author is not None:
        notify.suggestion_decided(
            suggestion.author,
            by=current_user,
            accepted=accepted,
            suggestion=suggestion.title,
            link=url_for("suggestions.show", suggestion_id=suggestion.id),
        )
    db.session.commit()
    if accepted:
        flash("Accepted into the draft; publish the draft to make it live.", "success")
        return redirect(url_for("drafts.draft", key=ladder.key), code=303)
    flash("Declined; the author is told why.", "info")
    return redirect(url_for("suggestions.show", suggestion_id=suggestion.id), code=303)


def into_draft(suggestion: Suggestion, ladder: Ladder) -> str | None:
    """Write an accepted suggestion into the ladder's draft; say why not if it cannot be."""
    spec = versions.draft_spec(ladder)
    if suggestion.is_new_competency:
        changed = CompetencySpec(
            key=versions.new_competency_key(
                spec, suggestion.category_key, suggestion.level_key, suggestion.title
            ),
            title=suggestion.title,
            level=suggestion.level_key,
            category=suggestion.category_key,
            description=suggestion.description,
        )
    else:
        was = next((c for c in spec.competencies if c.key == suggestion.competency_key), None)
        if was is None:
            return "The draft no longer has this competency."
        changed = dataclasses.replace(
            was, title=suggestion.title, description=suggestion.description
        )
    credit = suggestion.author.name if suggestion.author else ""
    try:
        versions.save_draft(ladder, versions.with_competency(spec, changed), current_user, credit)
    except formats.LadderFormatError as refused:
        return "; ".join(problem.message for problem in refused.problems)
    return None
