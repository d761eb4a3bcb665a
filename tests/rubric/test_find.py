"""Finding one's way in a big rubric: a jump list, collapsible categories, a remembered filter."""

from __future__ import annotations

import dataclasses
import re

import pytest
from helpers import HX, open_rubric, rate, small_ladder

from app.extensions import db
from app.ladders import store


@pytest.fixture
def ladder(app):
    """Store the small ladder (Junior, Mid-level; Code, Teamwork) and return its ids by key."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        return dict(store.stored(store.by_key("small")).competency_ids)


def shown(html: str) -> set[int]:
    """The ids of the competencies on a page or fragment."""
    return {int(cid) for cid in re.findall(r'<article id="c-(\d+)" class="competency">', html)}


def jump_links(html: str) -> list[str]:
    """The addresses of the jump list's links, in order."""
    nav = re.search(r'<nav aria-label="Levels and categories" class="jump">(.*?)</nav>', html, re.S)
    assert nav, "no jump list"
    return re.findall(r'<a href="([^"]*)"', nav.group(1))


def ticked(html: str) -> list[str]:
    """The kinds ticked in the filter form, whatever the attribute order."""
    boxes = re.findall(r'<input [^>]*name="show"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', box).group(1) for box in boxes if " checked" in box]


def apply(client, rubric_id: int, htmx: bool = False, **fields):
    """Send the filter form as a browser would."""
    return client.post(f"/rubrics/{rubric_id}/filter", data=fields, headers=HX if htmx else {})


def test_the_jump_list_leads_to_every_level_and_category_on_the_page(client, as_role, ladder):
    as_role("engineer")
    _, html = open_rubric(client)
    links = jump_links(html)
    assert links[:3] == ["#level-junior", "#lc-junior-code", "#lc-junior-team"]
    # Mid-level is above the target, so it is not on the page yet: its categories open it.
    assert links[3] == "#level-mid"
    assert links[4].endswith("?open=mid#lc-mid-code")
    for anchor in links[:3]:
        assert f'id="{anchor[1:]}"' in html


def test_monzo_jump_list_names_all_six_levels_and_five_categories(client, as_role, monzo):
    as_role("engineer")
    _, html = open_rubric(client)
    links = jump_links(html)
    assert sum(link.startswith("#level-") for link in links) == 6
    assert len({link.rsplit("-", 1)[1] for link in links if "#lc-" in link}) == 5
    # Every level and category on the page is a place the jump list reaches.
    for anchor in (link for link in links if link.startswith("#")):
        assert f'id="{anchor[1:]}"' in html, anchor


def test_categories_open_and_close_without_javascript(client, as_role, ladder):
    as_role("engineer")
    _, html = open_rubric(client)
    assert '<details class="category" id="lc-junior-code" open>' in html
    summary = re.search(r'id="lc-junior-code" open>\s*<summary>(.*?)</summary>', html, re.S)
    assert summary and "0 of 2 demonstrated" in summary.group(1)


