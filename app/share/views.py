"""Sharing progress: the promotion packet, rubric exports, and one's whole record."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.notifications import notify
from app.rubric import page, service
from app.rubric.models import Event, Evidence
from app.rubric.views import loaded_or_404, side_of
from app.share import packet as packets
from app.share import record
from app.web import parse_day

bp = Blueprint("share", __name__)

MAX_COMMENT = 2_000


def view_for(rubric_id: int, *, for_update: bool = False) -> page.RubricView:
    loaded = loaded_or_404(rubric_id, for_update=for_update)
    side = side_of(loaded)
    return page.build(loaded, side, service.ratings(rubric_id))


def target_of(view: page.RubricView) -> str:
    """The level the packet argues for: asked for, else the rubric's target or next level."""
    keys = [lv.key for lv in view.index.levels]
    wanted = request.values.get("target")
    if wanted in keys:
        return wanted
    return view.standing.target or keys[-1]


def build_packet(view: page.RubricView, target: str) -> packets.Packet:
    """Collect the shared evidence and the sign-offs, then the packet."""
    items = db.session.execute(
        select(Evidence)
        .where(Evidence.rubric_id == view.rubric.id, ~Evidence.private)
        .order_by(Evidence.day)
    ).scalars()
    evidence: dict[int, list[packets.EvidenceNote]] = {}
    for ev in items:
        evidence.setdefault(ev.competency_id, []).append(
            packets.EvidenceNote(ev.body, ev.link, ev.day, ev.author.name)
        )
    signoffs = [
        e.after
        for e in db.session.scalars(
            select(Event)
            .where(Event.rubric_id == view.rubric.id, Event.kind == "signoff")
            .order_by(Event.id)
        )
    ]
    return packets.build(view, target, evidence, signoffs)


@bp.get("/rubrics/<int:rubric_id>/packet")
@login_required
def packet(rubric_id: int):
    """Show the print-ready promotion packet for a target level."""
    view = view_for(rubric_id)
    target = target_of(view)
    return render_template(
        "share/packet.html",
        view=view,
        packet=build_packet(view, target),
        can_sign=view.side == "manager",
        today=date.today(),
    )


@bp.get("/rubrics/<int:rubric_id>/packet.md")
@login_required
def packet_markdown(rubric_id: int):
    """Download the promotion packet as Markdown."""
    view = view_for(rubric_id)
    found = build_packet(view, target_of(view))
    name = f"promotion-packet-{found.target}.md"
    return Response(
        packets.markdown(found),
        mimetype="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{record.safe(name)}"'},
    )


@bp.post("/rubrics/<int:rubric_id>/packet/signoff")
@login_required
def signoff(rubric_id: int):
    """Record the manager's sign-off of the packet in the rubric's history."""
    view = view_for(rubric_id, for_update=True)
    if view.side != "manager":
        abort(404)
    target = target_of(view)
    comment = request.form.get("comment", "").strip()
    day = parse_day(request.form.get("date"))
    if day is None or len(comment) > MAX_COMMENT:
        flash(f"Give a date and a comment under {MAX_COMMENT:,} characters.", "error")
    else:
        service.record(
            rubric_id,
            current_user.id,
            "signoff",
            after={
                "target": target,
                "name": current_user.name,
                "date": day.isoformat(),
                "comment": comment,
            },
        )
        level = next((lv.name for lv in view.index.levels if lv.key == target), target)
        link = url_for("share.packet", rubric_id=rubric_id, target=target)
        notify.packet_signed(view.rubric.user_id, by=current_user, level=level, link=link)
        db.session.commit()
        flash("Sign-off recorded in the rubric's history.", "success")
    return redirect(url_for("share.packet", rubric_id=rubric_id, target=target), code=303)


@bp.get("/rubrics/<int:rubric_id>/export.<fmt>")
@login_required
def export(rubric_id: int, fmt: str):
    """Download the rubric's ratings as CSV or JSON."""
    view = view_for(rubric_id)
    if fmt == "csv":
        body, mimetype = packets.to_csv(view), "text/csv"
    elif fmt == "json":
        body, mimetype = packets.to_json(view), "application/json"
    else:
        abort(404)
    name = record.safe(f"rubric-{view.owner_name}.{fmt}")
    return Response(
        body,
        mimetype=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/me/record.zip")
@login_required
def my_record():
    """Download everything Rungs holds about oneself, to take along."""
    data = record.build_zip(current_user)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="rungs-record.zip"'},
    )
