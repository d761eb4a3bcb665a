"""Write a spec as a rungs YAML file, byte-for-byte stable across re-imports."""

from __future__ import annotations

from typing import Any

import yaml

from app.ladders.spec import LadderSpec, LevelRule, ScaleStep

# Emit long lines unwrapped: folding a plain scalar can change its spaces on the way back.
_WIDTH = 1_000_000


class _Flow(list):  # type: ignore[type-arg]
    """A list emitted inline, ``[e1, e2]``: short key lists read better that way."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits anchors: the same tuple object may appear twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# YAML reads these as line breaks even inside plain or block text; only escapes keep them.
_ODD_BREAKS = frozenset("\r\x85\u2028\u2029")


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Block style keeps multi-line Markdown readable; yaml picks |, |- or |+ from the ending.
    style = "|" if "\n" in text else None
    if not _ODD_BREAKS.isdisjoint(text):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _flow(dumper: yaml.SafeDumper, items: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, _flow)


def _num(value: float) -> int | float:
    """Write 2.0 as 2, so a number read back as float is written the same way."""
    return int(value) if float(value).is_integer() else float(value)


def export_rungs(spec: LadderSpec) -> str:
    """Return ``spec`` as rungs YAML, keys in a fixed order, empty optional fields left out."""
    doc: dict[str, Any] = {"rungs": 1, "key": spec.key, "name": spec.name}
    _put(doc, "description", spec.description)
    doc["rule"] = _rule(spec.rule)
    doc["scale"] = [_step(s) for s in spec.scale]
    if spec.no_opportunity:
        doc["no_opportunity"] = True
    doc["tracks"] = [
        _drop_empty(
            {"key": t.key, "name": t.name, "description": t.description, "levels": _Flow(t.levels)}
        )
        for t in spec.tracks
    ]
    doc["levels"] = [
        _drop_empty({"key": x.key, "name": x.name, "summary": x.summary}) for x in spec.levels
    ]
    doc["categories"] = [
        _drop_empty({"key": x.key, "name": x.name, "summary": x.summary}) for x in spec.categories
    ]
    doc["competencies"] = [
        _drop_empty(
            {
                "key": c.key,
                "title": c.title,
                "level": c.level,
                "category": c.category,
                "description": c.description,
                "examples": list(c.examples),
                "points": None if c.points is None else _num(c.points),
            }
        )
        for c in spec.competencies
    ]
    return yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=_WIDTH,
        default_flow_style=False,
        indent=2,
    )


def _rule(rule: LevelRule) -> dict[str, Any]:
    out: dict[str, Any] = {"type": rule.type}
    if rule.threshold is not None:
        out["threshold"] = _num(rule.threshold)
    if rule.approaching is not None:
        out["approaching"] = _num(rule.approaching)
    if rule.milestone_points:
        out["milestone_points"] = _Flow(rule.milestone_points)
    if rule.level_points:
        out["level_points"] = dict(rule.level_points)
    return out


def _step(step: ScaleStep) -> dict[str, Any]:
    return {"key": step.key, "label": step.label, "value": _num(step.value)}


def _put(doc: dict[str, Any], name: str, value: str) -> None:
    if value:
        doc[name] = value


def _drop_empty(item: dict[str, Any]) -> dict[str, Any]:
    # Required fields are kept even when empty, so a broken spec still exports visibly broken.
    required = {"key", "name", "title", "level", "category", "levels"}
    return {k: v for k, v in item.items() if k in required or v not in ("", [], None)}
