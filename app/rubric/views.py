"""The rubric page: rate competencies, pick a track and target, focus; recompute in place."""

from __future__ import annotations

import functools

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block, render_blocks

from app.access import (
    can_see,
    click_or_404,
    person_or_404,
    rubric_or_404,
    rubric_page_or_404,
    side_of,
    side_or_404,
)
from app.database import write_intent
from app.extensions import db
from app.history import events as history
from app.history.events import Kind
from app.ladders import store
from app.notifications import badge as notifications
from app.oneonone import panel as oneonone_panel
from app.rubric import changes, choice, filters, live, news, page, queries, standings
from app.rubric.forms import FilterForm, SettingsForm
from app.rubric.render import TEMPLATE, context
from app.rubric.side import Side
from app.web import fragment, id_value, is_htmx, see_other

bp = Blueprint("rubric", __name__)


def competency_or_404(stored: store.StoredLadder, competency_id: int) -> None:
    """Answer 404 for a competency the ladder does not have (any more)."""
    if competency_id not in stored.competency_keys:
        abort(404)


@bp.get("/me")
@login_required
def me():
    """Open the signed-in person's own rubric."""
    return redirect(url_for("rubric.person", user_id=current_user.id))


@bp.get("/people/<int:user_id>/rubric")
@login_required
def person(user_id: int):
    """Open a person's rubric on the ladder asked for, else on the one they land on."""
    owner = person_or_404(user_id)
    wanted = request.args.get("ladder")
    if wanted:
        ladder = store.by_key(wanted)
        if ladder is None:
            abort(404)
        if ladder.archived:
            # An archived ladder opens no new rubric; an existing one stays readable.
            mine = next((r for r in choice.rubrics_of(owner.id) if r.ladder_key == wanted), None)
            if mine is None:
                abort(404)
            return redirect(url_for("rubric.show", rubric_id=mine.rubric_id))
    else:
        ladder = choice.ladder_of(owner.id)
        if ladder is None:
            return render_template("ladders/none_yet.html")
    rubric = queries.rubric_for(owner, ladder)
    return redirect(url_for("rubric.show", rubric_id=rubric.id))


@bp.get("/rubrics/<int:rubric_id>")
@login_required
def show(rubric_id: int):
    """Show a rubric: standing, gaps, focus, and every competency of the track."""
    return whole_page(rubric_page_or_404(rubric_id))


def whole_page(loaded: queries.PageLoad, settings: SettingsForm | None = None, status=200):
    """Render the whole rubric page, with the settings form as typed when it was refused."""
    owned = loaded.owned
    rubric_id = owned.rubric.id
    notifications.remember_unread(loaded.unread)
    found = page.build(
        owned,
        side_of(owned),
        {},
        since=owned.latest,
        here=live.named(loaded.here, owned.people()),
    )
    # An address that names a filter shows it; a plain one opens as the viewer left it.
    only = filters.Filter.from_args(request.args)
    if only is None:
        only = filters.remembered(loaded.saved_filter)
    all_rows = functools.partial(queries.ratings, rubric_id, notes_of=current_user.id)
    open_level = request.args.get("open")
    if (
        standings.trust(found, loaded.kept)
        and not only
        and not found.lists_competencies(only, open_level)
    ):
        # The standings say what the ratings add up to, and the page lists no competency
        # until one is opened: it reads the growth plan's rows (every row if asked).
        found.rows, found.rest = all_rows(focused=True), all_rows
    else:
        found.rows = all_rows()
    if settings is None:
        settings = SettingsForm.for_track(
            found.stored.spec,
            found.track,
            formdata=None,
            track=found.track.key,
            target=owned.rubric.target_key or "",
        )
    html = render_template(
        TEMPLATE,
        **context(
            found,
            only=only,
            open_level=open_level,
            settings=settings,
        ),
        **({} if found.as_of else oneonone_panel.for_rubric_page(owned, loaded.panel)),
        rubrics=choice.rubrics_of(owned.owner_id) if owned.rubric_count > 1 else [],
        news=news.since_last_visit(found) if found.own else None,
        can_assign=current_user.is_admin or owned.manager_id == current_user.id,
    )
    return html, status


