"""Ids no column can hold, or written in other scripts' digits, are 404 on every route.

PostgreSQL's INTEGER holds up to 2**31-1: a bigger id sent to it fails the whole request.
Each route is requested, GET and POST, as an admin and as an engineer, once with every id
in its path too big, and once with its real objects but every id in its query and form too
big (``?before=``, ``version``, ``owner``, a manager's id...).
"""

from __future__ import annotations

import pytest
from helpers import HX, fill, id_parameters, routes, sign_in

TOO_BIG = (2**31, 2**63 - 1)
# Every name under which a view reads an id (or a count) from the query or the form.
ID_FIELDS = ("before", "person", "since", "version", "owner", "manager", "page")
# What a form needs besides its ids to get as far as reading them.
FORM_TEXT = {
    "notes": "Talked about tests.",
    "text": "Pair on the billing tests.",
    "email": "big.id@example.com",
    "name": "Big Id",
    "role": "engineer",
    "step": "consistently",
    "body": "Shipped it.",
    "day": "2026-11-20",
    "date": "2026-11-20",
    "comment": "Ready.",
}
# Routes that end what later routes need go last: the evidence, the 1:1, the person, the
# session (by path: endpoint names change as features move).
LAST = ("/delete", "/end", "/deactivate", "/logout")
NATIVE_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # Arabic-Indic
WIDE_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")  # full-width


def walk_order(rule):
    ends = [n for n, tail in enumerate(LAST) if rule.rule.endswith(tail)]
    return (bool(ends), ends[0] if ends else 0)


def real_ids(objects, role: str, people) -> dict[str, int]:
    ids = dict(vars(objects))
    if role == "admin":
        ids["user_id"] = people.other_engineer.id  # not the admin: they may not end themselves
    return ids


def form_with(big: int, path_ids: dict[str, object]) -> dict[str, str]:
    form = {**FORM_TEXT, **{name: str(big) for name in ID_FIELDS}}
    if "user_id" in path_ids:  # the People page prefixes each row's form with the user's id
        form[f"m{path_ids['user_id']}-manager"] = str(big)
    return form


def answer(client, method: str, url: str, **kwargs) -> int:
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response.status_code


@pytest.mark.parametrize("big", TOO_BIG)
@pytest.mark.parametrize("role", ["engineer", "admin"])
def test_ids_too_big_for_the_database_are_404_or_refused_on_every_route(
    app, client, people, objects, role, big
):
    assert sign_in(client, getattr(people, role)).status_code == 303
    query = "?" + "&".join(f"{name}={big}" for name in ID_FIELDS)
    server_errors = []
    walked = 0
    for rule in sorted(routes(app), key=walk_order):
        names = id_parameters(rule)
        mine = real_ids(objects, role, people)
        for method in sorted(rule.methods & {"GET", "POST"}):
            # Every id in the path too big: nothing can have it.
            too_big = fill(rule, dict.fromkeys(names, big))
            if names:
                code = answer(client, method, too_big, data=form_with(big, {}))
                # 405 where another route has the same path for the other method.
                assert code in (404, 405), (method, too_big, code)
            # Real objects in the path, every id in the query and the form too big.
            url = fill(rule, {name: mine[name] for name in names}) + query
            for headers in ({}, HX):
                code = answer(client, method, url, data=form_with(big, mine), headers=headers)
                if code >= 500:
                    server_errors.append((method, url, code))
                walked += 1
    assert server_errors == []
    assert walked >= 100


@pytest.mark.parametrize("digits", [NATIVE_DIGITS, WIDE_DIGITS], ids=["arabic-indic", "wide"])
def test_ids_in_other_digits_are_404(app, client, people, objects, digits):
    """/rubrics/١ is not /rubrics/1: an id is written with ASCII digits only."""
    sign_in(client, people.engineer)
    checked = 0
    for rule in routes(app, "GET"):
        names = id_parameters(rule)
        if not names:
            continue
        ids = vars(objects)
        assert answer(client, "GET", fill(rule, ids)) != 404, rule.rule  # the control
        url = fill(rule, {name: str(ids[name]).translate(digits) for name in names})
        assert answer(client, "GET", url) == 404, url
        checked += 1
    assert checked >= 10
