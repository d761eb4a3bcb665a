"""The audit page: security events for admins, newest first."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from jinja2_fragments.flask import render_block
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import admin_required
from app.audit.log import KINDS
from app.audit.models import AuditEvent
from app.extensions import db
from app.web import is_htmx

bp = Blueprint("audit", __name__)

PAGE_SIZE = 50
TEMPLATE = "audit/index.html"


@bp.get("/admin/audit")
@admin_required
def index():
    """List security events, newest first, filtered by kind, a page at a time."""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    page = max(1, min(request.args.get("page", type=int, default=1), 100_000))
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor), selectinload(AuditEvent.subject))
        .order_by(AuditEvent.id.desc())
    )
    if kind:
        query = query.where(AuditEvent.kind == kind)
    # One row more than a page tells whether an older page exists, without counting.
    rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    context = dict(
        events=rows[:PAGE_SIZE], kinds=KINDS, kind=kind, page=page, older=len(rows) > PAGE_SIZE
    )
    if is_htmx() and request.headers.get("HX-Target") == "events":
        response = Response(render_block(TEMPLATE, "events", **context))
    else:
        response = Response(render_template(TEMPLATE, **context))
    response.vary.add("HX-Request")
    return response