@bp.get("/rubrics/<int:rubric_id>/levels/<level_key>")
@login_required
def level(rubric_id: int, level_key: str):
    """Load the competencies of one level into its collapsed section (htmx)."""
    owned = rubric_or_404(rubric_id)
    if not is_htmx():
        return see_other("rubric.show", f"level-{level_key}", rubric_id=rubric_id, open=level_key)
    found = page.build(owned, side_of(owned), queries.ratings(rubric_id, notes_of=current_user.id))
    position = found.index.position(level_key)
    if position < 0:
        abort(404)
    lv, cats = found.level(position)
    return render_block(TEMPLATE, "level_body", **context(found, level=lv, cats=cats, only=None))


@bp.get("/rubrics/<int:rubric_id>/levels/<level_key>/categories/<category_key>")
@login_required
def category(rubric_id: int, level_key: str, category_key: str):
    """Load the competencies of one category of a level into its collapsed section (htmx)."""
    owned = rubric_or_404(rubric_id)
    if not is_htmx():
        anchor = f"lc-{level_key}-{category_key}"
        return see_other("rubric.show", anchor, rubric_id=rubric_id, open=level_key)
    found = page.build(owned, side_of(owned), queries.ratings(rubric_id))
    position = found.index.position(level_key)
    if position < 0:
        abort(404)
    lv, cats = found.level(position)
    items = next((items for cat, items in cats if cat.key == category_key), None)
    if items is None:
        abort(404)
    category = next(cat for cat, _ in cats if cat.key == category_key)
    return render_block(
        TEMPLATE,
        "category_body",
        **context(found, level=lv, category=category, items=items, only=None),
    )


@bp.post("/rubrics/<int:rubric_id>/filter")
@login_required
def filter_competencies(rubric_id: int):
    """Filter the competencies of a rubric, and remember the filter for the viewer."""
    owned = rubric_or_404(rubric_id)
    form = FilterForm()
    if not form.validate_on_submit():
        abort(400)  # the text box stops at its length: only a tampered request is longer
    chosen = form.chosen()
    filters.save(current_user.id, rubric_id, chosen)
    if not is_htmx():
        return see_other("rubric.show", "find", rubric_id=rubric_id, **chosen.args())
    found = page.build(owned, side_of(owned), queries.ratings(rubric_id, notes_of=current_user.id))
    # The form being typed in is left alone, but for its "Clear filter" button; an emptied
    # filter empties the form.
    blocks = ["results", "filter_status_oob", "filter_clear" if chosen else "filter_form_oob"]
    response = fragment(
        TEMPLATE,
        blocks,
        **context(found, only=chosen, open_level=None, oob=True),
    )
    # The address bar follows, so a reload or a bookmark shows the same filter.
    response.headers["HX-Replace-Url"] = url_for(
        "rubric.show", rubric_id=rubric_id, **chosen.args()
    )
    return response


@bp.get("/rubrics/<int:rubric_id>/ladder")
@login_required
def ladder(rubric_id: int):
    """Draw the ladder picture again (htmx asks for it when a rating moved a level)."""
    owned = rubric_or_404(rubric_id)
    if not is_htmx():
        return see_other("rubric.show", "ladder", rubric_id=rubric_id)
    found = page.build(owned, side_of(owned), queries.ratings(rubric_id))
    return fragment(TEMPLATE, ["ladder"], **context(found))


@bp.post("/rubrics/<int:rubric_id>/ratings/<int:competency_id>")
@login_required
def rate(rubric_id: int, competency_id: int):
    """Set one rating; htmx gets the competency, badge, category and gaps back at once."""
    try:
        # Read first, then take the writers' turn only to write what the read worked out.
        return _rate(rubric_id, competency_id, in_turn=False)
    except queries.Overtaken:
        # Something the click read changed before it wrote: read again, holding the turn.
        db.session.rollback()
        return _rate(rubric_id, competency_id, in_turn=True)


