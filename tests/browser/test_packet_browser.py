"""Printing the promotion packet from the browser gives a clean PDF with the text."""

from __future__ import annotations

import io
import unicodedata

import pytest
from helpers import browser_sign_in as sign_in
from helpers import small_ladder
from pypdf import PdfReader

from app.extensions import db
from app.ladders import store

pytestmark = pytest.mark.browser


def test_packet_prints_to_pdf(app, people, live_server, new_page):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    page = new_page()
    sign_in(page, live_server, people.engineer)
    rubric_url = page.url.split("#")[0]
    page.locator("#level-mid > summary").click()  # higher levels load when opened
    # Wait for the rating's answer, not just the badge (there before the click): under load
    # the packet could otherwise be opened before the rating is saved.
    with page.expect_response(lambda r: "/ratings/" in r.url and r.request.method == "POST"):
        page.get_by_role("radiogroup", name="Code at Mid-level #1").get_by_label(
            "Consistently"
        ).check()
    page.locator("#badge").wait_for()
    page.goto(rubric_url + "/packet?target=mid")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    # NFKC undoes the font's ligatures ("ﬀ" in "sign-off").
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in pdf.pages))
    assert 1 <= len(pdf.pages) <= 3
    assert "Promotion packet: Eli Engineer" in text
    assert "Code at Mid-level #1" in text and "Consistently" in text
    assert "Still open" in text and "Manager sign-off" in text
    # The print stylesheet drops the site's navigation and the on-screen controls.
    assert "Sign out" not in text and "Download as Markdown" not in text
