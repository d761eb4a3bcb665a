"""The evidence counts a viewer sees: shared items and their own private notes."""

from __future__ import annotations

from sqlalchemy import func, select

from app.evidence.models import Evidence
from app.extensions import db


def own_notes(rubric_id: int, author_id: int) -> dict[int, int]:
    """Count one person's private notes on a rubric, by competency id, in one query."""
    rows = db.session.execute(
        select(Evidence.competency_id, func.count())
        .where(
            Evidence.rubric_id == rubric_id,
            Evidence.author_id == author_id,
            Evidence.private,
        )
        .group_by(Evidence.competency_id)
    )
    return {cid: n for cid, n in rows}
