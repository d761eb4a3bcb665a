"""A real ladder whose Leadership starts at level 3 (Monzo backend): no level from nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import open_rubric

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ladders"

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/ladders is not beside the repo")


def category_line(html: str, key: str) -> str:
    """The text of one category's line in "By category"."""
    match = re.search(rf'<li id="cat-{key}"[^>]*>(.*?)</li>', html, re.S)
    assert match, f"no line for {key}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_a_category_that_starts_at_level_3_shows_no_level_with_nothing_rated(
    client, as_role, monzo
):
    as_role("engineer")
    _, html = open_rubric(client)
    assert "Level 2" not in category_line(html, "leadership")
    assert "No level yet" in category_line(html, "leadership")


def test_the_radar_table_draws_no_level_for_leadership(client, as_role, monzo):
    as_role("engineer")
    _, html = open_rubric(client)
    row = re.search(r'<th scope="row">Leadership</th><td>([^<]*)</td>', html)
    assert row and row.group(1) == "No level yet"


def test_the_team_heatmap_leaves_leadership_blank(client, as_role, people, monzo):
    as_role("engineer")
    open_rubric(client)
    client.post("/logout")
    as_role("manager")
    html = client.get("/team/overview").get_data(as_text=True)
    row = re.search(r">Eli Engineer</a></th>(.*?)</tr>", html, re.S)
    assert row, html
    cells = re.findall(r'<td class="heat heat-(\d+)">([^<]*)</td>', row.group(1))
    assert cells == [("0", "–")] * 5


def competencies_shown(html: str) -> int:
    return len(re.findall(r'<article id="c-\d+" class="competency">', html))


def test_show_all_open_competencies_lists_as_many_as_it_says(client, as_role, monzo):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    saved = client.post(
        f"/rubrics/{rubric_id}/settings", data={"track": "main", "target": "level-3"}
    )
    assert saved.status_code == 303
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    link = re.search(r'href="([^"]*show=gaps[^"]*)">Show all (\d+) open competencies', html)
    assert link and link.group(2) == "55"  # everything of levels 1 to 3
    gaps = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert competencies_shown(gaps) == 55
    # Levels above the target are not listed under "only gaps".
    assert 'id="level-level-4"' not in gaps and 'id="level-level-3"' in gaps
