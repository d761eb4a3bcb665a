"""Every answer names its type once, with one charset for text."""

from __future__ import annotations

import pytest
from helpers import fill, id_parameters, routes, sign_in

FORMATS = ("csv", "json", "yaml")


@pytest.mark.parametrize("role", ["engineer", "admin"])
def test_every_get_route_sends_one_content_type_with_one_charset(
    app, client, people, objects, role
):
    sign_in(client, getattr(people, role))
    seen = {}
    for rule in routes(app, "GET"):
        for fmt in FORMATS if "<fmt>" in rule.rule else ("",):
            values = {name: getattr(objects, name) for name in id_parameters(rule)}
            url = fill(rule, values | ({"fmt": fmt} if fmt else {}))
            response = client.get(url)
            response.close()
            if response.status_code != 200:
                continue
            kind = response.headers["Content-Type"]
            seen[url] = kind
            charsets = kind.lower().count("charset=")
            assert charsets == 1 if kind.startswith("text/") else charsets <= 1, (url, kind)
    # The downloads are among what was checked: ratings, packet, ladder exports.
    assert {"text/csv; charset=utf-8", "text/markdown; charset=utf-8"} <= set(seen.values())
