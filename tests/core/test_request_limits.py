"""Requests too big, or carrying NUL characters, get a clear answer instead of a server error."""

from __future__ import annotations

import io

import pytest
from helpers import HX
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.ladders import formats
from app.ladders.formats import LadderFormatError

# --- Oversized requests ----------------------------------------------------------------


def test_oversized_requests_get_a_friendly_413_also_from_htmx(app, client, as_role):
    as_role("admin")
    limit = app.config["MAX_CONTENT_LENGTH"]
    # Encoded here, in memory: the test client would spool a big upload to a temporary file
    # that nobody closes once the app refuses to read it.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"x" * (limit + 1)), "huge.yml"), "format": "auto"}
    )
    response = client.post(
        "/ladders/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "<h1>Too large</h1>" in html and "The limit is 6 MB." in html
    htmx = client.post("/admin/users", data={"name": "x" * (limit + 1)}, headers=HX)
    fragment = htmx.get_data(as_text=True)
    assert htmx.status_code == 413
    assert fragment.startswith('<p class="flash flash-error" role="alert">Too large:')
    assert "<html" not in fragment
    assert htmx.headers["HX-Retarget"] == "#alerts" and htmx.headers["HX-Reswap"] == "innerHTML"


# --- NUL characters ----------------------------------------------------------------------
# PostgreSQL cannot store NUL: requests and ladder files carrying one are refused up front.


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"email": "a\x00@example.com", "password": "long enough"}),
        ("/admin/users", {"email": "n@example.com", "name": "a\x00b", "role": "engineer"}),
        ("/ladders/x\x00y", None),
        ("/ladders?q=x%00y", None),
        ("/admin/users", MultiDict([("email", "n@x.example"), ("name", "ab"), ("name", "a\x00b")])),
    ],
)
def test_nul_characters_are_refused_not_a_server_error(client, as_role, url, data):
    if url != "/login":  # signed in, /login would only redirect
        as_role("admin")
    response = client.post(url, data=data) if data else client.get(url)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.csv", "track,level,category,competency\nIC,Junior,Code,Writes\x00tests\n"),
        ("x.md", "# Junior\n## Code\n- Writes\x00 tests\n"),
    ],
)
def test_ladder_files_with_nul_characters_are_refused(name, text):
    with pytest.raises(LadderFormatError):
        formats.parse(text.encode(), filename=name)
