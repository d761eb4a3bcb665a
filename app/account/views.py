"""One's account settings, and the time zone every page shows times in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.account import zones
from app.account.forms import TimeZoneForm
from app.clock import utcnow
from app.extensions import db

bp = Blueprint("account", __name__)

# Set by static/js/rungs.js from the browser's Intl time zone; only ever a hint.
COOKIE = "rungs_tz"


def viewer_zone() -> ZoneInfo:
    """The zone of the person looking: their choice, else their browser's, else UTC."""
    chosen = current_user.time_zone if current_user.is_authenticated else None
    return zones.zone(chosen, request.cookies.get(COOKIE))


def local_time(moment: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> Markup:
    """A <time> element: the UTC instant for machines, the viewer's local time for people."""
    if moment is None:
        return Markup("")
    stamp = zones.local(moment, ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup('<time datetime="{}">{}</time>').format(
        stamp, zones.shown(moment, viewer_zone(), fmt)
    )


def init_app(app: Flask) -> None:
    """Offer the local_time filter to every template."""
    app.jinja_env.filters["local_time"] = local_time


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    """Choose the time zone times are shown in."""
    form = TimeZoneForm(time_zone=current_user.time_zone or "")
    form.with_choices(request.cookies.get(COOKIE))
    if form.validate_on_submit():
        current_user.time_zone = form.time_zone.data or None
        db.session.commit()
        flash(f"Times are now shown in {viewer_zone().key}.", "success")
        return redirect(url_for("account.settings"), code=303)
    status = 422 if form.errors else 200
    page = render_template("account/settings.html", form=form, zone=viewer_zone(), now=utcnow())
    return page, status
