"""A ladder's versions: a draft that editors change, published as version N+1 with a note.

Every version is kept as a whole Rungs YAML file, so it can be browsed, exported and
compared for ever; the live ladder (what rubrics show) is the latest version. Ratings follow
competency keys, so publishing keeps them. The caller commits: a publish is one transaction.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from app.audit import log as audit
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import formats, store
from app.ladders.formats.slug import competency_key, unique
from app.ladders.manage import LadderChangeRefused
from app.ladders.models import Ladder, LadderDraft, LadderVersion
from app.ladders.spec import CompetencySpec, LadderSpec
from app.ladders.wording import Comparison, compare

NOTE_MAX = 2000


def snapshot(spec: LadderSpec) -> str:
    """The text a version keeps: the ladder as a Rungs YAML file."""
    return formats.export_rungs(spec)


def spec_of(text: str, key: str) -> LadderSpec:
    """Read a kept version or draft back; it was checked when it was written."""
    return formats.parse(text.encode(), filename=f"{key}.yml", format="rungs", key=key)


def history(ladder: Ladder) -> list[LadderVersion]:
    """Every published version of the ladder, newest first.

    A ladder never edited in the app has no row yet: its version 1 is the live ladder,
    shown unsaved, so reading writes nothing. The first draft keeps it for good.
    """
    found = list(
        db.session.scalars(
            select(LadderVersion)
            .where(LadderVersion.ladder_id == ladder.id)
            .order_by(LadderVersion.number.desc())
        )
    )
    return found or [_first(ladder)]


def version(ladder: Ladder, number: int) -> LadderVersion | None:
    """One version by its number."""
    found = db.session.scalar(
        select(LadderVersion).where(
            LadderVersion.ladder_id == ladder.id, LadderVersion.number == number
        )
    )
    if found is None and number == 1 and latest_number(ladder) == 1:
        return _first(ladder)
    return found


def latest_number(ladder: Ladder) -> int:
    """The number of the version in force now."""
    latest = db.session.scalar(
        select(func.max(LadderVersion.number)).where(LadderVersion.ladder_id == ladder.id)
    )
    return latest or 1


def _first(ladder: Ladder) -> LadderVersion:
    """Version 1 of a ladder that has no kept version: the live ladder, not added to the session."""
    return LadderVersion(
        ladder_id=ladder.id,
        number=1,
        text=snapshot(store.stored(ladder).spec),
        note="First version.",
        author_label="",
        published_at=ladder.updated_at or utcnow(),
    )


def ensure_first(ladder: Ladder) -> int:
    """Keep the live ladder as version 1 if it has no version yet; return the latest number.

    Ladders imported before versions existed (or created by an import) start here.
    """
    latest = db.session.scalar(
        select(func.max(LadderVersion.number)).where(LadderVersion.ladder_id == ladder.id)
    )
    if latest:
        return latest
    db.session.add(_first(ladder))
    db.session.flush()
    return 1


def draft(ladder: Ladder) -> LadderDraft | None:
    """The ladder's draft, if anyone started one."""
    return db.session.get(LadderDraft, ladder.id)


def draft_spec(ladder: Ladder) -> LadderSpec:
    """What the draft holds, or the live ladder when there is no draft yet."""
    found = draft(ladder)
    return spec_of(found.text, ladder.key) if found else store.stored(ladder).spec


def save_draft(ladder: Ladder, spec: LadderSpec, actor: User | None, credit: str = "") -> None:
    """Write the draft, refusing what the import would refuse: one validator for both."""
    problems = formats.validate(spec, file=ladder.key)
    if problems:
        raise formats.LadderFormatError(problems)
    found = draft(ladder)
    if found is None:
        ensure_first(ladder)  # the version the draft starts from is kept as it was
        found = LadderDraft(ladder_id=ladder.id, credits=[])
        db.session.add(found)
    found.text = snapshot(spec)
    if credit and credit not in found.credits:
        found.credits = [*found.credits, credit]
    found.updated_by_id = actor.id if isinstance(actor, User) else None
    found.updated_at = utcnow()


