"""The promotion packet and the rubric exports, as plain data and text."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from app import csvsafe
from app.ladders.store import StoredLadder
from app.levels.gaps import Gaps
from app.levels.index import TrackIndex
from app.levels.standing import Standing, evaluate, gaps_to
from app.markdown import neutralised
from app.rubric.page import RubricPage
from app.rubric.queries import NO_RATING, RatingRow
from app.rubric.side import Side


@dataclass(frozen=True)
class EvidenceNote:
    body: str
    link: str | None
    day: date
    author: str


@dataclass(frozen=True)
class PacketItem:
    """One competency up to the target, with both ratings and its shared evidence."""

    id: int
    title: str
    level: str  # the name of the level that asks for it
    self_label: str
    manager_label: str
    demonstrated: bool  # by the person's own ratings, as the standing and the gaps count
    evidence: tuple[EvidenceNote, ...]


@dataclass(frozen=True)
class PacketCategory:
    """A category's competencies up to the target: what is shown, and what is still open."""

    key: str
    name: str
    needed: int  # fewest further demonstrations the level rule asks for here
    demonstrated: tuple[PacketItem, ...]
    still_open: tuple[PacketItem, ...]
    no_opportunity: tuple[PacketItem, ...] = ()  # rated so: out of the count, listed apart


@dataclass(frozen=True)
class SignOff:
    """A manager's sign-off of the packet for one level, until they withdraw it."""

    event_id: int
    signer_id: int | None
    name: str
    day: date | None  # as the manager gave it; None if a stored event holds no readable day
    comment: str
    target: str


@dataclass(frozen=True)
class Packet:
    person: str
    ladder: str
    track: str
    target: str
    target_name: str
    standing: Standing
    manager_standing: Standing | None
    gaps: Gaps
    categories: tuple[PacketCategory, ...]
    signoff: SignOff | None  # the sign-off in force for this target, if any

    @property
    def open_count(self) -> int:
        """Count the competencies up to the target not demonstrated yet."""
        return sum(len(c.still_open) for c in self.categories)

    @property
    def demonstrated_count(self) -> int:
        """Count the competencies up to the target already demonstrated."""
        return sum(len(c.demonstrated) for c in self.categories)


def in_force(signoffs: list[SignOff], withdrawn: set[int], target_key: str) -> SignOff | None:
    """Return the newest sign-off for a target that nobody withdrew."""
    standing = [s for s in signoffs if s.target == target_key and s.event_id not in withdrawn]
    return max(standing, key=lambda s: s.event_id) if standing else None


def build(
    page: RubricPage,
    target_key: str,
    evidence: dict[int, list[EvidenceNote]],
    signoff: SignOff | None,
) -> Packet:
    """Gather what a promotion conversation needs: every level up to the target."""
    ids, scale, index = page.stored.competency_ids, page.scale, page.index
    ratings = page.ratings(Side.SELF)
    gaps = gaps_to(index, ratings, target_key)
    needed = {c.key: c.needed for c in gaps.categories}
    goal = index.position(target_key)
    categories = []
    for ci, category in enumerate(index.categories):
        shown, still_open, no_chance = [], [], []
        for li in range(goal + 1):
            for c in index.cells[li][ci]:
                cid = ids[c.key]
                row = page.row(cid)
                item = PacketItem(
                    id=cid,
                    title=c.title,
                    level=index.levels[li].name,
                    self_label=scale.label(row.self_step),
                    manager_label=scale.label(row.manager_step),
                    demonstrated=scale.demonstrated(row.self_step),
                    evidence=tuple(evidence.get(cid, ())),
                )
                if scale.excluded(row.self_step):
                    no_chance.append(item)
                else:
                    (shown if item.demonstrated else still_open).append(item)
        if (
            shown or still_open or no_chance
        ):  # a category that asks nothing up to the target is left out
            categories.append(
                PacketCategory(
                    category.key,
                    category.name,
                    needed.get(category.key, 0),
                    tuple(shown),
                    tuple(still_open),
                    tuple(no_chance),
                )
            )
    mine = page.standing if page.primary is Side.SELF else page.other
    theirs = page.other if page.primary is Side.SELF else page.standing
    return Packet(
        person=page.owned.owner_name,
        ladder=page.stored.spec.name,
        track=page.track.name,
        target=target_key,
        target_name=index.name_at(goal),
        standing=mine or evaluate(index, ratings),
        manager_standing=theirs,
        gaps=gaps,
        categories=tuple(categories),
        signoff=signoff,
    )


