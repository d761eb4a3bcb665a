"""The account page: choosing the time zone times are shown in."""

from __future__ import annotations

from helpers import csrf_from
from sqlalchemy import select

from app.account import zones
from app.auth.models import User
from app.extensions import db


def zone_of(app, person):
    with app.app_context():
        return db.session.scalar(select(User.time_zone).where(User.id == person.id))


def test_the_page_offers_the_browsers_zone_first(client, as_role):
    as_role("engineer")
    client.set_cookie("rungs_tz", "Europe/Lisbon")
    html = client.get("/account").get_data(as_text=True)
    assert '<option selected value="">My browser&#39;s (Europe/Lisbon)</option>' in html
    assert '<option value="America/Argentina/Buenos_Aires">America/Argentina/Buenos Aires' in html
    assert "Times are shown in <strong>Europe/Lisbon</strong>" in html


def test_choosing_a_zone_keeps_it(app, client, as_role, people):
    as_role("engineer")
    answer = client.post("/account", data={"time_zone": "Asia/Kolkata"})
    assert answer.status_code == 303 and zone_of(app, people.engineer) == "Asia/Kolkata"
    html = client.get("/account").get_data(as_text=True)
    assert '<option selected value="Asia/Kolkata">' in html
    assert "Times are now shown in Asia/Kolkata." in html
    # Back to the browser's.
    assert client.post("/account", data={"time_zone": ""}).status_code == 303
    assert zone_of(app, people.engineer) is None


def test_a_zone_that_does_not_exist_is_refused_in_place(app, client, as_role, people):
    as_role("engineer")
    refused = client.post("/account", data={"time_zone": "Mars/Olympus"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    assert zone_of(app, people.engineer) is None


def test_the_user_menu_leads_there(client, as_role):
    as_role("engineer")
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/account">Account and time zone</a>' in html
    assert csrf_from(html)


def test_zone_names_are_real_and_without_legacy_aliases():
    assert "Europe/Berlin" in zones.names() and "UTC" in zones.names()
    assert "US/Eastern" not in zones.names() and "Etc/GMT+5" not in zones.names()
    assert zones.zone("Nowhere/Else", None, "Asia/Tokyo").key == "Asia/Tokyo"
