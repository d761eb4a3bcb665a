"""Moving ladders between LadderSpec and the database, and caching their shape."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.ladders.formats import LadderFormatError, validate
from app.ladders.models import Category, Competency, Ladder, Level, Track
from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    ScaleStep,
    TrackSpec,
)
from app.levels.index import TrackIndex, build_index


@dataclass(frozen=True)
class StoredLadder:
    """A ladder's live shape plus the database ids of its competencies."""

    id: int
    version: tuple  # (version, updated_at): changes with every import
    spec: LadderSpec
    competency_ids: dict[str, int]
    competency_keys: dict[int, str]
    competencies: dict[str, CompetencySpec]
    # When each competency's words last changed, by competency id (only those that did).
    wording_changed: dict[int, datetime] = field(default_factory=dict)
    _indexes: dict[str, TrackIndex] = field(default_factory=dict, compare=False, repr=False)

    def index(self, track_key: str | None) -> TrackIndex:
        """Return the engine's index of a track (the first if it is gone), built once."""
        key = self.spec.track_or_first(track_key).key
        found = self._indexes.get(key)
        if found is None:
            # Built once per ladder version: a new import makes a new StoredLadder.
            found = self._indexes[key] = build_index(self.spec, key)
        return found


_cache: dict[int, StoredLadder] = {}
_cache_lock = threading.Lock()


def stored(ladder: Ladder) -> StoredLadder:
    """Return the ladder's shape, loading it only when its version changed."""
    hit = _cache.get(ladder.id)
    if hit is not None and hit.version == (ladder.version, ladder.updated_at):
        return hit
    loaded = _load(ladder)
    with _cache_lock:
        _cache[ladder.id] = loaded
    return loaded


def _load(ladder: Ladder) -> StoredLadder:
    tracks = db.session.scalars(
        select(Track).where(Track.ladder_id == ladder.id, ~Track.archived).order_by(Track.position)
    ).all()
    levels = db.session.scalars(
        select(Level).where(Level.ladder_id == ladder.id).order_by(Level.position)
    ).all()
    categories = db.session.scalars(
        select(Category).where(Category.ladder_id == ladder.id).order_by(Category.position)
    ).all()
    competencies = db.session.scalars(
        select(Competency)
        .where(Competency.ladder_id == ladder.id, ~Competency.archived)
        .order_by(Competency.position)
    ).all()
    level_key = {lv.id: lv.key for lv in levels}
    category_key = {c.id: c.key for c in categories}
    spec = LadderSpec(
        key=ladder.key,
        name=ladder.name,
        description=ladder.description,
        rule=rule_from_json(ladder.rule),
        scale=tuple(ScaleStep(**step) for step in ladder.scale),
        no_opportunity=ladder.no_opportunity,
        tracks=tuple(TrackSpec(t.key, t.name, tuple(t.level_keys), t.description) for t in tracks),
        levels=tuple(LevelSpec(lv.key, lv.name, lv.summary) for lv in levels if not lv.archived),
        categories=tuple(
            CategorySpec(c.key, c.name, c.summary) for c in categories if not c.archived
        ),
        competencies=tuple(
            CompetencySpec(
                key=c.key,
                title=c.title,
                level=level_key[c.level_id],
                category=category_key[c.category_id],
                description=c.description,
                examples=tuple(c.examples or ()),
                points=c.points,
            )
            for c in competencies
        ),
    )
    ids = {c.key: c.id for c in competencies}
    return StoredLadder(
        ladder.id,
        (ladder.version, ladder.updated_at),
        spec,
        ids,
        {v: k for k, v in ids.items()},
        {c.key: c for c in spec.competencies},
        {c.id: c.wording_changed_at for c in competencies if c.wording_changed_at},
    )


def rule_from_json(data: dict) -> LevelRule:
    """Rebuild a LevelRule from its stored JSON."""
    return LevelRule(
        type=data.get("type", "all"),
        threshold=data.get("threshold"),
        approaching=data.get("approaching"),
        milestone_points=tuple(data.get("milestone_points") or ()),
        level_points=dict(data.get("level_points") or {}),
    )


def rule_to_json(rule: LevelRule) -> dict:
    data = asdict(rule)
    data["milestone_points"] = list(rule.milestone_points)
    return data


def _upsert(model, ladder_id: int, existing: dict, key: str, **fields):
    row = existing.get(key)
    if row is None:
        row = model(ladder_id=ladder_id, key=key)
        db.session.add(row)
        existing[key] = row
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


