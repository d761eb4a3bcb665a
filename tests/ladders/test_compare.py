"""Compare two levels: the selects show the pair the heading names, whichever order."""

from __future__ import annotations

import pytest
from helpers import selected_options


@pytest.fixture
def default_ladder(runner):
    assert runner.invoke(args=["ladder", "load-default"]).exit_code == 0


@pytest.mark.parametrize(
    ("query", "lower", "upper"),
    [
        ("from=engineer-1&to=staff", "engineer-1", "staff"),
        ("from=staff&to=engineer-1", "engineer-1", "staff"),
    ],
)
def test_reversed_levels_are_compared_and_selected_in_order(
    client, as_role, default_ladder, query, lower, upper
):
    as_role("engineer")
    html = client.get(f"/ladders/engineering/compare?track=ic&{query}").get_data(as_text=True)
    assert "What changes from Engineer I to Staff Engineer" in html
    assert selected_options(html, "from") == [lower]
    assert selected_options(html, "to") == [upper]
