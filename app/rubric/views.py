"""The rubric page: rate competencies, pick a track and target, focus; recompute in place."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block, render_blocks

from app.access import can_see, person_or_404, rating_side
from app.charts.steps import steps_chart
from app.clock import utcnow
from app.database import write_intent
from app.extensions import db
from app.ladders import store
from app.rubric import live, page, service
from app.web import id_value, is_htmx

bp = Blueprint("rubric", __name__)

TEMPLATE = "rubric/page.html"


def loaded_or_404(rubric_id: int, *, for_update: bool = False) -> service.Loaded:
    """Load a rubric the current user may see, or answer 404."""
    loaded = service.load(rubric_id, for_update=for_update)
    if loaded is None or not can_see(current_user, loaded.owner_id, loaded.owner_manager_id):
        abort(404)
    return loaded


def side_of(loaded: service.Loaded) -> str | None:
    """Say which rating the current user sets on this rubric ("self", "manager" or None)."""
    return rating_side(current_user, loaded.owner_id, loaded.owner_manager_id)


def side_or_404(loaded: service.Loaded) -> str:
    """Return which rating the current user sets here; read-only viewers get 404 on writes."""
    side = side_of(loaded)
    if side is None:
        abort(404)
    return side


def back_to(rubric_id: int, anchor: str = "") -> Response:
    """Answer a plain form POST: back to the same place on the page."""
    target = url_for("rubric.show", rubric_id=rubric_id) + (f"#{anchor}" if anchor else "")
    return redirect(target, code=303)


@bp.get("/me")
@login_required
def me():
    """Open the signed-in person's own rubric."""
    return redirect(url_for("rubric.person", user_id=current_user.id))


@bp.get("/people/<int:user_id>/rubric")
@login_required
def person(user_id: int):
    """Open a person's rubric on the chosen (or first) ladder."""
    owner = person_or_404(user_id)
    ladders = store.all_ladders()
    if not ladders:
        return render_template("rubric/no_ladder.html")
    wanted = request.args.get("ladder")
    ladder = next((lad for lad in ladders if lad.key == wanted), ladders[0])
    rubric = service.rubric_for(owner, ladder)
    return redirect(url_for("rubric.show", rubric_id=rubric.id))


@bp.get("/rubrics/<int:rubric_id>")
@login_required
def show(rubric_id: int):
    """Show a rubric: standing, gaps, focus, and every competency of the track."""
    loaded = loaded_or_404(rubric_id)
    side = side_of(loaded)
    view = page.build(
        loaded,
        side,
        service.ratings(rubric_id),
        since=service.latest_event_id(rubric_id),
        here=live.viewers(rubric_id, current_user.id),
    )
    only = request.args.get("only")
    if only not in ("gaps", "disagree"):
        only = None
    open_level = request.args.get("open")
    return render_template(
        TEMPLATE, view=view, only=only, open_level=open_level, **steps_chart(view)
    )


@bp.get("/rubrics/<int:rubric_id>/levels/<level_key>")
@login_required
def level(rubric_id: int, level_key: str):
    """Load the competencies of one level into its collapsed section (htmx)."""
    loaded = loaded_or_404(rubric_id)
    if not is_htmx():
        target = url_for("rubric.show", rubric_id=rubric_id, open=level_key)
        return redirect(f"{target}#level-{level_key}")
    view = page.build(loaded, side_of(loaded), service.ratings(rubric_id))
    position = view.level_position(level_key)
    if position < 0:
        abort(404)
    found, cats = view.level(position)
    return render_block(TEMPLATE, "level_body", view=view, level=found, cats=cats, only=None)


@bp.post("/rubrics/<int:rubric_id>/ratings/<int:competency_id>")
@login_required
def rate(rubric_id: int, competency_id: int):
    """Set one rating; htmx gets the competency, badge, category and gaps back at once."""
    loaded = loaded_or_404(rubric_id, for_update=True)
    side = side_or_404(loaded)
    stored = store.stored(loaded.ladder)
    if competency_id not in stored.competency_keys:
        abort(404)
    # "Take this rating" sends its value as "take", beside the checked radio's "step".
    step = request.form.get("take") or request.form.get("step", "")
    if step not in {s.key for s in stored.spec.scale}:
        abort(400)
    rows = service.ratings(rubric_id)
    old = rows.get(competency_id)
    before = (old.self_step if side == "self" else old.manager_step) if old else None
    # Levels count only demonstrated competencies: unless this click crosses that line, no
    # level can move, and the standing before the change need not be worked out at all.
    value = {s.key: s.value for s in stored.spec.scale}
    crossed = (value.get(before, 0.0) >= 1.0) != (value[step] >= 1.0)
    before_levels = page.side_levels(loaded, side, rows) if crossed and is_htmx() else None
    if step != before:
        now = utcnow()
        changes = {f"{side}_step": step, f"{side}_by_id": current_user.id, f"{side}_at": now}
        service.upsert_rating(rubric_id, competency_id, **changes)
        service.record(
            rubric_id,
            current_user.id,
            f"rating.{side}",
            competency_id=competency_id,
            before={"step": before},
            after={"step": step},
        )
        db.session.commit()
        rows[competency_id] = service.with_change(old, side, step, current_user.id, now)
    if not is_htmx():
        return back_to(rubric_id, f"c-{competency_id}")
    view = page.build(loaded, side, rows)
    item = view.item(competency_id)
    category = view.category(item.spec.category)
    blocks = ["competency", "badge_oob", "progress_item", "gaps_oob"]
    levels_moved = crossed and before_levels != tuple(c.level for c in view.standing.categories)
    if levels_moved:
        blocks.append("radar_oob")
    response = Response(
        render_blocks(
            TEMPLATE, blocks, view=view, item=item, category=category, oob=True, fragment=True
        )
    )
    response.vary.add("HX-Request")
    if levels_moved:
        # The levels-over-time chart needs the history: it refreshes itself on this signal.
        response.headers["HX-Trigger"] = "rungs:levels"
    return response


