"""The landing pages: where each role starts."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """Send engineers to their own page and managers and admins to their team."""
    if current_user.is_manager or current_user.is_admin:
        return redirect(url_for("home.team"))
    return redirect(url_for("rubric.me"))


@bp.get("/team")
@login_required
def team():
    """List the people the signed-in manager looks after."""
    if current_user.is_admin:
        people = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    else:
        people = db.session.scalars(
            select(User).where(User.manager_id == current_user.id, User.active).order_by(User.name)
        ).all()
    return render_template("home/team.html", people=people)