def test_a_text_filter_without_javascript_answers_with_its_own_address(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    response = apply(client, rubric_id, q="  teamwork  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/rubrics/{rubric_id}?q=teamwork#find"
    html = client.get(f"/rubrics/{rubric_id}?q=teamwork").get_data(as_text=True)
    team = {cid for key, cid in ladder.items() if key.startswith("team-")}
    assert shown(html) == team
    assert "Showing 4 of 8 competencies: with “teamwork”." in html
    assert 'value="teamwork"' in html  # the box shows what filters the page


def test_the_filter_is_remembered_when_the_page_is_opened_again(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    apply(client, rubric_id, q="#2", show=["unrated"])
    html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert shown(html) == {cid for key, cid in ladder.items() if key.endswith("-2")}
    assert ticked(html) == ["unrated"] and 'value="#2"' in html
    assert 'id="filter-clear"' in html


def test_clear_filter_forgets_it(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    apply(client, rubric_id, q="teamwork")
    response = apply(client, rubric_id, q="teamwork", clear="Clear filter")
    assert response.headers["Location"] == f"/rubrics/{rubric_id}#find"
    html = client.get(f"/rubrics/{rubric_id}?open=mid").get_data(as_text=True)
    assert shown(html) == set(ladder.values())
    assert 'id="filter-clear"' not in html and "Showing" not in html


def test_each_person_has_their_own_filter(client, as_role, people, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    apply(client, rubric_id, q="teamwork")
    client.post("/logout")
    as_role("manager")
    html = client.get(f"/rubrics/{rubric_id}?open=mid").get_data(as_text=True)
    assert shown(html) == set(ladder.values())


def test_htmx_filter_swaps_the_results_and_follows_in_the_address_bar(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    response = apply(client, rubric_id, htmx=True, q="code", show=["unrated"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('<nav aria-label="Levels and categories" class="jump">')
    assert shown(html) == {cid for key, cid in ladder.items() if key.startswith("code-")}
    assert (
        '<p id="filter-status" role="status" class="filter-status" hx-swap-oob="true">'
        "Showing 4 of 8 competencies: Unrated, with “code”.</p>" in html
    )
    assert 'id="filter"' not in html  # the form being typed in is left alone
    # but for its "Clear filter" button, which a filter brings
    assert (
        '<span id="filter-clear-slot" hx-swap-oob="true"><input class="link" id="filter-clear"'
        in html
    )
    assert response.headers["HX-Replace-Url"] == f"/rubrics/{rubric_id}?q=code&show=unrated"
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_clear_empties_the_form_too(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    apply(client, rubric_id, htmx=True, q="code")
    html = apply(client, rubric_id, htmx=True, q="code", clear="Clear filter").get_data(
        as_text=True
    )
    assert '<form id="filter"' in html and 'hx-swap-oob="true"' in html
    assert 'value="code"' not in html
    assert shown(html) == {cid for key, cid in ladder.items() if "-junior-" in key}


def test_a_filter_that_keeps_nothing_says_so(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    html = apply(client, rubric_id, htmx=True, q="no such words").get_data(as_text=True)
    assert "No competency matches this filter." in html
    assert "Showing 0 of 8 competencies" in html


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "unrated",
            {
                "code-mid-1",
                "code-mid-2",
                "team-junior-1",
                "team-junior-2",
                "team-mid-1",
                "team-mid-2",
            },
        ),
        ("gaps", {"code-junior-2", "team-junior-1", "team-junior-2"}),
        ("disagree", {"code-junior-1"}),
        ("focus", {"code-junior-2"}),
    ],
)
def test_each_kind_keeps_what_it_names(client, as_role, people, ladder, kind, expected):
    as_role("manager")
    rubric_id = int(
        client.get(f"/people/{people.engineer.id}/rubric").headers["Location"].rsplit("/", 1)[1]
    )
    rate(client, rubric_id, ladder["code-junior-1"], "sometimes")
    client.post("/logout")
    as_role("engineer")
    rate(client, rubric_id, ladder["code-junior-1"], "consistently")
    rate(client, rubric_id, ladder["code-junior-2"], "sometimes")
    client.post(f"/rubrics/{rubric_id}/focus/{ladder['code-junior-2']}", data={"focus": "1"})
    html = client.get(f"/rubrics/{rubric_id}?show={kind}").get_data(as_text=True)
    assert shown(html) == {ladder[key] for key in expected}


def test_kinds_combine_each_narrowing_the_rest(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ladder["code-junior-1"], "sometimes")
    html = client.get(f"/rubrics/{rubric_id}?show=gaps&show=unrated&q=code").get_data(as_text=True)
    assert shown(html) == {ladder["code-junior-2"]}


def test_an_unknown_kind_is_ignored(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    html = client.get(f"/rubrics/{rubric_id}?show=nope&open=mid").get_data(as_text=True)
    assert shown(html) == set(ladder.values())


def test_wording_changed_keeps_the_ratings_given_before_a_rewording(app, client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ladder["code-junior-1"], "consistently")
    rate(client, rubric_id, ladder["code-junior-2"], "consistently")
    with app.app_context():
        reworded = dataclasses.replace(small_ladder().competencies[0], title="New words")
        spec = small_ladder()
        store.save(dataclasses.replace(spec, competencies=(reworded, *spec.competencies[1:])))
        db.session.commit()
    html = client.get(f"/rubrics/{rubric_id}?show=changed&open=mid").get_data(as_text=True)
    assert shown(html) == {ladder["code-junior-1"]}


def test_a_tampered_long_text_is_refused(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    assert apply(client, rubric_id, q="x" * 201).status_code == 400


def test_monzo_unrated_filter_with_text_counts_what_it_shows(client, as_role, monzo):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    html = apply(client, rubric_id, htmx=True, q="incident", show=["unrated"]).get_data(
        as_text=True
    )
    count = re.search(r"Showing (\d+) of (\d+) competencies", html)
    assert count and int(count.group(1)) == len(shown(html)) > 0
    assert count.group(2) == "135"


def test_a_past_day_shows_a_filter_from_its_address_but_offers_no_form(client, as_role, ladder):
    from datetime import date

    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    day = date.today().isoformat()
    html = client.get(f"/rubrics/{rubric_id}/as-of?date={day}&q=teamwork").get_data(as_text=True)
    assert shown(html) == {cid for key, cid in ladder.items() if key.startswith("team-")}
    assert 'id="filter"' not in html and "read-only" in html
