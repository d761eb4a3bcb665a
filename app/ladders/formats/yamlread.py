"""Load YAML safely, remembering on which line every value sits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.ladders import limits
from app.ladders.formats.errors import LadderFormatError, Problem, Problems

# libyaml's composer recurses in C and crashes the interpreter on very deep nesting, so the
# event stream is checked first; no real ladder nests anywhere near this deep.
MAX_DEPTH = 64
Path = tuple[str | int, ...]

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader with YAML 1.2 scalars: ``no``, ``on``, dates stay text, as people mean them."""


_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# YAML 1.1 reads `key: no` (Norway, or a scale step) as false; YAML 1.2 only knows true/false.
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    + ([(_BOOL, _BOOL_12)] if first in "tTfF" else [])
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_constructor(_TIMESTAMP, _Base.construct_yaml_str)


@dataclass(frozen=True)
class YamlDoc:
    """A loaded YAML document: its data, the file line of each path, and soft problems."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=Problems)
    warnings: list[Problem] = field(default_factory=list)


# Re-reading a file after each TAB fixed costs a parse each: at most this many bytes in all.
_TAB_BUDGET = 20 * 1024 * 1024
_DASHES = re.compile(r"^ *(?:-[ \t]+)*-[ \t]*$")


def load_yaml(text: str, *, file: str, line_offset: int = 0) -> YamlDoc:
    """Parse ``text``; raise LadderFormatError naming the file line of a syntax error.

    YAML 1.2 allows a TAB as the separation after a sequence dash (``-\tvalue``, spec 6.2,
    "Separation Spaces"), as js-yaml and so Monzo's site read it; PyYAML follows YAML 1.1
    there. Where the scanner stops on such a TAB, and only there (so never inside a block
    scalar, whose TABs are text), the TAB is read as a space and the file parsed again. Lines
    and columns stay the same, so every problem still points at the right place.
    """
    warnings: list[Problem] = []
    budget = _TAB_BUDGET
    while True:
        try:
            node, data = _load(text, file, line_offset)
            break
        except yaml.MarkedYAMLError as exc:
            fixed = _tab_after_dash(text, exc)
            budget -= len(text)
            if fixed is None or budget < 0:
                raise LadderFormatError([_syntax_problem(exc, text, file, line_offset)]) from None
            line = exc.problem_mark.line + 1 + line_offset
            msg = "a TAB after '-' was read as a space, as YAML 1.2 allows"
            warnings.append(Problem(file, line, msg))
            text = fixed
    if node is None:
        return YamlDoc(None, warnings=warnings)
    lines: dict[Path, int] = {}
    problems = Problems()
    _index(node, lines, problems, file, line_offset)
    return YamlDoc(data, lines, problems, warnings)


def _tab_after_dash(text: str, exc: yaml.MarkedYAMLError) -> str | None:
    """Return ``text`` with the TAB the scanner stopped on made a space, if it follows a
    sequence dash at the start of its line; else None."""
    mark = exc.problem_mark
    if mark is None or exc.context != "while scanning for the next token":
        return None
    # libyaml's index counts bytes, its line and column characters: find the line itself.
    start = 0
    for _ in range(mark.line):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    at = start + mark.column
    if text[at : at + 1] != "\t" or not _DASHES.match(text[start:at]):
        return None
    return text[:at] + " " + text[at + 1 :]


def _load(text: str, file: str, line_offset: int) -> tuple[yaml.Node | None, Any]:
    try:
        _check_shape(text, file, line_offset)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        return node, data
    except yaml.MarkedYAMLError:
        raise  # the caller may fix a TAB and try again
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1 + line_offset
        msg = f"invalid YAML: character {exc.character!r} is not allowed in YAML"
        raise LadderFormatError([Problem(file, line, msg)]) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # Explicit tags such as ``!!int abc`` fail while building the value, without a mark.
        msg = f"invalid YAML: {_one_line(str(exc)) or type(exc).__name__}"
        raise LadderFormatError([Problem(file, None, msg)]) from None


def _check_shape(text: str, file: str, offset: int) -> None:
    """Refuse, from the event stream and before anything is built, a document that nests too
    deep or that expands, aliases repeated, past the text or node limits of a ladder.

    Reading stops at the first event past a limit, so a hostile file costs no more than a
    ladder of the largest accepted size.
    """
    chars = nodes = 0
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (chars, nodes) of its value, expanded
    open_: list[tuple[str | None, int, int]] = []  # collections being read: anchor, start sizes
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.ScalarEvent):
            chars, nodes = chars + len(event.value), nodes + 1
            if event.anchor:
                sizes[event.anchor] = (len(event.value), 1)
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _, _ in open_):
                _refuse(file, event, offset, f"the alias *{event.anchor[:40]} contains itself")
            more_chars, more_nodes = sizes.get(event.anchor, (0, 0))  # unknown: composer says
            chars, nodes = chars + more_chars, nodes + more_nodes
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep",
                    problem_mark=event.start_mark,
                )
            nodes += 1
            open_.append((event.anchor, chars, nodes - 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start_chars, start_nodes = open_.pop()
            if anchor:
                sizes[anchor] = (chars - start_chars, nodes - start_nodes)
        else:
            continue
        if chars > limits.TEXT:
            _refuse(
                file,
                event,
                offset,
                f"the YAML holds more than {limits.TEXT:,} characters of text once its aliases "
                "are expanded, the most a ladder may hold",
            )
        if nodes > limits.NODES:
            _refuse(
                file,
                event,
                offset,
                f"the YAML holds more than {limits.NODES:,} values once its aliases are "
                "expanded, the most a ladder file may hold",
            )


def _refuse(file: str, event: yaml.Event, offset: int, message: str) -> None:
    line = event.start_mark.line + 1 + offset if event.start_mark else None
    raise LadderFormatError([Problem(file, line, message)])


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str, offset: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Problem(file, None, f"invalid YAML: {_one_line(exc.problem or str(exc))}")
    lines = text.split("\n")
    src = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    # Tabs are the classic YAML mistake, and libyaml's message does not even name the character.
    if 0 <= mark.column < len(src) and src[mark.column] == "\t":
        msg = (
            f"invalid YAML: a TAB character at column {mark.column + 1}; "
            "YAML does not allow tabs here, indent with spaces"
        )
    else:
        what = _one_line(exc.problem or "syntax error")
        if exc.context:
            what = f"{what} ({_one_line(exc.context)})"
        msg = f"invalid YAML: {what} at column {mark.column + 1}"
    # problem_mark.line is 0-based within ``text``; editors count from 1 within the file.
    return Problem(file, mark.line + 1 + offset, msg)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _index(
    root: yaml.Node, lines: dict[Path, int], problems: list[Problem], file: str, offset: int
) -> None:
    """Record the file line of every path; report keys repeated within one mapping."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        # A mapping key's own line was recorded already; it reads better than its value's.
        lines.setdefault(path, node.start_mark.line + 1 + offset)
        # Aliases share nodes; visiting each node once keeps "billion laughs" files cheap.
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, i)) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    continue
                key = key_node.value
                line = key_node.start_mark.line + 1 + offset
                if key in first_line:
                    msg = f"key {key[:40]!r} is repeated (first on line {first_line[key]})"
                    problems.append(Problem(file, line, msg))
                    continue
                first_line[key] = line
                lines[(*path, key)] = line
                if isinstance(value_node, yaml.ScalarNode):
                    continue
                stack.append((value_node, (*path, key)))


def carry(
    lines: dict[Path, int], out: dict[Path, int], src: Path, dst: Path, fields: dict[str, str]
) -> None:
    """Copy the lines of an item and of its ``fields`` (file name -> spec name) to spec paths."""
    if src in lines:
        out[dst] = lines[src]
    for name, spec_name in fields.items():
        if (*src, name) in lines:
            out[(*dst, spec_name)] = lines[(*src, name)]


def line_of(lines: dict[Path, int], *path: str | int) -> int | None:
    """Return the line of ``path``, or of its nearest recorded parent."""
    p: Path = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get(())