def _rate(rubric_id: int, competency_id: int, *, in_turn: bool):
    click = click_or_404(rubric_id, competency_id, in_turn=in_turn)
    side = side_or_404(click.owned)
    # One rating row and the kept standings: the rest of the rubric is not read.
    found = page.build(click.owned, side, {competency_id: click.row})
    competency_or_404(found.stored, competency_id)
    standings.attach(found, click.kept)
    # "Take this rating" sends its value as "take", beside the checked radio's "step".
    step = request.form.get("take") or request.form.get("step", "")
    if not found.scale.has(step):
        abort(400)
    change = changes.set_rating(
        found, competency_id, step, current_user.id, compare=is_htmx(), seen=click.seen
    )
    if not is_htmx():
        return see_other("rubric.show", f"c-{competency_id}", rubric_id=rubric_id)
    item = found.item(competency_id)
    blocks = ["competency", "badge_oob", "progress_item", "gaps_oob"]
    if change.levels_moved:
        blocks.append("radar_oob")
    category = change.after.category(item.spec.category)
    response = fragment(TEMPLATE, blocks, **context(found, item=item, category=category, oob=True))
    if change.levels_moved:
        # The levels-over-time chart needs the history: it refreshes itself on this signal.
        response.headers["HX-Trigger"] = "rungs:levels"
    return response


@bp.post("/rubrics/<int:rubric_id>/ratings/<int:competency_id>/confirm")
@login_required
def confirm(rubric_id: int, competency_id: int):
    """Keep a rating after its competency was reworded: it still fits the new words."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side = side_or_404(owned)
    found = page.build(owned, side, queries.ratings(rubric_id, notes_of=current_user.id))
    competency_or_404(found.stored, competency_id)
    changes.confirm_rating(found, competency_id, current_user.id)
    if not is_htmx():
        return see_other("rubric.show", f"c-{competency_id}", rubric_id=rubric_id)
    item = found.item(competency_id)
    return fragment(TEMPLATE, ["competency"], **context(found, item=item))


@bp.post("/rubrics/<int:rubric_id>/seen")
@login_required
def seen(rubric_id: int):
    """Mark the ladder's latest version as seen: "what changed" folds away until the next."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side_or_404(owned, only=Side.SELF)
    if owned.ladder_version and owned.rubric.seen_version != owned.ladder_version:
        owned.rubric.seen_version = owned.ladder_version
        db.session.commit()
    return see_other("rubric.show", rubric_id=rubric_id)


