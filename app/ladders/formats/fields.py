"""Read typed fields out of loaded YAML, turning every surprise into a Problem."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.ladders.formats.errors import Problem
from app.ladders.formats.yamlread import Path, line_of


def kind(value: Any) -> str:
    """Name the YAML type of ``value`` for a message, without printing the value itself."""
    # Never repr() loaded data in a message: an alias-built structure can be astronomically big.
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another type"


def show(value: Any, limit: int = 40) -> str:
    """Quote a key or short scalar for a message, cut to ``limit`` characters."""
    text = (
        value
        if isinstance(value, str)
        else str(value)
        if isinstance(value, int | float)
        else kind(value)
    )
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


@dataclass(frozen=True)
class Reader:
    """Collect problems while reading one file's loaded YAML."""

    file: str
    lines: dict[Path, int]
    problems: list[Problem]

    def line(self, *path: str | int) -> int | None:
        return line_of(self.lines, *path)

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(*path), message))

    def mapping(self, value: Any, path: Path, what: str) -> dict[Any, Any] | None:
        """Return ``value`` if it is a mapping, else report it and return None."""
        if isinstance(value, dict):
            return value
        self.add(path, f"{what} must be a mapping of fields, not {kind(value)}")
        return None

    def items(self, obj: dict[Any, Any], name: str, path: Path) -> list[Any]:
        """Return the list at ``obj[name]``; a missing list is empty (validate() may object)."""
        value = obj.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add((*path, name), f"{_where(path, name)} must be a list, not {kind(value)}")
            return []
        return value

    def text(self, obj: dict[Any, Any], name: str, path: Path, *, required: bool = False) -> str:
        """Return the stripped text at ``obj[name]``; numbers are accepted as text."""
        value = obj.get(name)
        if value is None or value == "":
            if required:
                self.add(path, f"{_where(path, name)} is required and must not be empty")
            return ""
        return self.scalar_text(value, (*path, name), _where(path, name), required=required)

    def scalar_text(self, value: Any, path: Path, what: str, *, required: bool = False) -> str:
        """Return ``value`` as stripped text, reporting lists, mappings and true/false."""
        if isinstance(value, str):
            text = value.strip()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
        else:
            hint = " (put it in quotes)" if isinstance(value, bool) else ""
            self.add(path, f"{what} must be text, not {kind(value)}{hint}")
            return ""
        if required and not text:
            self.add(path, f"{what} must not be empty")
        return text

    def number(self, obj: dict[Any, Any], name: str, path: Path) -> float | None:
        """Return the finite number at ``obj[name]``, or None if absent or invalid."""
        value = obj.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add((*path, name), f"{_where(path, name)} must be a number, not {kind(value)}")
            return None
        if not math.isfinite(value):
            self.add((*path, name), f"{_where(path, name)} must be a finite number")
            return None
        return float(value)

    def strings(self, obj: dict[Any, Any], name: str, path: Path) -> tuple[str, ...]:
        """Return the list of non-empty texts at ``obj[name]``."""
        out = []
        for i, item in enumerate(self.items(obj, name, path)):
            text = self.scalar_text(item, (*path, name, i), f"{_where(path, name)} item {i + 1}")
            if text:
                out.append(text)
        return tuple(out)

    def unknown_keys(
        self, obj: dict[Any, Any], allowed: Iterable[str], path: Path, what: str
    ) -> None:
        """Report keys of ``obj`` outside ``allowed``: they are usually typos."""
        allowed = tuple(allowed)
        for key in obj:
            if key not in allowed:
                self.add(
                    (*path, key) if isinstance(key, str) else path,
                    f"unknown field {show(key)} in {what} (expected one of: {', '.join(allowed)})",
                )


def _where(path: Path, name: str) -> str:
    """Describe ``path + name`` for a message, e.g. ``competencies[3].title``."""
    parts = ""
    for p in (*path, name):
        parts += f"[{p + 1}]" if isinstance(p, int) else f".{p}" if parts else p
    return f"'{parts}'"
