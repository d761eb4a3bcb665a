"""Signing in with the identity provider, and the admins' page that can require it."""

from __future__ import annotations

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
)

from app.access import admin_required
from app.admin.forms import ActionForm
from app.audit import log as audit
from app.auth.accounts import AccountError
from app.auth.forms import LoginForm
from app.auth.sso import client, identity, policy
from app.auth.views import safe_next, start_session
from app.extensions import db
from app.mail import outbox
from app.web import CSP

bp = Blueprint("sso", __name__)

LEEWAY = 60  # seconds of clock difference with the provider tolerated on token times
NEXT_KEY = "sso_next"


@bp.app_context_processor
def sso_context():
    # Functions, so pages that do not show sign-in options do not pay for the policy query.
    return {
        "sso_enabled": client.enabled,
        "sso_name": client.display_name,
        "sso_required": policy.sso_required,
    }


# Pages that show "Sign in with ..." (or answer its form): their form may lead to the provider.
BUTTON_PAGES = {"auth.login", "auth.accept_invite", "sso.start", "sso.callback"}


@bp.after_app_request
def allow_the_provider_as_form_target(response):
    # The CSP's form-action also governs where a form's redirects go: without the provider's
    # origin, Chromium stops the button's POST at its redirect to the provider.
    if request.endpoint in BUTTON_PAGES and client.enabled():
        targets = " ".join(client.form_targets())
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {targets}"
        )
    return response


def callback_url() -> str:
    """The redirect URI registered with the provider: RUNGS_BASE_URL + /sso/callback."""
    return outbox.absolute(url_for("sso.callback"))


def refuse(message: str, detail: str, status: int = 403):
    """Show the sign-in page with the reason, and log it; no account is created."""
    db.session.rollback()
    audit.record("auth.sso_refused", None, None, detail=detail)
    db.session.commit()
    form = LoginForm(formdata=None)
    return render_template("auth/login.html", form=form, error=message), status


@bp.post("/sso/start")
def start():
    """Send the person to the identity provider to sign in."""
    setup = client.setup()
    if setup is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return setup.client.authorize_redirect(callback_url())
    except (requests.RequestException, ValueError, KeyError) as error:
        name = setup.settings.name
        return refuse(
            f"Rungs cannot reach {name} right now, so it cannot sign you in with it. Try again "
            "in a moment, or tell your Rungs admin.",
            f"discovery failed: {type(error).__name__}: {str(error)[:200]}",
            status=502,
        )


@bp.get("/sso/callback")
def callback():
    """Come back from the identity provider: check everything, then sign the person in."""
    setup = client.setup()
    if setup is None:
        abort(404)
    name = setup.settings.name
    try:
        token = setup.client.authorize_access_token(leeway=LEEWAY)
    except MismatchingStateError:
        return refuse(
            "This sign-in does not match one started in this browser (it may have expired, "
            "or come from another tab). Start again from the sign-in page.",
            "state did not match",
            status=400,
        )
    except OAuthError as error:
        reason = error.description or error.error or "no reason given"
        return refuse(
            f"{name} did not sign you in: {reason}.", f"provider error: {error.error}: {reason}"
        )
    except ExpiredTokenError:
        return refuse(
            f"The sign-in from {name} had already expired when it reached Rungs. Try again; "
            "if it keeps happening, the server clocks disagree (tell your Rungs admin).",
            "ID token expired",
            status=400,
        )
    except InvalidClaimError as error:
        if error.claim == "nonce":
            message = (
                f"The sign-in from {name} was not issued for this attempt (the nonce does not "
                "match), so Rungs refused it. Start again from the sign-in page."
            )
        else:
            message = (
                f"The sign-in from {name} was not meant for this Rungs (its '{error.claim}' "
                "does not match), so Rungs refused it. Tell your Rungs admin."
            )
        return refuse(message, f"ID token claim {error.claim} invalid", status=400)
    except (BadSignatureError, ClaimError, JoseError) as error:
        return refuse(
            f"The sign-in from {name} could not be verified, so Rungs refused it. Tell your "
            "Rungs admin.",
            f"ID token rejected: {type(error).__name__}: {str(error)[:200]}",
            status=400,
        )
    except (requests.RequestException, ValueError, KeyError) as error:
        return refuse(
            f"Rungs could not finish the sign-in with {name} (the provider did not answer as "
            "expected). Try again in a moment.",
            f"token exchange failed: {type(error).__name__}: {str(error)[:200]}",
            status=502,
        )
    claims = dict(token.get("userinfo") or {})
    if not claims:
        return refuse(f"{name} sent no ID token.", "no ID token", status=400)
    if "email" not in claims or "email_verified" not in claims:
        # Conforming providers put these in the UserInfo answer rather than the ID token.
        try:
            extra = setup.client.userinfo(token=token)
        except requests.RequestException as error:
            return refuse(
                f"Rungs could not read your profile from {name}. Try again in a moment.",
                f"userinfo failed: {str(error)[:200]}",
                status=502,
            )
        if extra.get("sub") != claims.get("sub"):
            return refuse(
                f"{name} answered about another account.", "userinfo sub mismatch", status=400
            )
        claims = {**extra, **claims}
    try:
        match = identity.resolve(setup.settings, claims)
    except identity.Refused as refusal:
        return refuse(str(refusal), refusal.audit_detail)
    except AccountError as error:
        return refuse(str(error), f"could not join: {error}")
    audit.record("auth.sign_in", match.user, match.user, detail=f"with {name} ({match.how})")
    db.session.commit()
    target = session.pop(NEXT_KEY, None)
    start_session(match.user)
    if match.how == "joined by domain":
        flash(f"Welcome to Rungs, {match.user.name}. You joined as an engineer.", "success")
    return redirect(safe_next(target), code=303)


@bp.route("/admin/sign-in", methods=["GET", "POST"])
@admin_required
def settings():
    """Show how people sign in, and let an admin require the identity provider."""
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        wanted = request.form.get("require") == "on"
        problem = policy.why_not_require(current_user) if wanted else None
        if problem:
            flash(problem, "error")
        elif wanted != policy.sso_required():
            policy.set_required(wanted, current_user)
            state = "on" if wanted else "off"
            audit.record("auth.sso_required", current_user, None, detail=f"SSO required: {state}")
            db.session.commit()
            if wanted:
                who = f"Everyone now signs in with {client.display_name()}"
                flash(f"{who}, except break-glass admins.", "success")
            else:
                flash("Passwords work again.", "success")
        return redirect(url_for("sso.settings"), code=303)
    setup = client.setup()
    return render_template(
        "auth/sign_in_settings.html",
        setup=setup,
        callback=callback_url() if setup else None,
        required=policy.sso_required(),
        break_glass=policy.break_glass_admins(),
        problem=policy.why_not_require(current_user),
        form=form,
    )
