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
    id: int
    title: str
    category: str
    self_label: str
    manager_label: str
    evidence: tuple[EvidenceNote, ...]


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
    items: tuple[PacketItem, ...]
    signoffs: tuple[dict, ...]


def build(
    page: RubricPage, target_key: str, evidence: dict[int, list[EvidenceNote]], signoffs: list[dict]
) -> Packet:
    """Gather what a promotion conversation needs for one target level."""
    ids, scale, index = page.stored.competency_ids, page.scale, page.index
    categories = {c.key: c.name for c in index.categories}
    items = []
    for cell in index.cells[index.position(target_key)]:
        for c in cell:
            cid = ids[c.key]
            row = page.row(cid)
            items.append(
                PacketItem(
                    id=cid,
                    title=c.title,
                    category=categories[c.category],
                    self_label=scale.label(row.self_step),
                    manager_label=scale.label(row.manager_step),
                    evidence=tuple(evidence.get(cid, ())),
                )
            )
    mine = page.standing if page.primary is Side.SELF else page.other
    theirs = page.other if page.primary is Side.SELF else page.standing
    ratings = page.ratings(Side.SELF)
    return Packet(
        person=page.owned.owner_name,
        ladder=page.stored.spec.name,
        track=page.track.name,
        target=target_key,
        target_name=index.name_at(index.position(target_key)),
        standing=mine or evaluate(index, ratings),
        manager_standing=theirs,
        gaps=gaps_to(index, ratings, target_key),
        items=tuple(items),
        signoffs=tuple(s for s in signoffs if s.get("target") == target_key),
    )


def markdown(packet: Packet) -> str:
    """Write the packet as a Markdown document."""
    lines = [
        f"# Promotion packet: {packet.person}",
        "",
        f"- Ladder: {packet.ladder}, track: {packet.track}",
        f"- Current level (own ratings): {packet.standing.label}",
    ]
    if packet.manager_standing:
        lines.append(f"- Current level (manager's ratings): {packet.manager_standing.label}")
    lines += [
        f"- Target level: {packet.target_name}",
        f"- Standing: {packet.gaps.summary()}",
        "",
        f"## {packet.target_name}: competencies",
        "",
    ]
    for item in packet.items:
        lines.append(f"### {item.title}")
        lines.append("")
        lines.append(
            f"*{item.category}* · own rating: **{item.self_label}** · "
            f"manager: **{item.manager_label}**"
        )
        lines.append("")
        for ev in item.evidence:
            link = f" ({ev.link})" if ev.link else ""
            body = ev.body.strip().replace("\n", "\n  ")
            lines.append(f"- {ev.day.isoformat()}, {ev.author}: {body}{link}")
        if not item.evidence:
            lines.append("- No shared evidence yet.")
        lines.append("")
    lines += ["## Still missing", ""]
    if not packet.gaps.categories:
        lines.append("Nothing: every competency up to the target is demonstrated.")
    for category in packet.gaps.categories:
        lines.append(
            f"- **{category.name}** ({category.needed} needed): "
            + "; ".join(i.title for i in category.items)
        )
    lines += ["", "## Manager sign-off", ""]
    if packet.signoffs:
        for s in packet.signoffs:
            lines.append(f"- Signed by {s['name']} on {s['date']}: {s.get('comment') or ''}")
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
