"""The SQL of a rubric: loading it with its people, its rating rows, and writing a row.

A click can afford few queries, so each function here is one statement.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.clock import utcnow
from app.database import (
    LoneRead,
    Prepared,
    Write,
    insert_for,
    intending,
    rows_of,
    upsert,
)
from app.database import write as db_write
from app.evidence.models import Evidence
from app.extensions import db
from app.history.events import latest_id_query
from app.history.models import Event
from app.ladders import store
from app.ladders.models import Ladder, LadderVersion
from app.notifications.badge import unread_column
from app.oneonone.queries import PanelHead, head_columns
from app.rubric.models import KeptStanding, Presence, Rating, Rubric, SavedFilter
from app.rubric.side import Side


@dataclass
class OwnedRubric:
    """A rubric with its ladder, its owner and the owner's manager, fetched in one query."""

    rubric: Rubric
    ladder: Ladder
    manager_id: int | None  # the owner's manager now
    owner_name: str
    manager_name: str | None
    rubric_count: int = 1  # how many rubrics the owner has: more than one shows a switcher
    ladder_version: int | None = None  # the ladder's latest kept version, None: only the live
    latest: int = 0  # the newest event id: the rubric's version (only from load())

    @property
    def id(self) -> int:
        return self.rubric.id

    @property
    def owner_id(self) -> int:
        return self.rubric.user_id

    def people(self) -> list[tuple[int, str]]:
        """The owner and, if any, their manager: who rates and meets on this rubric."""
        found = [(self.owner_id, self.owner_name)]
        if self.manager_id:
            found.append((self.manager_id, self.manager_name or "Manager"))
        return found


class RatingRow(NamedTuple):
    """One competency's rating row; a tuple, since a page builds thousands of them."""

    self_step: str | None
    manager_step: str | None
    evidence_count: int
    focus: bool
    self_at: datetime | None = None
    manager_at: datetime | None = None
    manager_by_id: int | None = None
    notes: int = 0  # the viewer's own private notes, beside the shared evidence_count

    def step(self, side: Side) -> str | None:
        """The step one side gave."""
        return self.self_step if side is Side.SELF else self.manager_step

    def at(self, side: Side) -> datetime | None:
        """When one side last rated (or confirmed its rating)."""
        return self.self_at if side is Side.SELF else self.manager_at

    def with_step(self, side: Side, step: str, actor_id: int, at: datetime) -> RatingRow:
        """The row as it is after one side's change."""
        if side is Side.SELF:
            return self._replace(self_step=step, self_at=at)
        return self._replace(manager_step=step, manager_at=at, manager_by_id=actor_id)


NO_RATING = RatingRow(None, None, 0, False)

# Built once: constructing an alias per call costs SQLAlchemy a fresh compile each time.
_Manager = aliased(User)
_OwnRubrics = aliased(Rubric)
_KEPT = {side: aliased(KeptStanding, name=f"kept_{side.value}") for side in Side}


class PollState(NamedTuple):
    """What a quiet poll needs: who may see the rubric, its version, and who is here."""

    owner_id: int
    manager_id: int | None
    latest: int  # the newest event id, 0 when there is none
    here: frozenset[int]  # the others who had it open in the presence window


def poll_state(rubric_id: int, viewer_id: int, seen_after: datetime) -> PollState | None:
    """Return the owner, their manager, the newest event and who else is here, in one query.

    The query runs alone (:class:`LoneRead`): a quiet poll is this round trip and nothing
    else, no ORM session begun.
    """
    row = _POLL.first(db.engine, rubric_id=rubric_id, viewer_id=viewer_id, seen_after=seen_after)
    if row is None:
        return None
    return PollState(row[0], row[1], row[2], _ids(row[3]))


def _poll_query():
    """Build the query of :func:`poll_state`, once per dialect (building it cost more than
    running it)."""
    rubric_id = bindparam("rubric_id")
    here = _here_query(rubric_id)
    return (
        select(Rubric.user_id, User.manager_id, latest_id_query(rubric_id), here)
        .join(User, Rubric.user_id == User.id)
        .where(Rubric.id == rubric_id)
    )


def _here_query(rubric_id):
    """The ids of the others who had the rubric open lately, as one text: "3.17"."""
    return (
        select(func.aggregate_strings(cast(Presence.user_id, String), "."))
        .where(
            Presence.rubric_id == rubric_id,
            Presence.user_id != bindparam("viewer_id"),
            Presence.seen_at > bindparam("seen_after", type_=Presence.seen_at.type),
        )
        .scalar_subquery()
    )


