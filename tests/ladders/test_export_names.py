"""Ladder keys that try to escape a download's folder are refused or made safe."""

from __future__ import annotations

import os
import re

import pytest
from helpers import small_ladder

from app.extensions import db
from app.ladders import store

ON_POSTGRES = os.environ.get("RUNGS_TEST_DATABASE_URL", "").startswith("postgres")

# --- Export file names -----------------------------------------------------------------

HOSTILE_KEYS = [
    "..",
    "...",
    ".hidden",
    'quote"d',
    "semi;colon",
    'x"; filename="evil.sh',
    "cr\rlf\nnext",
    "tab\there",
    "back\\slash",
    "C:\\Windows\\x",
    "%2e%2e%2fx",
    "ünïcödé",
    "\u202eexe.yaml",
    pytest.param(
        "nul\x00byte",
        marks=pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL cannot store NUL in text"),
    ),
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_export_file_names_stay_in_their_folder(app, client, as_role, key):
    # Keys are validated on import; these are stored directly, as a bug or an old
    # database might have them, to prove the download header does not trust them.
    spec = small_ladder()
    with app.app_context():
        store.save(spec)
        db.session.commit()
        ladder = store.by_key("small")
        ladder.key = key
        db.session.commit()
    as_role("engineer")
    for fmt in ("yaml", "csv"):
        with app.test_request_context():
            url = app.url_for("ladders.export", key=key, fmt=fmt)
        response = client.get(url)
        if response.status_code == 404:
            # The router refused the key before the view ran: nothing to name.
            assert "/" in key or key in ("..", "."), key
            continue
        if "\x00" in key:
            assert response.status_code == 400  # NUL in an address is refused outright
            continue
        assert response.status_code == 200, (key, response.status_code)
        header = response.headers["Content-Disposition"]
        match = re.fullmatch(r'attachment; filename="([a-z0-9-]+)\.(yaml|csv)"', header)
        assert match, header
        assert match[2] == fmt and not match[1].startswith(".")


def test_a_key_with_a_slash_cannot_be_reached_at_all(app, client, as_role):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        store.by_key("small").key = "../x"
        db.session.commit()
    as_role("engineer")
    for url in ("/ladders/..%2Fx/export.yaml", "/ladders/../x/export.yaml"):
        assert client.get(url).status_code == 404
