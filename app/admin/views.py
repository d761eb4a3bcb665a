"""Admin pages: the people of this installation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.access import admin_required
from app.account.views import viewer_zone
from app.admin.forms import ActionForm, InviteForm, ManagerForm, PersonForm, RoleForm
from app.audit import log as audit
from app.auth import accounts, throttle
from app.auth.accounts import AccountError
from app.auth.models import Invitation, Role, User
from app.extensions import db
from app.mail.outbox import absolute
from app.notifications import notify
from app.oneonone import rhythm
from app.web import id_value

bp = Blueprint("admin", __name__, url_prefix="/admin")

INVITE_DAYS = 7


def manager_choices(exclude: User | None = None) -> list[SelectChoice]:
    """List the people who can be someone's manager."""
    people = db.session.scalars(
        select(User)
        .where(User.active, User.role.in_([Role.MANAGER, Role.ADMIN]))
        .order_by(User.name)
    )
    skip = exclude.id if exclude else None
    return [SelectChoice("", "No manager")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in people if u.id != skip
    ]


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@admin_required
def users():
    """List every user, with the forms to invite and manage them."""
    # A new invitation link is shown once, after the redirect that follows the invitation.
    return render_users(InviteForm(formdata=None), session.pop("invite_link", None))


def render_users(invite_form: InviteForm, invite_link: str | None = None, status: int = 200):
    """Render the people page around an invitation form (fresh, or with its errors)."""
    people = db.session.scalars(select(User).order_by(User.name)).all()
    choices = manager_choices()
    invite_form.manager.choices = choices
    locked = throttle.locked([person.email for person in people])
    rows = []
    for person in people:
        form = PersonForm(
            formdata=None,
            prefix=f"p{person.id}",
            role=person.role,
            manager=str(person.manager_id or ""),
        )
        form.manager.choices = [c for c in choices if c.value != str(person.id)]
        rows.append((person, form))
    return render_template(
        "admin/users.html",
        rows=rows,
        invite_form=invite_form,
        invite_link=invite_link,
        locked=locked,
        action_form=ActionForm(),
        # The next 1:1 of each person, so an admin sees whose rhythm has lapsed.
        upcoming=rhythm.upcoming_by_person(
            [p.id for p in people], rhythm.local_today(viewer_zone())
        ),
    ), status


def show_link_once(token: str, message: str):
    """Keep a new link for the next page view only, and go there (303)."""
    session["invite_link"] = absolute(url_for("auth.accept_invite", token=token))
    flash(message, "success")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users")
@admin_required
def invite():
    """Invite a person: create their account and a one-time link to set a password."""
    form = InviteForm()
    form.manager.choices = manager_choices()
    if not form.validate_on_submit():
        return render_users(form, status=422)
    try:
        manager = None
        if form.manager.data:
            manager_id = id_value(form.manager.data)
            manager = db.session.get(User, manager_id) if manager_id is not None else None
            if manager is None:
                raise AccountError("Choose a manager from the list.")
        user = accounts.create_user(
            form.email.data,
            form.name.data,
            form.role.data,
            manager_email=manager.email if manager else None,
        )
        token = Invitation.issue("invite", user=user, days=INVITE_DAYS, created_by=current_user)
        audit.record("invitation.issued", current_user, user, detail=f"new {user.role} account")
        link = absolute(url_for("auth.accept_invite", token=token))
        emailed = notify.invitation(user, link, days=INVITE_DAYS, by=current_user.name)
        db.session.commit()
    except (AccountError, ValueError) as error:
        db.session.rollback()
        form.email.errors.append(str(error))
        return render_users(form, status=422)
    sent = f"We are emailing it to {user.email}; here it is too" if emailed else "Send this link"
    return show_link_once(
        token, f"Invited {user.name}. {sent}: it works once, for {INVITE_DAYS} days."
    )


@bp.post("/users/<int:user_id>/invite")
@admin_required
def reinvite(user_id: int):
    """Issue a fresh invitation link, for someone who lost theirs or forgot their password."""
    user = user_or_404(user_id)
    if user.id == current_user.id:
        # One's own way in is the password page; a link would only sign oneself out.
        flash("Change your own password on the password page.", "info")
        return redirect(url_for("admin.users"), code=303)
    if ActionForm().validate_on_submit():
        Invitation.revoke_for(user)  # a lost link stops working once a new one is made
        token = Invitation.issue("invite", user=user, days=INVITE_DAYS, created_by=current_user)
        audit.record("invitation.issued", current_user, user, detail="new link for an account")
        link = absolute(url_for("auth.accept_invite", token=token))
        emailed = notify.sign_in_link(user, link, days=INVITE_DAYS, by=current_user.name)
        db.session.commit()
        sent = f"; we are emailing it to {user.email}" if emailed else ""
        return show_link_once(
            token, f"New link for {user.name}{sent}. It works once, for {INVITE_DAYS} days."
        )
    abort(400)


