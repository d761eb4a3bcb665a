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
from app.share.forms import ActionForm, SignoffForm
from app.web import parse_day, see_other

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


def signoff_in_force(rubric_id: int, target: str) -> packets.SignOff | None:
    """The sign-off of the rubric's packet for a level that nobody withdrew, if any."""
    kinds = (Kind.SIGNOFF, Kind.SIGNOFF_WITHDRAWN)
    signed, withdrawn = [], set()
    for e in db.session.scalars(
        select(Event).where(Event.rubric_id == rubric_id, Event.kind.in_(kinds)).order_by(Event.id)
    ):
        after = e.after or {}
        if e.kind == Kind.SIGNOFF_WITHDRAWN:
            withdrawn.add(after.get("signoff"))
        else:
            signed.append(
                packets.SignOff(
                    event_id=e.id,
                    signer_id=e.actor_id,
                    name=after.get("name", "Someone"),
                    day=parse_day(after.get("date")),
                    comment=after.get("comment") or "",
                    target=after.get("target"),
                )
            )
    return packets.in_force(signed, withdrawn, target)


def build_packet(page: rubric_page.RubricPage, target: str) -> packets.Packet:
    """Collect the shared evidence and the sign-off in force, then the packet."""
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
    return packets.build(page, target, evidence, signoff_in_force(page.rubric.id, target))


def render_packet(
    page: rubric_page.RubricPage,
    form: SignoffForm,
    status: int = 200,
    found: packets.Packet | None = None,
):
    """The packet page, with the sign-off form as the manager left it."""
    body = render_template(
        "share/packet.html",
        page=page,
        packet=found or build_packet(page, target_of(page)),
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


def gaps_phrase(found: packets.Packet) -> str:
    """Say how many competencies up to the target are still open."""
    n = found.open_count
    return f"{n} competenc{'y is' if n == 1 else 'ies are'} still open up to {found.target_name}"


@bp.post("/rubrics/<int:rubric_id>/packet/signoff")
@login_required
def signoff(rubric_id: int):
    """Record the manager's sign-off of the packet in the rubric's history."""
    page = page_for(rubric_id, for_update=True)
    if page.side is not Side.MANAGER:
        abort(404)
    target = target_of(page)
    found = build_packet(page, target)
    if found.signoff is not None:
        flash(f"Already signed off by {found.signoff.name}.", "info")
        return see_other("share.packet", rubric_id=rubric_id, target=target)
    form = SignoffForm()
    valid = form.validate_on_submit()
    if valid and found.open_count and not form.confirm.data:
        # Signing over gaps is allowed, but only knowingly: the box says how many.
        form.confirm.errors = [f"{gaps_phrase(found)}: tick the box to sign off anyway."]
        valid = False
    if not valid:
        return render_packet(page, form, 422, found)  # the typed comment stays in the box
    record(
        rubric_id,
        current_user.id,
        Kind.SIGNOFF,
        after={
            "target": target,
            "name": current_user.name,
            "date": form.date.data.isoformat(),
            "comment": form.comment.data or "",
            "open": found.open_count,  # what was still open when signed, for the record
        },
    )
    level = found.target_name
    link = url_for("share.packet", rubric_id=rubric_id, target=target)
    notify.packet_signed(page.rubric.user_id, by=current_user, level=level, link=link)
    db.session.commit()
    flash("Sign-off recorded in the rubric's history.", "success")
    return see_other("share.packet", rubric_id=rubric_id, target=target)


@bp.post("/rubrics/<int:rubric_id>/packet/withdraw")
@login_required
def withdraw_signoff(rubric_id: int):
    """Withdraw one's own sign-off of the packet; the history keeps both."""
    page = page_for(rubric_id, for_update=True)
    if page.side is not Side.MANAGER:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    target = target_of(page)
    found = signoff_in_force(rubric_id, target)
    if found is None or found.signer_id != current_user.id:
        flash("There is no sign-off of yours to withdraw.", "info")
        return see_other("share.packet", rubric_id=rubric_id, target=target)
    record(
        rubric_id,
        current_user.id,
        Kind.SIGNOFF_WITHDRAWN,
        after={"target": target, "signoff": found.event_id, "name": current_user.name},
    )
    level = page.index.name_at(page.index.position(target))
    link = url_for("share.packet", rubric_id=rubric_id, target=target)
    notify.packet_withdrawn(page.rubric.user_id, by=current_user, level=level, link=link)
    db.session.commit()
    flash("Sign-off withdrawn; the history keeps both.", "success")
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
