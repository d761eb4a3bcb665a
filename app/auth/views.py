"""Signing in and out, the first-admin setup link, invitations and password changes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.audit import log as audit
from app.auth import loader, passwords, throttle
from app.auth.forms import ChangePasswordForm, LoginForm, NewPasswordForm, SetupForm
from app.auth.models import Invitation, Role, User, admin_exists, normalise_email
from app.auth.sso import policy as sso_policy
from app.database import write_intent
from app.extensions import db, login_manager
from app.web import id_value

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user of a session, refusing sessions that were ended since."""
    uid, _, version = user_id.partition(":")
    uid = id_value(uid)
    if uid is None or not version.isascii() or not version.isdigit():
        return None
    return loader.load(uid, int(version))


def safe_next(target: str | None) -> str:
    """Return a same-site path to go to after sign-in, never another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("team.start")


def start_session(user: User, remember: bool = False) -> None:
    """Sign a user in with a fresh session, so no earlier session id can be reused."""
    session.clear()
    login_user(user, remember=remember)
    session.permanent = remember


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("team.start"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        address = request.remote_addr or "unknown"
        # Counted (and committed) before the password is checked: guesses sent at once to
        # every worker are refused as soon as the free ones are in flight.
        verdict = throttle.attempt(email, address)
        if verdict.allowed:
            user, matched = check_password(email, form.password.data)
            sso_only = matched and not sso_policy.password_allowed(user)
            if matched and not sso_only:
                throttle.succeeded(email, address)
                if passwords.needs_rehash(user.password_hash):
                    user.password_hash = passwords.hash_password(form.password.data)
                audit.record("auth.sign_in", user, user)
                db.session.commit()
                start_session(user, remember=form.remember.data)
                return redirect(safe_next(request.args.get("next")), code=303)
            if user is None:
                why = "no account has this email"
            elif not user.is_active:
                why = "the account is deactivated or not set up"
            elif not sso_policy.password_allowed(user):
                why = "passwords are off (single sign-on is required)"
            else:
                why = "wrong password"
            audit_failure(user, form.email.data, verdict, why)
            db.session.commit()
            error = (
                sso_policy.password_refusal() or "That email and password do not match an account."
            )
        else:
            error = verdict.message
    status = 200 if error is None and not form.errors else 422
    if error and "Too many" in error:
        status = 429
    return render_template("auth/login.html", form=form, error=error), status


def check_password(email: str, password: str) -> tuple[User | None, bool]:
    """Find the account of an email and check its password; the same work if there is none.

    Read (and argon2's ~0.2 s on purpose) without SQLite's write lock, so sign-ins, and
    password guessing, never hold up everyone else's writes.
    """
    write_intent.set(False)
    try:
        user = User.by_email(email)
        if user is not None and user.is_active:
            matched = passwords.verify(user.password_hash, password)
        else:
            # Same work as a real check, so timing does not tell which accounts exist.
            matched = passwords.verify(None, password)
        db.session.commit()
    finally:
        write_intent.set(True)
    return user, matched


def audit_failure(user: User | None, typed: str, verdict: throttle.Verdict, why: str) -> None:
    """Log a failed sign-in with the email as typed (never the password), and any new lock."""
    shown = typed[:100]  # repr() below makes control characters visible, not acted on
    audit.record("auth.sign_in_failed", None, user, detail=f"{why}; email typed: {shown!r}")
    if verdict.lock_if_wrong:
        audit.record("auth.locked", None, user or shown, detail=verdict.lock_if_wrong)


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and everywhere else this account is signed in."""
    current_user.end_sessions()
    audit.record("auth.sign_out", current_user, current_user)
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
            password_hash = passwords.hash_password(form.password.data)
            if not link.claim():  # another request used it meanwhile
                db.session.rollback()
                abort(404)
            user = User(email=email, name=form.name.data.strip(), role=Role.ADMIN)
            user.password_hash = password_hash
            db.session.add(user)
            audit.record("setup.used", user, user, detail="first admin account created")
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
    if form.validate_on_submit() and sso_policy.password_allowed(link.user):
        password_hash = passwords.hash_password(form.password.data)
        if not link.claim():  # another request used it meanwhile
            db.session.rollback()
            return render_template("auth/invite_invalid.html"), 404
        link.user.password_hash = password_hash
        link.user.end_sessions()
        audit.record("invitation.accepted", link.user, link.user)
        db.session.commit()
        start_session(link.user)
        flash("Your password is set. Welcome to Rungs.", "success")
        return redirect(url_for("team.start"), code=303)
    status = 422 if form.errors else 200
    return render_template("auth/invite.html", form=form, user=link.user), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password, which signs out every other session."""
    if not sso_policy.password_allowed(current_user):
        flash(sso_policy.password_refusal(), "info")
        return redirect(url_for("team.start"), code=303)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        # Guessing the current password counts towards the same lock as signing in.
        email, address = current_user.email, request.remote_addr or "unknown"
        verdict = throttle.attempt(email, address)
        if not verdict.allowed:
            form.current.errors.append(verdict.message)
        elif not passwords.verify(current_user.password_hash, form.current.data):
            why = "wrong current password on the password page"
            audit_failure(current_user, email, verdict, why)
            db.session.commit()
            form.current.errors.append("That is not your current password.")
        else:
            throttle.succeeded(email, address)
            user = current_user._get_current_object()
            user.password_hash = passwords.hash_password(form.password.data)
            user.end_sessions()
            audit.record("auth.password_changed", user, user)
            db.session.commit()
            start_session(user)
            flash("Your password is changed. Other sessions were signed out.", "success")
            return redirect(url_for("team.start"), code=303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200
