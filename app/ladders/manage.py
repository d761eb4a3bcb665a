"""A ladder's life in this installation: its name, the default, archiving and deleting.

Each function changes the ladder and records its audit event; the caller commits, so the
change and its record are one transaction. Who may call them is the view's business.
"""

from __future__ import annotations

from sqlalchemy import delete as delete_rows
from sqlalchemy import select, update

from app.audit import log as audit
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import limits
from app.ladders.models import Ladder, LadderEditor


class LadderChangeRefused(Exception):
    """A change the ladder's state does not allow; the message says why, in one line."""


def rename(ladder: Ladder, name: str, actor) -> bool:
    """Give the ladder a new name; tell whether it changed."""
    name = " ".join(name.split())
    if not name:
        raise LadderChangeRefused("A ladder needs a name.")
    if len(name) > limits.NAME:
        raise LadderChangeRefused(f"A ladder's name has at most {limits.NAME} characters.")
    if name == ladder.name:
        return False
    audit.record("ladder.renamed", actor, ladder.key, detail=f"{ladder.name!r} to {name!r}")
    ladder.name = name
    ladder.updated_at = utcnow()  # the cached shape carries the name: reload it
    return True


def make_default(ladder: Ladder, actor) -> bool:
    """Make this the ladder people land on when nothing else says; tell whether it changed."""
    if ladder.archived:
        raise LadderChangeRefused(f"{ladder.name} is archived: restore it first.")
    if ladder.is_default:
        return False
    # One statement clears the old default before the new one is set: the unique index
    # on is_default allows a single default at any moment.
    db.session.execute(update(Ladder).where(Ladder.is_default).values(is_default=False))
    db.session.flush()
    ladder.is_default = True
    audit.record("ladder.default", actor, ladder.key, detail=ladder.name)
    return True


def archive(ladder: Ladder, actor) -> bool:
    """Archive the ladder: no new rubric or assignment; existing rubrics stay readable."""
    if ladder.is_default:
        raise LadderChangeRefused(
            f"{ladder.name} is the default ladder: make another ladder the default first."
        )
    if ladder.archived:
        return False
    ladder.archived_at = utcnow()
    audit.record("ladder.archived", actor, ladder.key, detail=ladder.name)
    return True


def restore(ladder: Ladder, actor) -> bool:
    """Bring an archived ladder back into use."""
    if not ladder.archived:
        return False
    ladder.archived_at = None
    audit.record("ladder.restored", actor, ladder.key, detail=ladder.name)
    return True


def delete(ladder: Ladder, rubrics: int, actor) -> None:
    """Delete a ladder that no rubric uses; ``rubrics`` is how many use it now."""
    if rubrics:
        raise LadderChangeRefused(
            f"{ladder.name} is used by {rubrics} rubric{'s' if rubrics != 1 else ''}: "
            "archive it instead, so their ratings stay readable."
        )
    if ladder.is_default:
        raise LadderChangeRefused(
            f"{ladder.name} is the default ladder: make another ladder the default first."
        )
    audit.record("ladder.deleted", actor, ladder.key, detail=ladder.name)
    # One statement: the database's cascades take its tracks, levels and competencies.
    db.session.execute(delete_rows(Ladder).where(Ladder.id == ladder.id))


def may_edit(user, ladder: Ladder) -> bool:
    """Tell whether a person may edit the ladder's draft and publish it."""
    if user.is_admin:
        return True
    return db.session.get(LadderEditor, (ladder.id, user.id)) is not None


def grant_editor(ladder: Ladder, person, actor) -> bool:
    """Give a person the editor right on a ladder; tell whether it is new."""
    if db.session.get(LadderEditor, (ladder.id, person.id)) is not None:
        return False
    db.session.add(
        LadderEditor(
            ladder_id=ladder.id,
            user_id=person.id,
            granted_by_id=actor.id if isinstance(actor, User) else None,
        )
    )
    audit.record("ladder.editor", actor, person, detail=f"may edit {ladder.key}")
    return True


def revoke_editor(ladder: Ladder, person, actor) -> bool:
    """Take the editor right back; tell whether the person had it."""
    found = db.session.get(LadderEditor, (ladder.id, person.id))
    if found is None:
        return False
    db.session.delete(found)
    audit.record("ladder.editor", actor, person, detail=f"may no longer edit {ladder.key}")
    return True


def editors(ladder: Ladder) -> list:
    """The people with the editor right on a ladder, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(LadderEditor, LadderEditor.user_id == User.id)
            .where(LadderEditor.ladder_id == ladder.id)
            .order_by(User.name)
        )
    )