@bp.post("/users/<int:user_id>")
@admin_required
def save_person(user_id: int):
    """Save a person's role and manager together, from the one button of their row."""
    user = user_or_404(user_id)
    form = PersonForm(prefix=f"p{user.id}")
    if not form.validate_on_submit():
        abort(400)  # a select offers nothing else: only a tampered request gets here
    manager = None
    if form.manager.data:
        manager_id = id_value(form.manager.data)
        if manager_id is None:
            abort(400)
        manager = user_or_404(manager_id)
    role_before, manager_before = user.role, user.manager
    try:
        detached = accounts.set_role(user, form.role.data) if user.role != form.role.data else []
        if manager is not None and (manager.role == Role.ENGINEER or not manager.active):
            raise AccountError(f"{manager.name} is not a manager: choose one from the list.")
        accounts.set_manager(user, manager)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.users"), code=303)
    said = []
    if user.role != role_before:
        audit.record("account.role", current_user, user, detail=f"{role_before} → {user.role}")
        said.append(f"is now {user.role}")
    for report in detached:
        detail = f"no longer reports to {user.name}, who is now an engineer"
        audit.record("account.manager", current_user, report, detail=detail)
    if manager_before is not manager:
        before = manager_before.email if manager_before else "no manager"
        after = manager.email if manager else "no manager"
        audit.record("account.manager", current_user, user, detail=f"{before} → {after}")
        said.append(f"reports to {manager.name}" if manager else "has no manager")
    db.session.commit()
    if said:
        flash(f"{user.name} {' and '.join(said)}.", "success")
    else:
        flash(f"Nothing to change for {user.name}.", "info")
    if detached:
        names = ", ".join(r.name for r in detached)
        flash(f"{names} now report to nobody: choose a new manager for them below.", "info")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    """Change a user's role."""
    user = user_or_404(user_id)
    form = RoleForm(prefix=f"r{user.id}")
    if not form.validate_on_submit():
        abort(400)
    if user.role == form.role.data:
        flash(f"{user.name} is already {user.role}.", "success")
        return redirect(url_for("admin.users"), code=303)
    before = user.role
    try:
        detached = accounts.set_role(user, form.role.data)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.users"), code=303)
    audit.record("account.role", current_user, user, detail=f"{before} → {user.role}")
    for report in detached:
        detail = f"no longer reports to {user.name}, who is now an engineer"
        audit.record("account.manager", current_user, report, detail=detail)
    db.session.commit()
    flash(f"{user.name} is now {user.role}.", "success")
    if detached:
        names = ", ".join(r.name for r in detached)
        flash(f"{names} now report to nobody: choose a new manager for them below.", "info")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/manager")
@admin_required
def change_manager(user_id: int):
    """Set who a user reports to."""
    user = user_or_404(user_id)
    form = ManagerForm(prefix=f"m{user.id}")
    form.manager.choices = manager_choices(exclude=user)
    if not form.validate_on_submit():
        abort(400)
    manager = None
    if form.manager.data:
        manager_id = id_value(form.manager.data)
        if manager_id is None:
            abort(400)
        manager = user_or_404(manager_id)
    text = (
        f"{user.name} now reports to {manager.name}." if manager else f"{user.name} has no manager."
    )
    before = user.manager.email if user.manager else "no manager"
    after = manager.email if manager else "no manager"
    event = ("account.manager", user, f"{before} → {after}") if before != after else None
    return _apply(lambda: accounts.set_manager(user, manager), text, event)


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    """Deactivate a user: they are signed out everywhere and cannot sign in."""
    user = user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _apply(
        lambda: accounts.deactivate(user),
        f"{user.name} is deactivated and signed out everywhere.",
        ("account.deactivated", user, "signed out everywhere") if user.active else None,
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    user = user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _apply(
        lambda: accounts.reactivate(user),
        f"{user.name} can sign in again.",
        ("account.reactivated", user, "") if not user.active else None,
    )


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def unlock(user_id: int):
    """Forget a user's failed sign-ins from every address, ending their locks."""
    user = user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if throttle.unlock(user.email):
        audit.record("account.unlocked", current_user, user, detail="failed sign-ins forgotten")
        flash(f"Sign-ins of {user.name} are unlocked.", "success")
    else:
        flash(f"{user.name} had no failed sign-ins to forget.", "info")
    db.session.commit()
    return redirect(url_for("admin.users"), code=303)


def _apply(change, message: str, event: tuple[str, User, str] | None = None):
    """Make an account change and log it in one transaction, or flash why it cannot be."""
    try:
        change()
        if event is not None:
            audit.record(event[0], current_user, event[1], detail=event[2])
        db.session.commit()
        flash(message, "success")
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("admin.users"), code=303)
