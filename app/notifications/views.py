"""The notifications list behind the header's badge, one's settings, and unsubscribe links."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_blocks
from sqlalchemy import delete, select, update

from app.auth.models import User
from app.clock import utcnow
from app.extensions import csrf, db
from app.notifications import kinds
from app.notifications import unsubscribe as tokens
from app.notifications.badge import unread_count
from app.notifications.forms import settings_form
from app.notifications.models import Notification, NotificationSetting
from app.notifications.notify import channels
from app.web import is_htmx

bp = Blueprint("notifications", __name__)

TEMPLATE = "notifications/index.html"
PAGE_SIZE = 50


@bp.app_context_processor
def badge():
    # A function, not a number: only full pages (base.html) pay for the query, not fragments.
    return {"unread_notifications": unread_count}


def mine_or_404(notification_id: int) -> Notification:
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    return note


def listing(status: int = 200) -> Response:
    """The list page, or for htmx the list with the badge out of band."""
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    context = {"notes": notes, "kinds": kinds.KINDS}
    if is_htmx():
        response = Response(
            render_blocks(TEMPLATE, ["list", "notifications_badge_oob"], **context), status
        )
    else:
        response = Response(render_template(TEMPLATE, **context), status)
    response.vary.add("HX-Request")
    return response


@bp.get("/notifications")
@login_required
def index():
    """List one's notifications of the last 90 days, newest first, unread marked."""
    return listing()


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    """Mark a notification read and go where it points."""
    note = mine_or_404(notification_id)
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    target = note.link if note.link.startswith("/") and not note.link.startswith("//") else None
    return redirect(target or url_for("notifications.index"), code=303)


@bp.post("/notifications/read")
@login_required
def read_all():
    """Mark every notification read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    if is_htmx():
        return listing()
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"), code=303)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Choose, kind by kind, which notifications come by email and which show in Rungs."""
    current = {kind.key: channels(current_user.id, kind.key) for kind in kinds.settable()}
    form = settings_form(current, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        for kind in kinds.settable():
            email, in_app = form.choice(kind)
            save(current_user.id, kind.key, email=email, in_app=in_app)
        db.session.commit()
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"), code=303)
    status = 400 if request.method == "POST" else 200  # only a missing CSRF token fails here
    return render_template("notifications/settings.html", form=form), status


def save(user_id: int, kind: str, *, email: bool, in_app: bool) -> None:
    """Store one person's choice for one kind (no row when both are on)."""
    db.session.execute(
        delete(NotificationSetting).where(
            NotificationSetting.user_id == user_id, NotificationSetting.kind == kind
        )
    )
    if not (email and in_app):
        db.session.add(NotificationSetting(user_id=user_id, kind=kind, email=email, in_app=in_app))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients post here with no session (RFC 8058); the signed token is the key
def unsubscribe(token: str):
    """Turn off one kind of email from the link in that email, without signing in."""
    found = tokens.read(token)
    spec = kinds.KINDS.get(found[1]) if found else None
    person = db.session.get(User, found[0]) if found else None
    if person is None or spec is None or not spec.optional:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    if request.method == "GET":
        # A GET changes nothing: mail scanners open links. The page's button posts.
        return render_template("notifications/unsubscribe.html", person=person, kind=spec)
    _, in_app = channels(person.id, spec.key)
    save(person.id, spec.key, email=False, in_app=in_app)
    db.session.commit()
    if request.form.get("List-Unsubscribe") == "One-Click":
        return Response("Unsubscribed.\n", mimetype="text/plain")
    return render_template("notifications/unsubscribe.html", person=person, kind=spec, done=True)
