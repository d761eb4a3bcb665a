"""Pay transparency: admins attach a pay band to each level and choose who sees them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.attributes import flag_modified

from app.access import admin_required
from app.admin.forms import VISIBILITY, PayBandsForm
from app.audit import log as audit
from app.extensions import db
from app.ladders import store
from app.ladders.models import Ladder

bp = Blueprint("pay", __name__, url_prefix="/admin/pay")


def saved_form(ladder: Ladder) -> PayBandsForm:
    """The form of one ladder as it is stored."""
    levels = store.stored(ladder).spec.levels
    bands = ladder.pay_bands or {}
    data = {"visibility": ladder.pay_visibility}
    data |= {f"band_{i}": bands.get(level.key, "") for i, level in enumerate(levels)}
    return PayBandsForm.for_levels(levels, formdata=None, data=data)


def render(forms: dict[str, PayBandsForm], status: int = 200) -> Response:
    """The pay page: each ladder with its form (a refused one as it was typed)."""
    ladders = [
        (lad, store.stored(lad).spec, forms.get(lad.key) or saved_form(lad))
        for lad in store.all_ladders()
    ]
    return Response(render_template("admin/pay.html", ladders=ladders), status)


@bp.get("/")
@admin_required
def index():
    """Show every ladder's levels with their pay bands and visibility."""
    return render({})


@bp.post("/<key>")
@admin_required
def save(key: str):
    """Save one ladder's pay bands and who may see them."""
    ladder = store.by_key(key)
    if ladder is None:
        abort(404)
    if request.form.get("visibility", "off") not in VISIBILITY:
        abort(400)  # a select: only a tampered request sends what it does not offer
    levels = store.stored(ladder).spec.levels
    form = PayBandsForm.for_levels(levels)
    if not form.validate_on_submit():
        return render({ladder.key: form}, 422)  # what was typed stays in the boxes
    visibility, bands = form.visibility.data, form.bands()
    changes = pay_changes(levels, (ladder.pay_visibility, ladder.pay_bands), (visibility, bands))
    ladder.pay_bands, ladder.pay_visibility = bands, visibility
    flag_modified(ladder, "pay_bands")
    if changes:
        audit.record("ladder.pay_bands", current_user, ladder.key, detail="; ".join(changes))
    db.session.commit()
    flash(f"Pay bands of {ladder.name} saved; {VISIBILITY[visibility].lower()}.", "success")
    return redirect(url_for("pay.index"), code=303)


def pay_changes(levels, before: tuple[str, dict | None], after: tuple[str, dict]) -> list[str]:
    """Say what a save changes, for the audit log: the visibility, then each level's band."""
    (shown_to, was), (now_shown_to, now) = before, after
    changes = [f"visibility: {shown_to} → {now_shown_to}"] if shown_to != now_shown_to else []
    for level in levels:
        old, new = (was or {}).get(level.key), now.get(level.key)
        if old != new:
            changes.append(f"{level.name}: {_band(old)} → {_band(new)}")
    return changes


def _band(text: str | None) -> str:
    return repr(text) if text else "none"
