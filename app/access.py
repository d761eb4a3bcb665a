"""Who may see and change what. Every view asks here for the objects it serves.

An engineer sees their own data; a manager their own and their direct reports'; an admin
everyone's. Asking for an object one may not see answers 404, so ids reveal nothing.
The loaders (``person_or_404``, ``rubric_or_404``) live here, beside the rule they apply.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from app.auth.models import User
from app.extensions import db
from app.ladders import store
from app.ladders.models import Ladder
from app.rubric import live, queries
from app.rubric.queries import OwnedRubric
from app.rubric.side import Side


def can_see(viewer: User, person_id: int, person_manager_id: int | None) -> bool:
    """Tell whether ``viewer`` may see the career data of a person, given their manager."""
    if viewer.is_admin or viewer.id == person_id:
        return True
    return viewer.is_manager and person_manager_id == viewer.id


def can_see_person(viewer: User, person: User) -> bool:
    """Tell whether ``viewer`` may see the career data of ``person``."""
    return can_see(viewer, person.id, person.manager_id)


def rating_side(viewer: User, person_id: int, person_manager_id: int | None) -> Side | None:
    """Say which rating ``viewer`` sets on a person's rubric: their own, their manager's, none.

    Admins who are not the person's manager may look but not rate.
    """
    if viewer.id == person_id:
        return Side.SELF
    if person_manager_id == viewer.id:
        return Side.MANAGER
    return None


def person_or_404(user_id: int) -> User:
    """Return the person with this id if the current user may see them, else 404."""
    person = db.session.get(User, user_id)
    if person is None or not can_see_person(current_user, person):
        abort(404)
    return person


def rubric_or_404(rubric_id: int, *, for_update: bool = False) -> OwnedRubric:
    """Load a rubric the current user may see, or answer 404.

    ``for_update`` is for writes: it locks the rubric so changes to it take turns.
    """
    owned = queries.load(rubric_id, for_update=for_update)
    if owned is None or not can_see(current_user, owned.owner_id, owned.manager_id):
        abort(404)
    if for_update:
        refuse_if_archived(owned)
    return owned


def rubric_page_or_404(rubric_id: int) -> queries.PageLoad:
    """Load a rubric the current user may see, with what its page reads beside, or 404."""
    loaded = queries.load_page(rubric_id, current_user.id, live.window_start())
    if loaded is None or not can_see(current_user, loaded.owned.owner_id, loaded.owned.manager_id):
        abort(404)
    return loaded


def refuse_if_archived(owned: OwnedRubric) -> None:
    """Answer 409 to a change on an archived ladder's rubric, saying why."""
    if owned.ladder.archived:
        # An archived ladder's rubrics are kept as they are: readable, exportable, read-only.
        abort(409, f"The {owned.ladder.name} ladder is archived: its rubrics are read-only.")


def click_or_404(rubric_id: int, competency_id: int, *, in_turn: bool = True) -> queries.Click:
    """Read what a rating click needs on a rubric the current user may see, or 404.

    ``in_turn``: hold the writers' turn from the start (see :func:`queries.load_click`).
    """
    click = queries.load_click(rubric_id, competency_id, current_user.id, in_turn=in_turn)
    if click is None or not can_see(current_user, click.owned.owner_id, click.owned.manager_id):
        abort(404)
    refuse_if_archived(click.owned)
    return click


def side_of(owned: OwnedRubric) -> Side | None:
    """Say which rating the current user sets on this rubric, None if they only look.

    Nobody rates on an archived ladder: everyone only looks.
    """
    if owned.ladder.archived:
        return None
    return rating_side(current_user, owned.owner_id, owned.manager_id)


def side_or_404(owned: OwnedRubric, only: Side | None = None) -> Side:
    """Return the side the current user rates here; viewers who may not write get 404.

    ``only`` narrows writes to one side (the growth plan is the engineer's own).
    """
    side = side_of(owned)
    if side is None or (only is not None and side is not only):
        abort(404)
    return side


def ladder_or_404(key: str) -> Ladder:
    """Return the ladder with this key, or answer 404: every signed-in person may read ladders."""
    found = store.by_key(key)
    if found is None:
        abort(404)
    return found


def admin_required(view):
    """Let only admins through; everyone else gets 404, as for any object they may not see."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from app.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