@bp.post("/rubrics/<int:rubric_id>/focus/<int:competency_id>")
@login_required
def focus(rubric_id: int, competency_id: int):
    """Mark or unmark a competency as one the person is working on now."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side = side_or_404(owned, only=Side.SELF)  # the growth plan is the engineer's own choice
    found = page.build(owned, side, queries.ratings(rubric_id, notes_of=current_user.id))
    competency_or_404(found.stored, competency_id)
    message = changes.set_focus(
        found, competency_id, request.form.get("focus") == "1", current_user.id
    )
    if not is_htmx():
        if message:
            flash(message, "error")
        return see_other("rubric.show", f"c-{competency_id}", rubric_id=rubric_id)
    item = found.item(competency_id)
    return fragment(
        TEMPLATE, ["competency", "plan_oob"], **context(found, item=item, message=message)
    )


@bp.post("/rubrics/<int:rubric_id>/settings")
@login_required
def settings(rubric_id: int):
    """Choose the track and the target level of a rubric."""
    owned = rubric_or_404(rubric_id, for_update=True)
    side_or_404(owned, only=Side.SELF)
    spec = store.stored(owned.ladder).spec
    current = spec.track_or_first(owned.rubric.track_key)
    form = SettingsForm.for_track(spec, current, track=current.key, target="")
    if not form.validate_on_submit():
        abort(400)  # two selects: only a tampered request sends what they do not offer
    track = spec.track(form.track.data)
    if not form.fits(track):
        # The list offered the old track's levels: say so, and offer the new track's.
        return whole_page(rubric_page_or_404(rubric_id), form.refused_for(spec, track), 422)
    if changes.set_track(owned, track.key, form.target.data or None, current_user.id):
        flash("Track and target saved. Your ratings stay as they were.", "success")
    return see_other("rubric.show", rubric_id=rubric_id)


@bp.get("/rubrics/<int:rubric_id>/settings")
@login_required
def settings_form(rubric_id: int):
    """Show the settings form with the target levels of the track being chosen."""
    owned = rubric_or_404(rubric_id)
    side_or_404(owned, only=Side.SELF)
    spec = store.stored(owned.ladder).spec
    track = spec.track_or_first(request.args.get("track"))
    form = SettingsForm.for_track(spec, track, formdata=None, track=track.key, target="")
    wanted = request.args.get("target") or owned.rubric.target_key
    if wanted in track.levels:
        form.target.data = wanted
    elif wanted:
        form.dropped(spec, wanted, track)
    if not is_htmx():
        return redirect(url_for("rubric.show", rubric_id=rubric_id))
    return fragment(TEMPLATE, ["settings"], settings=form, rubric_id=rubric_id)


@bp.get("/rubrics/<int:rubric_id>/live")
@login_required
def live_changes(rubric_id: int):
    """Answer a poll: 204 when nothing changed, else only the changed fragments."""
    # Runs alone, before the ORM session is used: a quiet poll never begins one.
    viewer = current_user._get_current_object()  # once: each look through the proxy costs
    state = queries.poll_state(rubric_id, viewer.id, live.window_start())
    if state is None or not can_see(viewer, state.owner_id, state.manager_id):
        abort(404)
    if live.heartbeat_due(rubric_id):
        db.session.commit()  # end any read transaction: the presence write needs its own
        write_intent.set(True)
        live.touch(rubric_id, current_user.id)
        db.session.commit()
        write_intent.set(False)
    since = id_value(request.args.get("since")) or 0
    latest = state.latest
    if latest <= since and live.seen_key(state.here) == request.args.get("seen", ""):
        return Response(status=204)
    owned = rubric_or_404(rubric_id)
    here = live.named(state.here, owned.people())  # the poll's query said who is here
    news = history.since(rubric_id, since) if latest > since else []
    found = page.build(
        owned,
        side_of(owned),
        queries.ratings(rubric_id, notes_of=current_user.id),
        since=latest,
        here=here,
    )
    keys = found.stored.competency_keys
    changed = list(dict.fromkeys(e.competency_id for e in news if e.competency_id in keys))
    by_others = {e.competency_id for e in news if e.actor_id != current_user.id}
    ctx = context(found, oob=True, fragment=True)
    parts = [
        render_block(
            TEMPLATE,
            "competency",
            **ctx,
            item=found.item(cid),
            head_oob=True,
            changed=cid in by_others,
        )
        for cid in changed
    ]
    blocks = ["live_oob"]
    if news:
        blocks += ["badge_oob", "gaps_oob", "ladder_oob"]
        parts += [
            render_block(TEMPLATE, "progress_item", **ctx, category=c)
            for c in found.standing.categories
        ]
        if found.own and any(e.kind == Kind.FOCUS for e in news):
            blocks.append("plan_oob")
    parts.append(render_blocks(TEMPLATE, blocks, **ctx))
    parts += oneonone_panel.live_parts(owned, {e.kind for e in news})
    if any(e.kind == Kind.SETTINGS and e.actor_id != current_user.id for e in news):
        parts.append(render_block(TEMPLATE, "settings_notice_oob", **ctx))
    return Response("".join(parts))
