"""Sharing progress: the promotion packet, rubric exports, and one's whole record."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.access import rubric_or_404, side_of
from app.evidence.models import Evidence
from app.extensions import db
from app.history.events import Kind, record
from app.history.models import Event
from app.notifications import notify
from app.rubric import page as rubric_page
from app.rubric import queries
from app.rubric.side import Side
from app.share import packet as packets
from app.share import record as records
from app.share.forms import SignoffForm
from app.web import see_other

bp = Blueprint("share", __name__)


def page_for(rubric_id: int, *, for_update: bool = False) -> rubric_page.RubricPage:
    """The read model of a rubric the current user may see."""
    owned = rubric_or_404(rubric_id, for_update=for_update)
    return rubric_page.build(owned, side_of(owned), queries.ratings(rubric_id))


def target_of(page: rubric_page.RubricPage) -> str:
    """The level the packet argues for: asked for, else the rubric's target or next level."""
    wanted = request.values.get("target")
    if page.index.position(wanted) >= 0:
        return wanted
    return page.standing.target or page.index.levels[-1].key


def build_packet(page: rubric_page.RubricPage, target: str) -> packets.Packet:
    """Collect the shared evidence and the sign-offs, then the packet."""
    items = db.session.execute(
        select(Evidence)
        .where(Evidence.rubric_id == page.rubric.id, ~Evidence.private)
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
            .where(Event.rubric_id == page.rubric.id, Event.kind == Kind.SIGNOFF)
            .order_by(Event.id)
        )
    ]
    return packets.build(page, target, evidence, signoffs)


def render_packet(page: rubric_page.RubricPage, form: SignoffForm, status: int = 200):
    """The packet page, with the sign-off form as the manager left it."""
    body = render_template(
        "share/packet.html",
        page=page,
        packet=build_packet(page, target_of(page)),
        can_sign=page.side is Side.MANAGER,
        signoff=form,
        today=date.today(),
    )
    return Response(body, status)


@bp.get("/rubrics/<int:rubric_id>/packet")
@login_required
def packet(rubric_id: int):
    """Show the print-ready promotion packet for a target level."""
    return render_packet(page_for(rubric_id), SignoffForm(formdata=None))


@bp.get("/rubrics/<int:rubric_id>/packet.md")
@login_required
def packet_markdown(rubric_id: int):
    """Download the promotion packet as Markdown."""
    page = page_for(rubric_id)
    found = build_packet(page, target_of(page))
    name = f"promotion-packet-{found.target}.md"
    return Response(
        packets.markdown(found),
        content_type="text/markdown; charset=utf-8",  # mimetype= would add a second charset
        headers={"Content-Disposition": f'attachment; filename="{records.safe(name)}"'},
    )


@bp.post("/rubrics/<int:rubric_id>/packet/signoff")
@login_required
def signoff(rubric_id: int):
    """Record the manager's sign-off of the packet in the rubric's history."""
    page = page_for(rubric_id, for_update=True)
    if page.side is not Side.MANAGER:
        abort(404)
    form = SignoffForm()
    if not form.validate_on_submit():
        return render_packet(page, form, 422)  # the typed comment stays in the box
    target = target_of(page)
    record(
        rubric_id,
        current_user.id,
        Kind.SIGNOFF,
        after={
            "target": target,
            "name": current_user.name,
            "date": form.date.data.isoformat(),
            "comment": form.comment.data or "",
        },
    )
    level = page.index.name_at(page.index.position(target))
    link = url_for("share.packet", rubric_id=rubric_id, target=target)
    notify.packet_signed(page.rubric.user_id, by=current_user, level=level, link=link)
    db.session.commit()
    flash("Sign-off recorded in the rubric's history.", "success")
    return see_other("share.packet", rubric_id=rubric_id, target=target)


@bp.get("/rubrics/<int:rubric_id>/export.<fmt>")
@login_required
def export(rubric_id: int, fmt: str):
    """Download the rubric's ratings as CSV or JSON."""
    page = page_for(rubric_id)
    if fmt == "csv":
        body, mimetype = packets.to_csv(page), "text/csv"
    elif fmt == "json":
        body, mimetype = packets.to_json(page), "application/json"
    else:
        abort(404)
    name = records.safe(f"rubric-{page.owned.owner_name}.{fmt}")
    return Response(
        body,
        content_type=f"{mimetype}; charset=utf-8",  # mimetype= would add a second charset
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/me/record.zip")
@login_required
def my_record():
    """Download everything Rungs holds about oneself, to take along."""
    data = records.build_zip(current_user)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="rungs-record.zip"'},
    )
