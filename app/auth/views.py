"""Signing in and out, the first-admin setup link, invitations and password changes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import passwords, throttle
from app.auth.forms import ChangePasswordForm, LoginForm, NewPasswordForm, SetupForm
from app.auth.models import Invitation, Role, User, admin_exists, normalise_email, utcnow
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user of a session, refusing sessions that were ended since."""
    uid, _, version = user_id.partition(":")
    if not uid.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(uid))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def safe_next(target: str | None) -> str:
    """Return a same-site path to go to after sign-in, never another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("home.index")


def start_session(user: User, remember: bool = False) -> None:
    """Sign a user in with a fresh session, so no earlier session id can be reused."""
    session.clear()
    login_user(user, remember=remember)
    session.permanent = remember


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        address = request.remote_addr or "unknown"
        verdict = throttle.check(email, address)
        user = User.by_email(email)
        if not verdict.allowed:
            error = verdict.message
        elif (
            user is not None
            and user.is_active
            and passwords.verify(user.password_hash, form.password.data)
        ):
            throttle.record_success(email)
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(form.password.data)
            db.session.commit()
            start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")), code=303)
        else:
            if user is None:
                passwords.verify(None, form.password.data)  # same work as a real check
            throttle.record_failure(email, address)
            db.session.commit()
            error = "That email and password do not match an account."
    status = 200 if error is None and not form.errors else 422
    if error and "Too many" in error:
        status = 429
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and everywhere else this account is signed in."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    """Create the first admin account with the one-time setup link."""
    link = Invitation.find("setup", token)
    if link is None or admin_exists():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        if User.by_email(email):
            form.email.errors.append("An account with this email already exists.")
        else:
            user = User(
                email=email,
                name=form.name.data.strip(),
                role=Role.ADMIN,
                password_hash=passwords.hash_password(form.password.data),
            )
            db.session.add(user)
            link.used_at = utcnow()
            db.session.commit()
            start_session(user)
            flash("Welcome to Rungs. Your admin account is ready.", "success")
            return redirect(url_for("admin.users"), code=303)
    return render_template("auth/setup.html", form=form), 422 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a password with an invitation link, then sign in."""
    link = Invitation.find("invite", token)
    if link is None or link.user is None or not link.user.active:
        return render_template("auth/invite_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        link.user.password_hash = passwords.hash_password(form.password.data)
        link.user.end_sessions()
        link.used_at = utcnow()
        db.session.commit()
        start_session(link.user)
        flash("Your password is set. Welcome to Rungs.", "success")
        return redirect(url_for("home.index"), code=303)
    status = 422 if form.errors else 200
    return render_template("auth/invite.html", form=form, user=link.user), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password, which signs out every other session."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not passwords.verify(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            user.password_hash = passwords.hash_password(form.password.data)
            user.end_sessions()
            db.session.commit()
            start_session(user)
            flash("Your password is changed. Other sessions were signed out.", "success")
            return redirect(url_for("home.index"), code=303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200