def _ratings_line(item: PacketItem) -> str:
    return f"*{item.level}* · own rating: **{item.self_label}** · manager: **{item.manager_label}**"


def _evidence_line(ev: EvidenceNote) -> str:
    link = f" ({ev.link})" if ev.link else ""
    body = ev.body.strip().replace("\n", "\n    ")
    return f"{ev.day.isoformat()}, {ev.author}: {body}{link}"


def markdown(packet: Packet) -> str:
    """Write the packet as a Markdown document, with what the page shows."""
    lines = [
        f"# Promotion packet: {packet.person}",
        "",
        f"- Ladder: {packet.ladder}"
        + (f", track: {packet.track}" if packet.track != packet.ladder else ""),
        f"- Current level (own ratings): {packet.standing.label}",
    ]
    if packet.manager_standing:
        lines.append(f"- Current level (manager's ratings): {packet.manager_standing.label}")
    lines += [
        f"- Target level: {packet.target_name}",
        f"- Standing: {packet.gaps.summary()}",
        f"- Up to {packet.target_name}: {packet.demonstrated_count} demonstrated, "
        f"{packet.open_count} still open",
        "",
    ]
    for category in packet.categories:
        lines += [f"## {category.name}", ""]
        if category.needed:
            lines += [f"{category.needed} more needed for {packet.target_name}.", ""]
        lines += [f"### Demonstrated ({len(category.demonstrated)})", ""]
        for item in category.demonstrated:
            lines += [f"#### {item.title}", "", _ratings_line(item), ""]
            lines += [f"- {_evidence_line(ev)}" for ev in item.evidence]
            if not item.evidence:
                lines.append("- No shared evidence yet.")
            lines.append("")
        if not category.demonstrated:
            lines += ["Nothing yet.", ""]
        lines += [f"### Still open ({len(category.still_open)})", ""]
        for item in category.still_open:
            lines.append(f"- {item.title} ({_ratings_line(item)})")
            lines += [f"  - {_evidence_line(ev)}" for ev in item.evidence]
        if not category.still_open:
            lines.append("Nothing: all demonstrated.")
        lines.append("")
        if category.no_opportunity:
            lines += [f"### No opportunity yet ({len(category.no_opportunity)})", ""]
            lines += [f"- {item.title} ({_ratings_line(item)})" for item in category.no_opportunity]
            lines.append("")
    lines += ["## Manager sign-off", ""]
    if packet.signoff:
        s = packet.signoff
        lines.append(f"Signed by {s.name} on {s.day.isoformat() if s.day else 'an unknown day'}.")
        if s.comment:
            lines += ["", s.comment]
    else:
        lines.append("Not signed yet.")
    # Evidence and comments are people's text: safe on our page, and in any other viewer.
    return neutralised("\n".join(lines)) + "\n"


def rubric_rows(stored: StoredLadder, index: TrackIndex, rows: dict[int, RatingRow]) -> list[dict]:
    """One row per competency of the track: where it sits and how both sides rated it."""
    found = []
    ids = stored.competency_ids
    categories = {c.key: c.name for c in index.categories}
    for li, level in enumerate(index.levels):
        for cell in index.cells[li]:
            for c in cell:
                row = rows.get(ids[c.key], NO_RATING)
                found.append(
                    {
                        "level": level.name,
                        "category": categories[c.category],
                        "key": c.key,
                        "competency": c.title,
                        "self": row.self_step or "",
                        "manager": row.manager_step or "",
                        "evidence": row.evidence_count,
                        "focus": row.focus,
                    }
                )
    return found


def to_csv(page: RubricPage) -> str:
    """The rubric's ratings as CSV, one row per competency of the track."""
    out = io.StringIO()
    fields = ["level", "category", "key", "competency", "self", "manager", "evidence", "focus"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    rows = rubric_rows(page.stored, page.index, page.rows)
    writer.writerows({k: csvsafe.escape(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def to_json(page: RubricPage) -> str:
    """The rubric's ratings as JSON, with the person's level from their own ratings."""
    own = page.standing if page.primary is Side.SELF else page.other
    data = {
        "person": page.owned.owner_name,
        "ladder": page.stored.spec.key,
        "track": page.track.key,
        "target": page.rubric.target_key,
        "level": own.level if own else None,
        "competencies": rubric_rows(page.stored, page.index, page.rows),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
