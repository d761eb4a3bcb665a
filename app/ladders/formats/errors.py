"""Problems found in a ladder file, and the error that carries them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# A garbage file can yield a problem per line; past this many, more of them help nobody.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a ladder file, located as precisely as the format allows."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class Problems(list[Problem]):
    """The problems of one file, as a list that stops the reading once it is full.

    Past MAX_PROBLEMS, appending raises LadderFormatError: a garbage file then costs the
    same as one with MAX_PROBLEMS mistakes, however long it is.
    """

    def append(self, problem: Problem) -> None:
        super().append(problem)
        if len(self) > MAX_PROBLEMS:
            raise LadderFormatError(self)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)


class LadderFormatError(Exception):
    """A ladder file could not be read; ``problems`` lists everything found wrong."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = capped(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def capped(problems: Iterable[Problem]) -> list[Problem]:
    """Return the problems sorted by line, cut to MAX_PROBLEMS with a note saying so."""
    found = list(problems)
    # Stable sort: problems without a line (file-wide ones) come first, in the order found.
    found.sort(key=lambda p: -1 if p.line is None else p.line)
    if len(found) <= MAX_PROBLEMS:
        return found
    last = found[MAX_PROBLEMS - 1]
    note = Problem(
        last.file,
        None,
        f"... and more: Rungs stops reading a file after {MAX_PROBLEMS} problems; "
        "fix these and try again",
    )
    return [*found[:MAX_PROBLEMS], note]


def fail_if(problems: list[Problem]) -> None:
    """Raise LadderFormatError when any problem was found."""
    if problems:
        raise LadderFormatError(problems)
