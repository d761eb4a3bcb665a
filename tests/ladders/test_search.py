"""Searching a ladder matches the words typed as text, whatever they hold."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import small_ladder

from app.extensions import db
from app.ladders import store


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("' OR 1=1 --", "Reads ' OR 1=1 -- in a log and knows it for an attack"),
        ("%_", "Keeps 100%_ of the build green"),
        ('"; DROP TABLE users; --', 'Spots "; DROP TABLE users; -- in a review'),
    ],
)
def test_search_text_is_data_not_sql(app, client, as_role, query, title):
    # The query matches as plain text: exactly the competency that contains it, not every
    # one (as a quote breaking out of SQL or a LIKE wildcard would), and no error.
    spec = small_ladder()
    first = replace(spec.competencies[0], title=title)
    with app.app_context():
        store.save(replace(spec, competencies=(first, *spec.competencies[1:])))
        db.session.commit()
    as_role("engineer")
    response = client.get("/ladders/small", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 competency match “" in html