_POLL = LoneRead(_poll_query)


def _ids(here: str | None) -> frozenset[int]:
    """Read the ids of :func:`_here_query` back."""
    return frozenset(int(uid) for uid in here.split(".")) if here else frozenset()


def load(rubric_id: int, *, for_update: bool = False) -> OwnedRubric | None:
    """Fetch a rubric, its ladder and its owner's manager in a single query.

    ``for_update`` locks the rubric row on PostgreSQL so concurrent changes to one rubric
    take turns and each sees the other's result; SQLite's BEGIN IMMEDIATE already does.
    """
    row = db.session.execute(_load_query(for_update), {"rubric_id": rubric_id}).first()
    return OwnedRubric(*row) if row else None


@functools.cache
def _load_query(for_update: bool):
    """Build the query of :func:`load` once: every page and poll with news runs it."""
    rubric_id = bindparam("rubric_id")
    others = (
        select(func.count())
        .where(_OwnRubrics.user_id == Rubric.user_id)
        .correlate(Rubric)
        .scalar_subquery()
    )
    version = (
        select(func.max(LadderVersion.number))
        .where(LadderVersion.ladder_id == Rubric.ladder_id)
        .correlate(Rubric)
        .scalar_subquery()
    )
    # The rubric's version (newest event) comes along: the page and the polls need it.
    query = (
        select(Rubric, Ladder, User.manager_id, User.name, _Manager.name, others, version)
        .add_columns(latest_id_query(rubric_id))
        .join(Ladder, Rubric.ladder_id == Ladder.id)
        .join(User, Rubric.user_id == User.id)
        .outerjoin(_Manager, User.manager_id == _Manager.id)
        .where(Rubric.id == rubric_id)
    )
    return query.with_for_update(of=Rubric) if for_update else query


class PageLoad(NamedTuple):
    """What the rubric page reads with its rubric: who else is here, the viewer's filter."""

    owned: OwnedRubric
    here: frozenset[int]  # the others who had it open in the presence window
    saved_filter: tuple[str, str] | None  # the viewer's remembered filter: (text, show)
    kept: dict[Side, StoredStanding]  # only the sides that have one stored
    panel: PanelHead  # where the 1:1 panel starts from
    unread: int  # the viewer's unread notifications, for the header's badge


def load_page(rubric_id: int, viewer_id: int, seen_after: datetime) -> PageLoad | None:
    """Fetch what :func:`load` does, who is here, the viewer's filter, both kept standings,
    the head of the 1:1 panel and the viewer's unread notifications, in one query."""
    params = {"rubric_id": rubric_id, "viewer_id": viewer_id, "seen_after": seen_after}
    row = db.session.execute(_page_query(), params).first()
    if row is None:
        return None
    at = len(row) - 3 * len(_KEPT)
    *loaded, here, text, show, meeting_id, next_day, unread = row[:at]
    saved = None if text is None else (text, show)
    panel = PanelHead(meeting_id, next_day)
    kept = _read_kept(row[at:])
    return PageLoad(OwnedRubric(*loaded), _ids(here), saved, kept, panel, unread)


@functools.cache
def _page_query():
    """Build the query of :func:`load_page` once: :func:`load`'s, with columns more."""
    viewer_id = bindparam("viewer_id")
    mine = (SavedFilter.user_id == viewer_id) & (SavedFilter.rubric_id == Rubric.id)
    query = _load_query(False).add_columns(
        _here_query(bindparam("rubric_id")),
        select(SavedFilter.text).where(mine).correlate(Rubric).scalar_subquery(),
        select(SavedFilter.show).where(mine).correlate(Rubric).scalar_subquery(),
        *head_columns(),
        unread_column(viewer_id),
    )
    return _with_kept(query)


def _with_kept(query, *, as_text: bool = False):
    """Add both sides' kept standings to a query of one rubric, as :func:`_read_kept` reads.

    ``as_text`` reads each standing's data as the text stored (SQLite's JSON is text): a
    click that read without the writers' turn compares it when it writes (see
    :func:`write_click`).
    """
    for side, kept in _KEPT.items():
        data = type_coerce(kept.data, Text).label(f"{side.value}_text") if as_text else kept.data
        query = query.add_columns(kept.ladder_version, kept.track_key, data).outerjoin(
            kept, and_(kept.rubric_id == Rubric.id, kept.side == side.value)
        )
    return query


