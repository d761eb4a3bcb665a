"""A person's whole career record as one zip of JSON and Markdown."""

from __future__ import annotations

import io
import json
import re
import zipfile

from sqlalchemy import or_, select

from app.auth.models import User
from app.evidence.models import Evidence
from app.extensions import db
from app.history import timeline
from app.ladders import store
from app.oneonone import agenda
from app.oneonone.models import Meeting
from app.rubric import queries
from app.rubric.models import Rubric


def safe(name: str) -> str:
    """A file name that stays in its folder and inside a header: no paths, quotes or breaks."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned[:120] or "download"


def _json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def build_zip(user: User) -> bytes:
    """Collect ratings, evidence (shared, and one's own private notes), history and 1:1s."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        rubrics = db.session.scalars(select(Rubric).where(Rubric.user_id == user.id)).all()
        summary = [f"# Career record of {user.name}", ""]
        for rubric in rubrics:
            stored = store.stored(rubric.ladder)
            folder = safe(rubric.ladder.key)
            rows = queries.ratings(rubric.id)
            ratings = [
                {
                    "competency": stored.competency_keys.get(cid, f"archived-{cid}"),
                    "title": stored.competencies[stored.competency_keys[cid]].title
                    if cid in stored.competency_keys
                    else None,
                    "self": row.self_step,
                    "manager": row.manager_step,
                    "focus": row.focus,
                }
                for cid, row in rows.items()
            ]
            archive.writestr(f"{folder}/ratings.json", _json(ratings))
            items = db.session.scalars(
                select(Evidence)
                .where(
                    Evidence.rubric_id == rubric.id,
                    or_(~Evidence.private, Evidence.author_id == user.id),
                )
                .order_by(Evidence.day)
            ).all()
            archive.writestr(
                f"{folder}/evidence.json",
                _json(
                    [
                        {
                            "competency": stored.competency_keys.get(ev.competency_id),
                            "body": ev.body,
                            "link": ev.link,
                            "day": ev.day.isoformat(),
                            "private": ev.private,
                            "author": ev.author.name,
                        }
                        for ev in items
                    ]
                ),
            )
            events = timeline.load(rubric.id, viewer_id=user.id)
            entries = timeline.describe(events, stored)
            archive.writestr(
                f"{folder}/history.json",
                _json(
                    [
                        {
                            "at": e.event.created_at.isoformat(),
                            "who": e.who,
                            "what": e.text,
                            "kind": e.event.kind,
                        }
                        for e in entries
                    ]
                ),
            )
            meetings = db.session.scalars(
                select(Meeting).where(Meeting.rubric_id == rubric.id).order_by(Meeting.started_at)
            ).all()
            notes = []
            for m in meetings:
                notes += [
                    f"## 1:1 of {m.started_at:%Y-%m-%d}",
                    "",
                    m.notes or "(no notes)",
                    "",
                    "### Action items",
                    "",
                ]
                notes += [
                    f"- [{'x' if a.done else ' '}] {a.text} ({a.owner.name if a.owner else '-'}"
                    f"{', due ' + a.due.isoformat() if a.due else ''})"
                    for a in m.actions
                ]
                mine = agenda.private_note(m, user.id)  # one's own only, never the other's
                if mine and mine.text:
                    notes += ["", "### My private notes", "", mine.text]
                notes.append("")
            archive.writestr(f"{folder}/one-on-ones.md", "\n".join(notes) or "No 1:1s.\n")
            summary += [
                f"- {rubric.ladder.name}: {len(ratings)} ratings, {len(items)} evidence "
                f"items, {len(events)} history entries, {len(meetings)} 1:1s"
            ]
        archive.writestr("README.md", "\n".join(summary) + "\n")
    return buffer.getvalue()
