"""Fixtures of the rubric tests: a real ladder of 135 competencies from ../shared/ladders."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ladders"


@pytest.fixture
def monzo(runner):
    """Import the Monzo backend ladder with the CLI, as an admin would."""
    if not SHARED.is_dir():
        pytest.skip("shared/ladders is not beside the repo")
    result = runner.invoke(args=["ladder", "import", str(SHARED / "monzo-backend.md")])
    assert result.exit_code == 0, result.output
