"""Limits of a ladder: expanded YAML, bounded import cost, and the sizes the database holds."""

from __future__ import annotations

import io
import time
from dataclasses import replace

import pytest
from helpers import open_rubric, rate, sign_in, small_ladder

from app.extensions import db
from app.ladders import limits, store
from app.ladders.formats import LadderFormatError, export_rungs, parse
from app.ladders.formats.errors import MAX_PROBLEMS
from app.ladders.spec import ScaleStep


def refused(data: bytes, filename: str) -> list:
    with pytest.raises(LadderFormatError) as caught:
        parse(data, filename=filename)
    return caught.value.problems


def alias_bomb(references: int, size: int) -> bytes:
    """A valid rungs file whose one example is anchored once and referenced many times."""
    head = export_rungs(small_ladder()).split("competencies:\n")[0]
    return (
        f"{head}competencies:\n"
        "  - key: big\n    title: Big\n    level: junior\n    category: code\n"
        f"    examples:\n      - &text {'x' * size}\n" + "      - *text\n" * references
    ).encode()


def test_aliases_expanding_past_the_text_limit_are_refused_fast():
    data = alias_bomb(300, 2**20 - 1000)  # a 1 MiB file that expands to 300 MiB
    assert len(data) < 2**20 + 10_000
    started = time.perf_counter()
    [problem] = refused(data, "bomb.yml")
    assert time.perf_counter() - started < 2
    assert "once its aliases are expanded" in problem.message
    assert f"{limits.TEXT:,} characters" in problem.message
    assert problem.line is not None


def test_aliases_within_the_limit_still_work():
    spec = parse(alias_bomb(3, 20), filename="fine.yml")
    assert spec.competencies[-1].examples == ("x" * 20,) * 4


def test_an_alias_inside_itself_is_refused():
    data = export_rungs(small_ladder()).replace("examples:\n", "examples: &loop\n  - *loop\n", 1)
    assert any("contains itself" in p.message for p in refused(data.encode(), "loop.yml"))


def test_a_million_empty_items_are_refused_in_bounded_time():
    data = b"rungs: 1\nname: Empty\ncompetencies:\n" + b"- \n" * 1_200_000
    started = time.perf_counter()
    problems = refused(data, "empty.yml")
    assert time.perf_counter() - started < 3
    assert len(problems) <= MAX_PROBLEMS + 1
    assert any(f"{limits.NODES:,} values" in p.message for p in problems)


def test_problems_stop_the_reading_once_past_the_cap():
    rows = b"L1,Craft\n" * 500_000  # 4.5 MB of rows without a competency cell
    started = time.perf_counter()
    problems = refused(b"level,category,competency\n" + rows, "rows.csv")
    assert time.perf_counter() - started < 2
    assert len(problems) == MAX_PROBLEMS + 1


def test_a_header_of_many_repeated_columns_costs_linear_time():
    header = ",".join(["level"] * 50_000 + ["category", "competency"])
    started = time.perf_counter()
    [problem] = refused(f"{header}\nL1,Craft,A\n".encode(), "wide.csv")
    assert time.perf_counter() - started < 2
    assert problem.message == "column 'level' appears more than once"


def name_of(n: int) -> str:
    return ("Level " + "x" * n)[:n]


def test_names_longer_than_the_column_are_refused():
    spec = small_ladder()
    long_level = replace(spec.levels[0], name=name_of(limits.NAME + 1))
    data = export_rungs(replace(spec, name=name_of(limits.NAME + 1), levels=(long_level,)))
    messages = [p.message for p in refused(data.encode(), "long.yml")]
    assert f"the ladder name is {limits.NAME + 1} characters long; the limit is 200" in messages
    assert any("the name of level 'junior' is 201 characters long" in m for m in messages)


def test_scale_keys_longer_than_the_rating_column_are_refused():
    steps = (ScaleStep("k" * (limits.SCALE_KEY + 1), "No", 0.0), ScaleStep("yes", "Yes", 1.0))
    data = export_rungs(replace(small_ladder(), scale=steps))
    [problem] = refused(data.encode(), "scale.yml")
    assert problem.message == f"scale key '{'k' * 49}…' is longer than 50 characters"


def test_store_refuses_a_ladder_past_the_limits(app):
    spec = replace(small_ladder(), name=name_of(limits.NAME + 1))
    with app.app_context(), pytest.raises(LadderFormatError):
        store.save(spec)


def test_the_longest_accepted_values_fit_the_database(app, client, people, as_role):
    """Names of exactly limits.NAME and scale keys of limits.SCALE_KEY characters: the file
    is accepted, applied through the import page, and ratings with the long key are saved
    (PostgreSQL enforces VARCHAR lengths; this is where a mismatch would answer 500)."""
    spec = small_ladder()
    long_key = "k" * limits.SCALE_KEY
    spec = replace(
        spec,
        name=name_of(limits.NAME),
        levels=tuple(
            replace(lv, name=name_of(limits.NAME)[:-1] + str(i)) for i, lv in enumerate(spec.levels)
        ),
        scale=(ScaleStep("no", "No", 0.0), ScaleStep(long_key, "Yes", 1.0)),
    )
    as_role("admin")
    data = export_rungs(spec).encode()
    preview = client.post(
        "/ladders/import",
        data={"file": (io.BytesIO(data), "small.yml")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, preview.get_data(as_text=True)
    token = preview.get_data(as_text=True).split('action="/ladders/import/')[1].split('"')[0]
    assert client.post(f"/ladders/import/{token}").status_code == 303
    engineer = app.test_client()
    sign_in(engineer, people.engineer)
    rubric_id, _ = open_rubric(engineer)
    with app.app_context():
        competency_id = next(iter(store.stored(store.by_key("small")).competency_ids.values()))
        db.session.remove()
    assert rate(engineer, rubric_id, competency_id, long_key).status_code == 200


def test_markdown_past_its_line_limit_is_refused_before_parsing():
    data = ("# Big\n## Level 1\n" + "- x\n" * (limits.MARKDOWN_LINES + 1)).encode()
    started = time.perf_counter()
    [problem] = refused(data, "big.md")
    assert time.perf_counter() - started < 1
    assert f"at most {limits.MARKDOWN_LINES:,} lines" in problem.message


def test_markdown_at_its_line_limit_is_read_in_a_few_seconds():
    head = "# Big\n\n## Level 1\n\n### Craft\n\n"
    body = "".join(f"- Competency {i}\n  - an example of it\n" for i in range(4000))
    body += "| a | b |\n|---|---|\n" + "| x | y |\n" * (limits.MARKDOWN_LINES - 8008 - 10)
    started = time.perf_counter()
    spec = parse((head + body).encode(), filename="big.md")
    assert time.perf_counter() - started < 15
    assert len(spec.competencies) == 4000


def test_a_name_too_long_for_its_column_is_refused_by_the_preview(app, client, as_role):
    """On PostgreSQL the apply step used to answer 500; the preview now refuses the file."""
    from app.ladders.models import Ladder

    spec = small_ladder()
    long_level = replace(spec.levels[0], name=name_of(limits.NAME + 1))
    data = export_rungs(replace(spec, levels=(long_level, *spec.levels[1:]))).encode()
    as_role("admin")
    response = client.post(
        "/ladders/import",
        data={"file": (io.BytesIO(data), "small.yml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "is 201 characters long; the limit is 200" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Ladder).count() == 0
