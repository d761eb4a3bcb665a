"""The rubric page: ratings recompute level, progress and gaps in place; budgets; access."""

from __future__ import annotations

import math

import pytest
from helpers import HX, counting_sql, open_rubric, rate, selected_options, sign_in, small_ladder
from sqlalchemy import select

from app.extensions import db
from app.history.models import Event
from app.ladders import store
from app.ladders.synthetic import ladder as synthetic_ladder
from app.rubric.models import Rating


@pytest.fixture
def ladder(app):
    """Store the small ladder and return its competency ids by key."""
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        stored = store.stored(store.by_key("small"))
        return dict(stored.competency_ids)


def test_engineer_lands_on_their_rubric_up_to_the_target(client, as_role, ladder):
    as_role("engineer")
    rubric_id, html = open_rubric(client)
    assert "Your rubric" in html
    junior = {k: v for k, v in ladder.items() if "-junior-" in k}
    mid = {k: v for k, v in ladder.items() if "-mid-" in k}
    for cid in junior.values():
        assert f'id="c-{cid}"' in html
    # Each rating control is a radio group named by the competency's title.
    assert '<fieldset role="radiogroup"><legend>Code at Junior #1</legend>' in html
    assert html.count('type="radio"') == 3 * len(junior)
    assert 'aria-labelledby="gaps-heading"' in html and ">Next-level gaps</h2>" in html
    assert 'id="badge" class="badge" aria-live="polite"' in html
    assert "No level yet" in html
    # Levels above the target load when opened, by htmx or by a plain link.
    assert all(f'id="c-{cid}"' not in html for cid in mid.values())
    assert (
        f'href="/rubrics/{rubric_id}?open=mid#level-mid">Show the 4 competencies of Mid-level'
        in html
    )
    assert (
        f'hx-get="/rubrics/{rubric_id}/levels/mid" hx-trigger="toggle from:closest details once"'
        in html
    )
    fragment = client.get(f"/rubrics/{rubric_id}/levels/mid", headers=HX).get_data(as_text=True)
    assert fragment.startswith('<div class="level-body" id="lb-mid">')
    assert all(f'id="c-{cid}"' in fragment for cid in mid.values())
    opened = client.get(f"/rubrics/{rubric_id}?open=mid").get_data(as_text=True)
    assert all(f'id="c-{cid}"' in opened for cid in ladder.values())
    assert '<details class="level" id="level-mid" open>' in opened
    assert client.get(f"/rubrics/{rubric_id}/levels/nope", headers=HX).status_code == 404