def discard_draft(ladder: Ladder) -> bool:
    """Throw the draft away; tell whether there was one."""
    found = draft(ladder)
    if found is None:
        return False
    db.session.delete(found)
    return True


def changes_in_draft(ladder: Ladder, spec: LadderSpec | None = None) -> Comparison:
    """What publishing the draft (``spec``, read if not given) would change."""
    return compare(store.stored(ladder).spec, spec or draft_spec(ladder))


def with_competency(spec: LadderSpec, changed: CompetencySpec) -> LadderSpec:
    """The spec with one competency replaced (by key), or added last when it is new."""
    items = list(spec.competencies)
    for i, c in enumerate(items):
        if c.key == changed.key:
            items[i] = changed
            break
    else:
        items.append(changed)
    return replace(spec, competencies=tuple(items))


def new_competency_key(spec: LadderSpec, category: str, level: str, title: str) -> str:
    """A readable key for a competency added in the app, unused in ``spec``."""
    used = {c.key: 2 for c in spec.competencies}
    return unique(competency_key(category, level, title), used)


def publish(ladder: Ladder, note: str, actor: User | str) -> tuple[LadderVersion, Comparison]:
    """Publish the draft as the next version; return it and what it changed.

    The note is required: a version without a reason is a goalpost moved in silence.
    """
    note = (note or "").strip()
    if not note:
        raise LadderChangeRefused("Say what this version changes: a note is required.")
    if len(note) > NOTE_MAX:
        raise LadderChangeRefused(f"The note has at most {NOTE_MAX} characters.")
    found = draft(ladder)
    if found is None:
        raise LadderChangeRefused(f"{ladder.name} has no draft to publish.")
    if ladder.archived:
        raise LadderChangeRefused(f"{ladder.name} is archived: restore it first.")
    number = ensure_first(ladder) + 1
    spec = spec_of(found.text, ladder.key)
    comparison = compare(store.stored(ladder).spec, spec)
    if not comparison and spec.description == store.stored(ladder).spec.description:
        raise LadderChangeRefused(
            "The draft is the same as the published ladder: nothing to publish."
        )
    if found.credits:
        note += "\n\nWith suggestions from " + ", ".join(found.credits) + "."
    store.save(spec)
    db.session.flush()
    published = LadderVersion(
        ladder_id=ladder.id,
        number=number,
        text=snapshot(store.stored(ladder).spec),
        note=note,
        author_id=actor.id if isinstance(actor, User) else None,
        author_label=actor.name if isinstance(actor, User) else str(actor),
        published_at=utcnow(),
    )
    db.session.add(published)
    db.session.delete(found)
    audit.record(
        "ladder.published", actor, ladder.key, detail=f"version {number}: {note.splitlines()[0]}"
    )
    db.session.flush()
    return published, comparison


def in_force(ladder: Ladder, moment) -> LadderVersion | None:
    """The version that was in force at a moment: the newest published at or before it.

    None when the ladder has no kept version yet (its only version is the live one).
    """
    return db.session.scalar(
        select(LadderVersion)
        .where(LadderVersion.ladder_id == ladder.id, LadderVersion.published_at <= moment)
        .order_by(LadderVersion.number.desc())
        .limit(1)
    )


def fork(source: Ladder, key: str, name: str, actor: User | str) -> Ladder:
    """Start a new ladder from another one, noting where it came from."""
    if store.by_key(key) is not None:
        raise LadderChangeRefused(f"A ladder with the key {key!r} exists already.")
    number = ensure_first(source)
    spec = replace(store.stored(source).spec, key=key, name=" ".join(name.split()))
    problems = formats.validate(spec, file=key)
    if problems:
        raise LadderChangeRefused(str(problems[0]))
    ladder = store.save(spec)
    ladder.forked_from = f"Forked from {source.name} ({source.key}), version {number}."
    ensure_first(ladder)
    audit.record("ladder.forked", actor, key, detail=f"from {source.key} version {number}")
    return ladder
