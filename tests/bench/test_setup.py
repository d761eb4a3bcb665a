"""The bench's own setup writes what it measures: a ladder it imports can be opened by key."""

from __future__ import annotations

from app.ladders import store
from bench import importing, paint


def test_the_monzo_ladder_the_bench_clicks_on_is_saved(app):
    key = paint.load_ladder(app)
    with app.app_context():
        assert store.by_key(key) is not None


def test_the_imports_the_bench_times_are_saved(app, monkeypatch, tmp_path):
    monkeypatch.setattr(importing, "OUT", tmp_path)
    monkeypatch.setattr(importing, "SIZES", (20,))
    timings = importing.measure(app)
    assert list(timings) == [20]
    with app.app_context():
        assert store.by_key("import20") is not None