def test_rating_recomputes_badge_progress_and_gaps_in_one_response(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    junior = [k for k in ladder if "-junior-" in k]
    for key in junior[:-1]:
        assert rate(client, rubric_id, ladder[key], "consistently").status_code == 200
    last = rate(client, rubric_id, ladder[junior[-1]], "consistently")
    html = last.get_data(as_text=True)
    assert last.status_code == 200
    assert html.startswith(f'<div id="h-{ladder[junior[-1]]}" class="head done" hx-target="this"')
    assert '<div id="badge" hx-swap-oob="innerHTML">' in html and "<strong>Junior</strong>" in html
    assert 'id="cat-team" hx-swap-oob="true"' in html
    assert '<div id="gaps-body" hx-swap-oob="innerHTML">' in html
    assert "4 to go for Mid-level" in html
    assert "<html" not in html  # a fragment, not a page
    assert last.headers["Vary"] and "HX-Request" in last.headers["Vary"]
    # The full page agrees.
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "<strong>Junior</strong>" in page and "4 to go for Mid-level" in page


def test_partial_rating_marks_gap_as_partly_and_moves_progress(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    html = rate(client, rubric_id, ladder["code-junior-1"], "sometimes").get_data(as_text=True)
    assert "25% of Junior" in html
    assert 'Code at Junior #1</a> <span class="tag">partly</span>' in html


def test_approaching_modifier(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    for key in [k for k in ladder if "-junior-" in k] + ["code-mid-1", "code-mid-2"]:
        html = rate(client, rubric_id, ladder[key], "consistently").get_data(as_text=True)
    assert "<strong>Junior, approaching Mid-level</strong>" in html


def test_without_javascript_save_redirects_back_to_the_competency(client, as_role, ladder):
    as_role("engineer")
    rubric_id, html = open_rubric(client)
    assert 'class="small nojs">Save</button>' in html
    cid = ladder["team-junior-2"]
    response = rate(client, rubric_id, cid, "consistently", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rubrics/{rubric_id}#c-{cid}")
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert f'id="r{cid}-consistently" name="step" value="consistently" checked' in page


def test_every_change_is_in_history(app, client, as_role, ladder):
    user = as_role("engineer")
    rubric_id, _ = open_rubric(client)
    cid = ladder["code-junior-1"]
    rate(client, rubric_id, cid, "sometimes")
    rate(client, rubric_id, cid, "consistently")
    rate(client, rubric_id, cid, "consistently")  # no change, no event
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.id)).all()
        assert [(e.kind, e.actor_id, e.before, e.after) for e in events] == [
            ("rating.self", user.id, {"step": None}, {"step": "sometimes"}),
            ("rating.self", user.id, {"step": "sometimes"}, {"step": "consistently"}),
        ]


def test_bad_step_and_wrong_ids(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    cid = ladder["code-junior-1"]
    assert rate(client, rubric_id, cid, "brilliant").status_code == 400
    assert rate(client, rubric_id, 999999, "sometimes").status_code == 404
    assert rate(client, 999999, cid, "sometimes").status_code == 404
    assert client.get("/rubrics/999999").status_code == 404


def test_track_and_target_switch_keeps_ratings(app, client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ladder["code-junior-1"], "consistently")
    response = client.post(f"/rubrics/{rubric_id}/settings", data={"track": "ic", "target": "mid"})
    assert response.status_code == 303
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert selected_options(page, "target") == ["mid"]
    assert "7 to go for Mid-level" in page  # gaps now count up to the chosen target
    with app.app_context():
        assert db.session.scalar(select(Rating.self_step)) == "consistently"


def test_focus_builds_a_growth_plan_of_at_most_five(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    ids = list(ladder.values())
    for cid in ids[:5]:
        html = client.post(
            f"/rubrics/{rubric_id}/focus/{cid}", data={"focus": "1"}, headers=HX
        ).get_data(as_text=True)
        assert (
            'aria-pressed="true"' in html and '<section id="plan" hx-swap-oob="innerHTML">' in html
        )
    refused = client.post(f"/rubrics/{rubric_id}/focus/{ids[5]}", data={"focus": "1"}, headers=HX)
    assert "You already focus on 5 competencies" in refused.get_data(as_text=True)
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    plan = page[page.index('id="plan-heading"') : page.index('id="find"')]
    assert plan.count("<li>") == 5
    client.post(f"/rubrics/{rubric_id}/focus/{ids[0]}", data={"focus": "0"})
    page = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    plan = page[page.index('id="plan-heading"') : page.index('id="find"')]
    assert plan.count("<li>") == 4


def test_only_gaps_filter(client, as_role, ladder):
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    rate(client, rubric_id, ladder["code-junior-1"], "consistently")
    page = client.get(f"/rubrics/{rubric_id}?only=gaps").get_data(as_text=True)
    assert f'id="c-{ladder["code-junior-1"]}"' not in page
    assert f'id="c-{ladder["code-junior-2"]}"' in page


def test_access_rules_for_rubrics(app, client, people, ladder):
    sign_in(client, people.other_engineer)
    other_rubric, _ = open_rubric(client)
    client.post("/logout")
    sign_in(client, people.engineer)
    mine, _ = open_rubric(client)
    cid = ladder["code-junior-1"]
    # Another engineer's rubric, its writes, and their person page: all 404.
    assert client.get(f"/rubrics/{other_rubric}").status_code == 404
    assert client.get(f"/people/{people.other_engineer.id}/rubric").status_code == 404
    assert rate(client, other_rubric, cid, "consistently").status_code == 404
    assert (
        client.post(f"/rubrics/{other_rubric}/focus/{cid}", data={"focus": "1"}).status_code == 404
    )
    assert client.post(f"/rubrics/{other_rubric}/settings", data={"track": "ic"}).status_code == 404
    assert client.get(f"/rubrics/{other_rubric}/competencies/{cid}/evidence").status_code == 404
    assert (
        client.post(
            f"/rubrics/{other_rubric}/competencies/{cid}/evidence",
            data={"body": "x", "day": "2026-01-01"},
        ).status_code
        == 404
    )
    client.post("/logout")
    # The engineer's manager sees and rates (as manager); another manager does not.
    sign_in(client, people.manager)
    assert client.get(f"/rubrics/{mine}").status_code == 200
    assert rate(client, mine, cid, "sometimes").status_code == 200
    assert client.get(f"/rubrics/{other_rubric}").status_code == 404
    client.post("/logout")
    # An admin may look, read-only.
    sign_in(client, people.admin)
    page = client.get(f"/rubrics/{mine}").get_data(as_text=True)
    assert "read-only" in page and '<fieldset role="radiogroup" disabled>' in page
    assert rate(client, mine, cid, "consistently").status_code == 404
    with app.app_context():
        row = db.session.scalar(
            select(Rating).where(Rating.competency_id == cid, Rating.rubric_id == mine)
        )
        assert (row.self_step, row.manager_step) == (None, "sometimes")


def every_rating_row(statement: str) -> bool:
    """Tell whether a statement reads the rating rows of a whole rubric."""
    return "FROM ratings" in statement and "ratings.competency_id =" not in statement


@pytest.mark.parametrize("size", [100, 2000])
@pytest.mark.parametrize("role", ["engineer", "manager"])
def test_rating_post_budget(app, client, people, size, role):
    """At most 4 SQL queries and under 4 KB, whatever the size of the ladder.

    The first click counts the kept standings from every row (one query more); each click
    after reads one rating row and the standings, and writes the row, the event and them.
    """
    with app.app_context():
        store.save(synthetic_ladder(size))
        db.session.commit()
        ids = list(store.stored(store.by_key("synthetic")).competency_ids.values())
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    if role == "manager":
        client.post("/logout")
        sign_in(client, people.manager)
    client.get(f"/rubrics/{rubric_id}")  # loads the ladder's shape into the cache once
    rate(client, rubric_id, ids[-1], "sometimes")  # counts the standings once
    with counting_sql(app) as counter:
        sizes = []
        for n, cid in enumerate(ids[:: max(1, size // 20)]):
            counter.statements.clear()
            response = rate(client, rubric_id, cid, ("sometimes", "consistently")[n % 2])
            assert response.status_code == 200
            assert len(counter.statements) <= 4, counter.statements
            assert not any(every_rating_row(s) for s in counter.statements), counter.statements
            sizes.append(len(response.get_data()))
    assert max(sizes) < 4096, max(sizes)


@pytest.mark.parametrize("size", [100, 2000])
def test_rubric_page_query_budget(app, client, people, size):
    """The whole rubric page costs at most 4 SQL statements, whatever the ladder's size.

    They are the rubric, with who else is here, the filter the viewer left the page with,
    both kept standings, the 1:1 under way, the day of the next one and the viewer's unread
    notifications; its rating rows; the 1:1 panel's agenda and its open action items.
    (Transaction control is not counted: tests/helpers.py.)
    """
    with app.app_context():
        store.save(synthetic_ladder(size))
        db.session.commit()
        ids = list(store.stored(store.by_key("synthetic")).competency_ids.values())
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    for n, cid in enumerate(ids[:: max(1, size // 30)]):
        rate(client, rubric_id, cid, ("sometimes", "consistently")[n % 2])
    with counting_sql(app) as counter:
        response = client.get(f"/rubrics/{rubric_id}?open=l6")  # the top level opened too
    assert response.status_code == 200
    assert f'id="c-{ids[-1]}"' in response.get_data(as_text=True)
    assert len(counter.statements) <= 4, counter.statements


@pytest.mark.parametrize("size", [100, 2000])
def test_level_moving_rating_stays_within_budget(app, client, people, size):
    """A click that moves a level also redraws the radar, still under 4 KB and 4 queries."""
    from app.rubric.models import Rating

    with app.app_context():
        store.save(synthetic_ladder(size))
        db.session.commit()
        spec = store.stored(store.by_key("synthetic"))
        first = [
            spec.competency_ids[c.key]
            for c in spec.spec.competencies
            if c.level == "l1" and c.category == "cat1"
        ]
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    # The synthetic ladder needs 80% of a cell: rate one short of that, then click the last.
    needed = math.ceil(0.8 * len(first))
    with app.app_context():
        for cid in first[: needed - 1]:
            db.session.add(Rating(rubric_id=rubric_id, competency_id=cid, self_step="consistently"))
        db.session.commit()
    client.get(f"/rubrics/{rubric_id}")
    rate(client, rubric_id, first[-1], "not-yet")  # counts the standings once
    with counting_sql(app) as counter:
        response = rate(client, rubric_id, first[needed - 1], "consistently")
    html = response.get_data(as_text=True)
    assert '<figure id="radar" hx-swap-oob="innerHTML">' in html  # the level did move
    assert len(counter.statements) <= 4, counter.statements
    assert len(response.get_data()) < 4096, len(response.get_data())


@pytest.fixture
def big_rubric(app, client, people):
    """The engineer's rubric on a 1,000-competency ladder, signed in; its ids by key."""
    with app.app_context():
        store.save(synthetic_ladder(1000))
        db.session.commit()
        stored = store.stored(store.by_key("synthetic"))
        spec, ids = stored.spec, dict(stored.competency_ids)
    sign_in(client, people.engineer)
    rubric_id, _ = open_rubric(client)
    return rubric_id, spec, ids


def test_a_big_rubric_page_opens_categories_on_demand(client, big_rubric):
    rubric_id, spec, ids = big_rubric
    page = client.get(f"/rubrics/{rubric_id}")
    html = page.get_data(as_text=True)
    assert len(page.get_data()) < 150_000, len(page.get_data())
    level, category = spec.competencies[0].level, spec.competencies[0].category
    cell = [c for c in spec.competencies if (c.level, c.category) == (level, category)]
    assert all(f'id="c-{ids[c.key]}"' not in html for c in cell)
    section = f"{level}-{category}"
    assert f'<details class="category" id="lc-{section}">' in html
    # Without JavaScript the link opens the whole level; with htmx the category loads alone.
    link = (
        f'href="/rubrics/{rubric_id}?open={level}#lc-{section}">Show the {len(cell)} competencies'
    )
    assert link in html
    url = f"/rubrics/{rubric_id}/levels/{level}/categories/{category}"
    assert f'hx-get="{url}" hx-trigger="toggle from:closest details once"' in html
    fragment = client.get(url, headers=HX).get_data(as_text=True)
    assert fragment.startswith(f'<div class="category-body" id="cb-{section}">')
    assert all(f'id="c-{ids[c.key]}"' in fragment for c in cell)
    opened = client.get(f"/rubrics/{rubric_id}?open={level}").get_data(as_text=True)
    assert all(f'id="c-{ids[c.key]}"' in opened for c in cell)


def test_a_big_rubric_page_reads_only_the_rows_it_lists(app, client, big_rubric):
    """With kept standings and no competency listed, the page reads the plan's rows only.

    Its summaries come from the standings, and they agree with the rows: opening a level
    lists each competency with its rating, read then.
    """
    rubric_id, spec, ids = big_rubric
    level, category = spec.competencies[0].level, spec.competencies[0].category
    cell = [c for c in spec.competencies if (c.level, c.category) == (level, category)]
    for c in cell[:3]:
        rate(client, rubric_id, ids[c.key], "consistently")
    rate(client, rubric_id, ids[cell[3].key], "not-yet")
    focus = client.post(f"/rubrics/{rubric_id}/focus/{ids[cell[4].key]}", data={"focus": "1"})
    assert focus.status_code == 303
    with counting_sql(app) as counter:
        html = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    reads = [s.rsplit("WHERE", 1)[1] for s in counter.statements if "FROM ratings" in s]
    assert len(reads) == 1 and "ratings.focus" in reads[0], reads  # the plan's rows
    summary = f"3 of {len(cell)} demonstrated"
    assert f'id="lc-{level}-{category}">\n      <summary><h3>' in html and summary in html
    assert f'<a href="#c-{ids[cell[4].key]}">{cell[4].title}</a>' in html  # the growth plan
    opened = client.get(f"/rubrics/{rubric_id}?open={level}").get_data(as_text=True)
    assert summary in opened
    for c, step in [(cell[0], "consistently"), (cell[3], "not-yet")]:
        assert f'id="r{ids[c.key]}-{step}" name="step" value="{step}" checked' in opened


def test_a_category_link_without_htmx_opens_its_level(client, big_rubric):
    rubric_id, spec, _ = big_rubric
    level, category = spec.competencies[0].level, spec.competencies[0].category
    response = client.get(f"/rubrics/{rubric_id}/levels/{level}/categories/{category}")
    assert response.status_code == 303
    assert response.location.endswith(f"/rubrics/{rubric_id}?open={level}#lc-{level}-{category}")


@pytest.mark.parametrize("where", ["nope/categories/cat1", "l1/categories/nope"])
def test_an_unknown_level_or_category_is_404(client, big_rubric, where):
    rubric_id, _, _ = big_rubric
    response = client.get(f"/rubrics/{rubric_id}/levels/{where}", headers=HX)
    assert response.status_code == 404
