"""Several files, one ladder: each file a level or a group of levels, or each file a track."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace

from app.ladders.formats.slug import humanise, slugify
from app.ladders.spec import LadderSpec, TrackSpec

MODES = ("levels", "tracks")


def common_stem(stems: list[str]) -> str:
    """Return what the file names share (``codecademy-ic``, ``codecademy-em`` -> codecademy),
    or an empty text when they share too little to name a ladder."""
    prefix = os.path.commonprefix(stems).rstrip("-_ .")
    return prefix if len(prefix) >= 3 else ""


def key_and_name(stems: list[str], first: LadderSpec) -> tuple[str, str]:
    """Key and name a combined ladder after what its files share, else after the first."""
    shared = common_stem(stems)
    if shared:
        return slugify(shared), humanise(shared)
    return first.key, first.name


def _renamer(parts: list[tuple[str, LadderSpec]], attr: str, what) -> list[dict[str, str]]:
    """For each part, map its keys of one kind to keys unique across the parts.

    A key found in several parts is prefixed with the part's slug in each of them."""
    seen = Counter(k for _, spec in parts for k in {x.key for x in what(spec)})
    return [
        {
            x.key: (f"{slugify(label, max_length=30)}-{x.key}"[:100] if seen[x.key] > 1 else x.key)
            for x in what(spec)
        }
        for label, spec in parts
    ]


def _merge_categories(parts: list[tuple[str, LadderSpec]]):
    categories: dict[str, object] = {}
    for _, spec in parts:
        for c in spec.categories:
            categories.setdefault(c.key, c)
    return tuple(categories.values())


def tracks(parts: list[tuple[str, LadderSpec]], key: str, name: str) -> LadderSpec:
    """Make each part a track: its levels stay its own, categories are shared by key."""
    level_keys = _renamer(parts, "levels", lambda s: s.levels)
    comp_keys = _renamer(parts, "competencies", lambda s: s.competencies)
    out_tracks, levels, comps = [], [], []
    for (label, spec), lk, ck in zip(parts, level_keys, comp_keys, strict=True):
        levels += [replace(lv, key=lk[lv.key]) for lv in spec.levels]
        comps += [
            replace(c, key=ck[c.key], level=lk.get(c.level, c.level)) for c in spec.competencies
        ]
        for t in spec.tracks:
            track_key = slugify(label) if len(spec.tracks) == 1 else f"{slugify(label)}-{t.key}"
            track_name = label if len(spec.tracks) == 1 else f"{label}: {t.name}"
            out_tracks.append(
                TrackSpec(
                    track_key, track_name, tuple(lk.get(k, k) for k in t.levels), t.description
                )
            )
    first = parts[0][1]
    return replace(
        first,
        key=key,
        name=name,
        tracks=tuple(out_tracks),
        levels=tuple(levels),
        categories=_merge_categories(parts),
        competencies=tuple(comps),
    )


def levels(parts: list[tuple[str, LadderSpec]], key: str, name: str) -> LadderSpec:
    """Put the parts' levels one after the other, in the order of the files."""
    level_keys = _renamer(parts, "levels", lambda s: s.levels)
    comp_keys = _renamer(parts, "competencies", lambda s: s.competencies)
    track_levels: dict[str, list[str]] = {}
    track_names: dict[str, str] = {}
    all_levels, comps = [], []
    for (_, spec), lk, ck in zip(parts, level_keys, comp_keys, strict=True):
        all_levels += [replace(lv, key=lk[lv.key]) for lv in spec.levels]
        comps += [
            replace(c, key=ck[c.key], level=lk.get(c.level, c.level)) for c in spec.competencies
        ]
        for t in spec.tracks:
            track_names.setdefault(t.key, name if t.key == "main" else t.name)
            track_levels.setdefault(t.key, []).extend(lk.get(k, k) for k in t.levels)
    first = parts[0][1]
    return replace(
        first,
        key=key,
        name=name,
        description="",
        tracks=tuple(TrackSpec(k, track_names[k], tuple(v)) for k, v in track_levels.items()),
        levels=tuple(all_levels),
        categories=_merge_categories(parts),
        competencies=tuple(comps),
    )