def _read_kept(values) -> dict[Side, StoredStanding]:
    """Read the columns :func:`_with_kept` added: the sides that have a standing stored."""
    kept = {}
    for n, side in enumerate(_KEPT):
        version, track, data = values[3 * n : 3 * n + 3]
        if version is not None:
            if isinstance(data, str):
                kept[side] = StoredStanding(version, track, json.loads(data), text=data)
            else:
                kept[side] = StoredStanding(version, track, data)
    return kept


class StoredStanding(NamedTuple):
    """A side's kept standing as stored: valid for one ladder version and track."""

    ladder_version: int
    track_key: str
    data: dict
    text: str | None = None  # the data as stored, when read as text (a click on SQLite)

    def row(self) -> dict:
        """The columns to store."""
        return {
            "ladder_version": self.ladder_version,
            "track_key": self.track_key,
            "data": self.data,
        }


class Overtaken(Exception):
    """A kept standing changed between a click's read and its write: read again, in turn."""


@dataclass
class Click:
    """What a rating click reads: the rubric, the one rating row and both kept standings."""

    owned: OwnedRubric
    row: RatingRow
    kept: dict[Side, StoredStanding]  # only the sides that have one stored
    in_turn: bool  # read holding the writers' turn: nobody can write in between

    @property
    def seen(self) -> Seen | None:
        """What the click's write compares with what is stored then, unless read in turn."""
        if self.in_turn:
            return None
        texts = {side: k.text for side, k in self.kept.items() if k.text is not None}
        return Seen(texts, self.owned.manager_id)


class Seen(NamedTuple):
    """What a click read without the writers' turn, and its write finds unchanged or gives
    way: the standings' text by side, and who manages the owner. (The ladder's version and
    that it is not archived are compared too: the standings it writes carry the version.)"""

    standings: dict[Side, str]
    manager_id: int | None


def load_click(
    rubric_id: int, competency_id: int, viewer_id: int, *, in_turn: bool = True
) -> Click | None:
    """Read what a click on one competency needs, in a single query.

    Never every rating row: the kept standings say what the rest adds up to. PostgreSQL
    locks the rubric's row first, which holds back only clicks on the same rubric. On
    SQLite a write transaction holds back every writer, so without ``in_turn`` the click
    reads in a read transaction and writes in a short one of its own, if the standings it
    read are still the ones stored (:func:`write_click`).
    """
    dialect = db.session.get_bind().dialect.name
    params = {"rubric_id": rubric_id, "competency_id": competency_id, "viewer_id": viewer_id}
    if dialect == "postgresql":
        # Lock first, then read: a statement that waits for a row lock reads the other
        # tables as they were when it started, which would miss the click it waited for.
        db.session.execute(_LOCK, {"rubric_id": rubric_id})
        in_turn = True
    # In turn, SQLite's BEGIN IMMEDIATE takes the write lock before anything is read; else
    # a plain BEGIN, as a reader's, which never waits.
    with intending(write=in_turn):
        found = db.session.execute(_click_query(dialect), params).first()
    if found is None:
        return None
    owned = OwnedRubric(*found[:5])
    at = 6 + len(_ROW_COLUMNS)
    row = RatingRow(*found[6:at], notes=found[at]) if found[5] is not None else NO_RATING
    return Click(owned, row, _read_kept(found[at + 1 :]), in_turn)


_LOCK = select(Rubric.id).where(Rubric.id == bindparam("rubric_id")).with_for_update()


@functools.cache
def _click_query(dialect: str):
    """Build the query of :func:`load_click` once: building it costs more than running it."""
    competency_id = bindparam("competency_id")
    notes = (
        select(func.count())
        .where(
            Evidence.rubric_id == Rubric.id,
            Evidence.competency_id == competency_id,
            Evidence.author_id == bindparam("viewer_id"),
            Evidence.private,
        )
        .correlate(Rubric)
        .scalar_subquery()
    )
    query = (
        select(
            Rubric,
            Ladder,
            User.manager_id,
            User.name,
            _Manager.name,
            Rating.id,
            *_ROW_COLUMNS,
            notes,
        )
        .join(Ladder, Rubric.ladder_id == Ladder.id)
        .join(User, Rubric.user_id == User.id)
        .outerjoin(_Manager, User.manager_id == _Manager.id)
        .outerjoin(
            Rating, and_(Rating.rubric_id == Rubric.id, Rating.competency_id == competency_id)
        )
        .where(Rubric.id == bindparam("rubric_id"))
    )
    return _with_kept(query, as_text=dialect == "sqlite")


