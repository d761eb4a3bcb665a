"""The ladder flag `no_opportunity: true`: read, validated, stored and written back."""

from __future__ import annotations

import pytest
from helpers import small_ladder

from app.extensions import db
from app.ladders import store
from app.ladders.formats import LadderFormatError, export_rungs, parse
from app.ladders.spec import NO_OPPORTUNITY, ScaleStep

LADDER = """rungs: 1
key: hiring
name: Hiring
no_opportunity: {flag}
scale:
  - {{key: {key}, label: Not yet, value: 0}}
  - {{key: done, label: Done, value: 1}}
tracks:
  - {{key: ic, name: IC, levels: [one]}}
levels:
  - {{key: one, name: One}}
categories:
  - {{key: people, name: People}}
competencies:
  - {{key: hire, title: Hires well, level: one, category: people}}
"""


def read(flag="true", key="not-yet"):
    return parse(LADDER.format(flag=flag, key=key).encode(), filename="hiring.yml")


def test_the_flag_offers_one_more_choice_after_the_scale():
    spec = read()
    assert spec.no_opportunity
    assert [s.key for s in spec.scale] == ["not-yet", "done"]  # the valued steps only
    assert [s.key for s in spec.scale.choices] == ["not-yet", "done", "no-opportunity"]
    assert spec.scale.has("no-opportunity") and not spec.scale.demonstrated("no-opportunity")
    assert spec.scale.label("no-opportunity") == "No opportunity yet"


def test_without_the_flag_there_is_no_such_choice():
    spec = read(flag="false")
    assert not spec.scale.has(NO_OPPORTUNITY.key)
    assert "no_opportunity" not in export_rungs(spec)


def test_export_import_export_keeps_the_flag():
    first = export_rungs(read())
    assert "\nno_opportunity: true\n" in first
    assert export_rungs(parse(first.encode(), filename="again.yml")) == first


@pytest.mark.parametrize("flag", ['"yes"', "1", "[true]"])
def test_the_validator_wants_true_or_false(flag):
    with pytest.raises(LadderFormatError) as caught:
        read(flag=flag)
    assert any("no_opportunity must be true or false" in p.message for p in caught.value.problems)


def test_the_validator_refuses_a_scale_step_with_the_key_the_flag_adds():
    with pytest.raises(LadderFormatError) as caught:
        read(key="no-opportunity")
    assert any("the one no_opportunity adds" in p.message for p in caught.value.problems)


def test_the_store_keeps_the_flag(app):
    from dataclasses import replace

    with app.app_context():
        store.save(replace(small_ladder(), no_opportunity=True))
        db.session.commit()
        spec = store.stored(store.by_key("small")).spec
        assert spec.no_opportunity and spec.scale.has(NO_OPPORTUNITY.key)
        store.save(replace(small_ladder(), scale=(ScaleStep("done", "Done", 1.0),)))
        db.session.commit()
        assert not store.stored(store.by_key("small")).spec.scale.has(NO_OPPORTUNITY.key)