def save(spec: LadderSpec) -> Ladder:
    """Create or update the ladder by key; whatever the file no longer has is archived.

    The caller commits, so an import is one transaction: all of it or nothing. A ladder
    that breaks the checks of an import (sizes included) is refused: LadderFormatError.
    """
    problems = validate(spec, file=spec.key or "ladder")
    if problems:
        raise LadderFormatError(problems)
    ladder = db.session.scalar(select(Ladder).where(Ladder.key == spec.key))
    if ladder is None:
        # The first ladder of an installation is its default; later ones never move anyone.
        first = default_ladder() is None
        ladder = Ladder(key=spec.key, version=0, name=spec.name, is_default=first)
        db.session.add(ladder)
    # The name is this installation's label (it may have been renamed to tell two
    # "Engineering" ladders apart): a re-import keeps it, as it keeps pay bands.
    ladder.description = spec.description
    ladder.rule = rule_to_json(spec.rule)
    ladder.scale = [asdict(step) for step in spec.scale]
    ladder.no_opportunity = spec.no_opportunity
    ladder.version = (ladder.version or 0) + 1
    ladder.updated_at = utcnow()
    db.session.flush()

    def rows(model):
        return {
            r.key: r for r in db.session.scalars(select(model).where(model.ladder_id == ladder.id))
        }

    tracks, levels, categories, comps = rows(Track), rows(Level), rows(Category), rows(Competency)
    seen_tracks = {t.key for t in spec.tracks}
    for pos, t in enumerate(spec.tracks):
        _upsert(
            Track,
            ladder.id,
            tracks,
            t.key,
            name=t.name,
            description=t.description,
            position=pos,
            level_keys=list(t.levels),
            archived=False,
        )
    for pos, lv in enumerate(spec.levels):
        _upsert(
            Level,
            ladder.id,
            levels,
            lv.key,
            name=lv.name,
            summary=lv.summary,
            position=pos,
            archived=False,
        )
    for pos, c in enumerate(spec.categories):
        _upsert(
            Category,
            ladder.id,
            categories,
            c.key,
            name=c.name,
            summary=c.summary,
            position=pos,
            archived=False,
        )
    db.session.flush()
    now = utcnow()
    for c in spec.competencies:
        row = comps.get(c.key)
        if row is not None and (row.title, row.description, tuple(row.examples or ())) != (
            c.title,
            c.description,
            tuple(c.examples),
        ):
            # Ratings stay with the key; the rubric asks raters to look at the new words.
            row.wording_changed_at = now
    for pos, c in enumerate(spec.competencies):
        _upsert(
            Competency,
            ladder.id,
            comps,
            c.key,
            title=c.title,
            description=c.description,
            examples=list(c.examples),
            level_id=levels[c.level].id,
            category_id=categories[c.category].id,
            points=c.points,
            position=pos,
            archived=False,
        )
    live = {
        Track: seen_tracks,
        Level: {lv.key for lv in spec.levels},
        Category: {c.key for c in spec.categories},
        Competency: {c.key for c in spec.competencies},
    }
    for model, existing in (
        (Track, tracks),
        (Level, levels),
        (Category, categories),
        (Competency, comps),
    ):
        for key, row in existing.items():
            if key not in live[model]:
                row.archived = True
    db.session.flush()
    return ladder


def by_key(key: str) -> Ladder | None:
    """Find a ladder by its key."""
    return db.session.scalar(select(Ladder).where(Ladder.key == key))


def all_ladders(*, archived: bool = False) -> list[Ladder]:
    """List the ladders by name (then key), leaving out archived ones unless asked."""
    query = select(Ladder).order_by(Ladder.name, Ladder.key)
    if not archived:
        query = query.where(Ladder.archived_at.is_(None))
    return list(db.session.scalars(query))


def default_ladder() -> Ladder | None:
    """The installation's default ladder, if one is set."""
    return db.session.scalar(select(Ladder).where(Ladder.is_default))


def forget(ladder_id: int) -> None:
    """Drop a deleted ladder's cached shape."""
    with _cache_lock:
        _cache.pop(ladder_id, None)


def of_version(ladder: Ladder, spec: LadderSpec, number: int) -> StoredLadder:
    """A past version's shape with the database ids of its competencies, for "as of".

    Competencies archived since then still have their rows (and ratings): their ids are
    found by key among all of the ladder's competencies.
    """
    keys = {c.key for c in spec.competencies}
    ids = {
        key: cid
        for key, cid in db.session.execute(
            select(Competency.key, Competency.id).where(Competency.ladder_id == ladder.id)
        )
        if key in keys
    }
    return StoredLadder(
        ladder.id,
        ("version", number),
        spec,
        ids,
        {v: k for k, v in ids.items()},
        {c.key: c for c in spec.competencies if c.key in ids},
    )