@bp.post("/rubrics/<int:rubric_id>/focus/<int:competency_id>")
@login_required
def focus(rubric_id: int, competency_id: int):
    """Mark or unmark a competency as one the person is working on now."""
    loaded = loaded_or_404(rubric_id, for_update=True)
    if side_or_404(loaded) != "self":
        abort(404)  # the growth plan is the engineer's own choice
    stored = store.stored(loaded.ladder)
    if competency_id not in stored.competency_keys:
        abort(404)
    rows = service.ratings(rubric_id)
    old = rows.get(competency_id) or service.RatingRow(None, None, 0, False)
    wanted = request.form.get("focus") == "1"
    message = None
    live_keys = stored.competency_keys
    focused = sum(1 for cid, r in rows.items() if r.focus and cid in live_keys)
    if wanted and not old.focus and focused >= page.FOCUS_LIMIT:
        message = (
            f"You already focus on {page.FOCUS_LIMIT} competencies. "
            "Finish or unmark one first: a short plan is easier to keep."
        )
    elif wanted != old.focus:
        service.upsert_rating(rubric_id, competency_id, focus=wanted)
        service.record(
            rubric_id,
            current_user.id,
            "focus",
            competency_id=competency_id,
            before={"focus": old.focus},
            after={"focus": wanted},
        )
        db.session.commit()
        rows[competency_id] = old._replace(focus=wanted)
    if not is_htmx():
        if message:
            flash(message, "error")
        return back_to(rubric_id, f"c-{competency_id}")
    view = page.build(loaded, "self", rows)
    item = view.item(competency_id)
    response = Response(
        render_blocks(
            TEMPLATE,
            ["competency", "plan_oob"],
            view=view,
            item=item,
            message=message,
            fragment=True,
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.post("/rubrics/<int:rubric_id>/settings")
@login_required
def settings(rubric_id: int):
    """Choose the track and the target level of a rubric."""
    loaded = loaded_or_404(rubric_id, for_update=True)
    if side_or_404(loaded) != "self":
        abort(404)
    spec = store.stored(loaded.ladder).spec
    rubric = loaded.rubric
    track_key = request.form.get("track", rubric.track_key)
    track = next((t for t in spec.tracks if t.key == track_key), None)
    if track is None:
        abort(400)
    target = request.form.get("target") or None
    if target is not None and target not in track.levels:
        target = None
    before = {"track": rubric.track_key, "target": rubric.target_key}
    after = {"track": track.key, "target": target}
    if before != after:
        rubric.track_key, rubric.target_key = track.key, target
        service.record(rubric_id, current_user.id, "settings", before=before, after=after)
        db.session.commit()
        flash("Track and target saved. Your ratings stay as they were.", "success")
    return back_to(rubric_id)


@bp.get("/rubrics/<int:rubric_id>/live")
@login_required
def live_changes(rubric_id: int):
    """Answer a poll: 204 when nothing changed, else only the changed fragments."""
    heartbeat = live.heartbeat_due(rubric_id)
    if heartbeat:
        db.session.commit()  # end the read transaction: the presence write needs its own
        write_intent.set(True)
    state = service.poll_state(rubric_id)
    if state is None or not can_see(current_user, state[0], state[1]):
        abort(404)
    if heartbeat:
        live.touch(rubric_id, current_user.id)
        db.session.commit()
        write_intent.set(False)
    since = id_value(request.args.get("since")) or 0
    latest = state[2]
    here = live.viewers(rubric_id, current_user.id)
    if latest <= since and live.seen_key(here) == request.args.get("seen", ""):
        return Response(status=204)
    loaded = loaded_or_404(rubric_id)
    side = side_of(loaded)
    events = live.events_since(rubric_id, since) if latest > since else []
    view = page.build(loaded, side, service.ratings(rubric_id), since=latest, here=here)
    keys = view.stored.competency_keys
    changed = list(dict.fromkeys(e.competency_id for e in events if e.competency_id in keys))
    by_others = {e.competency_id for e in events if e.actor_id != current_user.id}
    parts = [
        render_block(
            TEMPLATE,
            "competency",
            view=view,
            item=view.item(cid),
            head_oob=True,
            fragment=True,
            changed=cid in by_others,
        )
        for cid in changed
    ]
    blocks = ["live_oob"]
    if events:
        blocks += ["badge_oob", "gaps_oob"]
        parts += [
            render_block(TEMPLATE, "progress_item", view=view, category=c, oob=True)
            for c in view.standing.categories
        ]
        if any(e.kind == "focus" for e in events) and view.own:
            blocks.append("plan_oob")
    context = dict(view=view, oob=True, fragment=True)
    parts.append(render_blocks(TEMPLATE, blocks, **context))
    notices = [e for e in events if e.kind == "settings" and e.actor_id != current_user.id]
    if notices:
        parts.append(render_block(TEMPLATE, "settings_notice_oob", **context))
    return Response("".join(parts))
