"""Odd values where ids and query parameters go: not found or ignored, never a server error."""

from __future__ import annotations

from helpers import small_ladder

from app.extensions import db
from app.ladders import store


def test_ids_too_big_for_the_database_are_404_not_500(client, as_role):
    """Ids past 64 bits name no row: the answer is 'not found', in the path or the query."""
    as_role("admin")
    huge = "99999999999999999999"
    for path in (
        f"/rubrics/{huge}",
        f"/people/{huge}/rubric",
        f"/1on1s/{huge}",
        f"/rubrics/{huge}/live?since=1",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/admin/users/{huge}/deactivate").status_code == 404


def test_odd_query_values_are_ignored_not_500(app, client, as_role, people):
    from helpers import open_rubric

    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    huge = "99999999999999999999"
    assert client.get(f"/rubrics/{rubric_id}/history?person={huge}").status_code == 200
    assert client.get(f"/rubrics/{rubric_id}/live?since={huge}&seen=x").status_code in (200, 204)
    assert client.get(f"/rubrics/{rubric_id}/as-of?date=9999-12-31").status_code == 400