def save_standings(
    rubric_id: int, kept: dict[Side, StoredStanding], seen: Seen | None = None
) -> None:
    """Write the kept standings of one or both sides in a single statement.

    With ``seen``, the click read them without the writers' turn: see :func:`write_click`.
    """
    if seen is not None:
        _overwrite_standings(rubric_id, kept, seen)
    else:
        db_write(db.session, [_standings_write(rubric_id, kept)])


def _standings_write(rubric_id: int, kept: dict[Side, StoredStanding]) -> Write:
    rows = [{"rubric_id": rubric_id, "side": side.value, **k.row()} for side, k in kept.items()]
    return Write(KeptStanding, rows, ("rubric_id", "side"))


def _overwrite_standings(rubric_id: int, kept: dict[Side, StoredStanding], seen: Seen) -> None:
    """End a click's read transaction and, in a write one, store its standings if nothing
    it read has changed since; else raise :class:`Overtaken`.

    The standings change with every rating, so finding them as read means the click's
    arithmetic still holds; the same statement finds the ladder not archived, at the
    version read, and the owner with the manager read (who may rate). The writers' turn is
    held for the writes only.
    """
    db.session.commit()
    connection = db.session.connection()  # BEGIN IMMEDIATE: the writers' turn
    # A side with a standing stored when the click read: if it is still that one. A side
    # with none: unless one is stored now. One statement each, for however many sides.
    changed, added = [], []
    for side, k in kept.items():
        row = {"rubric_id": rubric_id, "side": side.value, "manager_id": seen.manager_id}
        row |= k.row()
        if side in seen.standings:
            changed.append(row | {"seen": seen.standings[side]})
        else:
            added.append(row)
    for statement, params in ((_COMPARE_AND_SET, changed), (_INSERT_IF_ABSENT, added)):
        if params and connection.execute(statement, params).rowcount != len(params):
            raise Overtaken  # the view rolls back, and lets the writers' turn go


# The rubric as the click read it: its ladder not archived and at the version of the
# standing written, its owner's manager the one read.
_AS_READ = (
    "EXISTS (SELECT 1 FROM rubrics JOIN ladders ON ladders.id = rubrics.ladder_id"
    " JOIN users ON users.id = rubrics.user_id WHERE rubrics.id = :rubric_id"
    " AND ladders.archived_at IS NULL AND ladders.version = :ladder_version"
    " AND users.manager_id IS :manager_id)"
)
# Constant text, every value a parameter.
_COMPARE_AND_SET = text(
    "UPDATE standings SET ladder_version = :ladder_version, track_key = :track_key,"  # noqa: S608
    " data = :data WHERE rubric_id = :rubric_id AND side = :side AND data = :seen"
    f" AND {_AS_READ}"
).bindparams(bindparam("data", type_=KeptStanding.data.type))
_INSERT_IF_ABSENT = text(
    "INSERT INTO standings (rubric_id, side, ladder_version, track_key, data)"
    f" SELECT :rubric_id, :side, :ladder_version, :track_key, :data WHERE {_AS_READ}"  # noqa: S608
    " ON CONFLICT (rubric_id, side) DO NOTHING"
).bindparams(bindparam("data", type_=KeptStanding.data.type))


_ROW_COLUMNS = (
    Rating.self_step,
    Rating.manager_step,
    Rating.evidence_count,
    Rating.focus,
    Rating.self_at,
    Rating.manager_at,
    Rating.manager_by_id,
)


def ratings(
    rubric_id: int, notes_of: int | None = None, *, focused: bool = False
) -> dict[int, RatingRow]:
    """Return every rating row of a rubric by competency id, in one query.

    With ``notes_of``, each row also counts that person's private notes (only they see
    them, so only they count them); adding a note writes the row, so every note has one.
    With ``focused``, only the rows of competencies marked as focus (the growth plan).
    """
    query = _RATINGS[notes_of is not None, focused]
    params = {"rubric_id": rubric_id} | ({} if notes_of is None else {"notes_of": notes_of})
    rows = query.rows(db.session, **params)
    if db.session.get_bind().dialect.name != "sqlite":
        return {r[0]: RatingRow._make(r[1:]) for r in rows}
    # A page builds hundreds of rows from the driver's values, inline: SQLite gives
    # booleans as integers and timestamps as text.
    read = datetime.fromisoformat  # the text SQLAlchemy stored
    return {
        r[0]: RatingRow(
            r[1], r[2], r[3], r[4] == 1, r[5] and read(r[5]), r[6] and read(r[6]), r[7], r[8]
        )
        for r in rows
    }


