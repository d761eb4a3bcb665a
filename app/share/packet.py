"""The promotion packet and the rubric exports, as plain data and text."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from app import csvsafe
from app.rubric import engine, service
from app.rubric.page import RubricView


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
    standing: engine.Standing
    manager_standing: engine.Standing | None
    gaps: engine.Gaps
    items: tuple[PacketItem, ...]
    signoffs: tuple[dict, ...]


def build(
    view: RubricView, target_key: str, evidence: dict[int, list[EvidenceNote]], signoffs: list[dict]
) -> Packet:
    """Gather what a promotion conversation needs for one target level."""
    ids = view.stored.competency_ids
    levels = {lv.key: lv.name for lv in view.index.levels}
    categories = {c.key: c.name for c in view.index.categories}
    position = [lv.key for lv in view.index.levels].index(target_key)
    items = []
    for cell in view.index.cells[position]:
        for c in cell:
            item = view.item(ids[c.key])
            items.append(
                PacketItem(
                    id=item.id,
                    title=c.title,
                    category=categories[c.category],
                    self_label=view.step_label(item.self_step),
                    manager_label=view.step_label(item.manager_step),
                    evidence=tuple(evidence.get(item.id, ())),
                )
            )
    mine = view.standing if view.primary == "self" else view.other
    theirs = view.other if view.primary == "self" else view.standing
    ratings = service.values(view.stored, view.rows, "self")
    return Packet(
        person=view.owner_name,
        ladder=view.stored.spec.name,
        track=view.track.name,
        target=target_key,
        target_name=levels[target_key],
        standing=mine or engine.evaluate(view.index, ratings),
        manager_standing=theirs,
        gaps=engine.gaps_to(view.index, ratings, target_key),
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
    return "\n".join(lines) + "\n"


def rubric_rows(view: RubricView) -> list[dict]:
    """One row per competency of the track: where it sits and how both sides rated it."""
    rows = []
    ids = view.stored.competency_ids
    categories = {c.key: c.name for c in view.index.categories}
    for li, level in enumerate(view.index.levels):
        for cell in view.index.cells[li]:
            for c in cell:
                item = view.item(ids[c.key])
                rows.append(
                    {
                        "level": level.name,
                        "category": categories[c.category],
                        "key": c.key,
                        "competency": c.title,
                        "self": item.self_step or "",
                        "manager": item.manager_step or "",
                        "evidence": item.evidence_count,
                        "focus": item.focus,
                    }
                )
    return rows


def to_csv(view: RubricView) -> str:
    out = io.StringIO()
    rows = rubric_rows(view)
    fields = ["level", "category", "key", "competency", "self", "manager", "evidence", "focus"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csvsafe.escape(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def to_json(view: RubricView) -> str:
    data = {
        "person": view.owner_name,
        "ladder": view.stored.spec.key,
        "track": view.track.key,
        "target": view.rubric.target_key,
        "level": view.standing.level
        if view.primary == "self"
        else (view.other.level if view.other else None),
        "competencies": rubric_rows(view),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
