"""Pay transparency: admins attach a pay band to each level and choose who sees them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.attributes import flag_modified

from app.access import admin_required
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
    levels = {lv.key for lv in store.stored(ladder).spec.levels}
    bands = {}
    for level in levels:
        text = request.form.get(f"band-{level}", "").strip()
        if len(text) > MAX_BAND:
            flash(f"Keep each pay band under {MAX_BAND} characters.", "error")
            return redirect(url_for("pay.index"), code=303)
        if text:
            bands[level] = text
    ladder.pay_bands, ladder.pay_visibility = bands, visibility
    flag_modified(ladder, "pay_bands")
    db.session.commit()
    flash(f"Pay bands of {ladder.name} saved; {VISIBILITY[visibility].lower()}.", "success")
    return redirect(url_for("pay.index"), code=303)
