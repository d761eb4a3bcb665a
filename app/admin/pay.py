"""Pay transparency: admins attach a pay band to each level and choose who sees them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.attributes import flag_modified

from app.access import admin_required
from app.audit import log as audit
from app.extensions import db
from app.ladders import store

bp = Blueprint("pay", __name__, url_prefix="/admin/pay")

VISIBILITY = {
    "off": "Off: nobody sees pay bands",
    "admins": "Admins only",
    "everyone": "Everyone signed in",
}
MAX_BAND = 100


@bp.get("/")
@admin_required
def index():
    """Show every ladder's levels with their pay bands and visibility."""
    ladders = [(lad, store.stored(lad).spec) for lad in store.all_ladders()]
    return render_template("admin/pay.html", ladders=ladders, choices=VISIBILITY)


@bp.post("/<key>")
@admin_required
def save(key: str):
    """Save one ladder's pay bands and who may see them."""
    ladder = store.by_key(key)
    if ladder is None:
        abort(404)
    visibility = request.form.get("visibility", "off")
    if visibility not in VISIBILITY:
        abort(400)
    levels = store.stored(ladder).spec.levels
    bands = {}
    for level in levels:
        text = request.form.get(f"band-{level.key}", "").strip()
        if len(text) > MAX_BAND:
            flash(f"Keep each pay band under {MAX_BAND} characters.", "error")
            return redirect(url_for("pay.index"), code=303)
        if text:
            bands[level.key] = text
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