def _ratings_query(with_notes: bool, focused: bool):
    """Build the query of :func:`ratings` (with the notes count or without)."""
    rubric_id = bindparam("rubric_id")
    query = select(Rating.competency_id, *_ROW_COLUMNS)
    if with_notes:
        # One pass over the viewer's notes on the rubric, not a count per rating row.
        notes = (
            select(Evidence.competency_id, func.count().label("n"))
            .where(
                Evidence.rubric_id == rubric_id,
                Evidence.author_id == bindparam("notes_of"),
                Evidence.private,
            )
            .group_by(Evidence.competency_id)
            .subquery()
        )
        query = query.add_columns(func.coalesce(notes.c.n, 0)).outerjoin(
            notes, notes.c.competency_id == Rating.competency_id
        )
    else:
        query = query.add_columns(literal_column("0"))  # every field of a RatingRow comes back
    query = query.where(Rating.rubric_id == rubric_id)
    return query.where(Rating.focus) if focused else query


_RATINGS = {
    (notes, focused): Prepared(functools.partial(_ratings_query, notes, focused))
    for notes in (False, True)
    for focused in (False, True)
}


def ratings_of_rubrics(rubric_ids: list[int]) -> dict[int, dict[int, RatingRow]]:
    """Return the rating rows of several rubrics, by rubric then competency, in one query."""
    found: dict[int, dict[int, RatingRow]] = {rid: {} for rid in rubric_ids}
    if rubric_ids:
        for r in rows_of(
            db.session,
            select(Rating.rubric_id, Rating.competency_id, *_ROW_COLUMNS).where(
                Rating.rubric_id.in_(rubric_ids)
            ),
        ):
            found[r[0]][r[1]] = RatingRow(*r[2:])
    return found


def upsert_rating(rubric_id: int, competency_id: int, **values) -> None:
    """Insert or update one rating row in a single statement."""
    row = {"rubric_id": rubric_id, "competency_id": competency_id, **values}
    upsert(db.session, Rating, ("rubric_id", "competency_id"), [row])


def write_click(
    rubric_id: int,
    competency_id: int,
    side: Side,
    step: str,
    actor_id: int,
    at: datetime,
    event: dict,
    kept: dict[Side, StoredStanding],
    seen: Seen | None = None,
) -> None:
    """Write a click: the step, its event and the kept standings (one statement on PostgreSQL).

    ``seen`` is for a click that read without the writers' turn (:func:`load_click`): what
    it read. The standings are written first, only if what it read still holds; if not,
    something came in between and this one raises :class:`Overtaken`.
    """
    writes = [
        Write(Event, [event]),
        _step_write(rubric_id, competency_id, side, step, actor_id, at),
    ]
    if seen is not None:
        _overwrite_standings(rubric_id, kept, seen)
    elif kept:
        writes.insert(0, _standings_write(rubric_id, kept))
    db_write(db.session, writes)


def _step_write(
    rubric_id: int, competency_id: int, side: Side, step: str, actor_id: int, at: datetime
) -> Write:
    step_column, by_column, at_column = Rating.side_columns(side)
    row = {"rubric_id": rubric_id, "competency_id": competency_id}
    row |= {step_column.key: step, by_column.key: actor_id, at_column.key: at}
    return Write(Rating, [row], ("rubric_id", "competency_id"))


def rubric_for(user: User, ladder: Ladder) -> Rubric:
    """Return the person's rubric on a ladder, creating it on the ladder's first track.

    Two people may open a new rubric at the same moment, and this runs inside a GET: the
    insert gets a write transaction of its own and gives way to a concurrent one.
    """

    def find() -> Rubric | None:
        return db.session.scalar(
            select(Rubric).where(Rubric.user_id == user.id, Rubric.ladder_id == ladder.id)
        )

    rubric = find()
    if rubric is None:
        track = store.stored(ladder).spec.tracks[0].key
        db.session.commit()  # end the read transaction; the insert needs a write one
        with intending(write=True):
            db.session.execute(
                insert_for(db.session, Rubric)
                .values(user_id=user.id, ladder_id=ladder.id, track_key=track, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=[Rubric.user_id, Rubric.ladder_id])
            )
            db.session.commit()
        rubric = find()
    return rubric
