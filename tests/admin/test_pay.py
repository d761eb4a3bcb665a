"""Pay bands: every change is in the audit log, with who made it and what it was."""

from __future__ import annotations

from helpers import sign_in, small_ladder
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.ladders import store


def pay_events(app) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "ladder.pay_bands").order_by(AuditEvent.id)
        ).all()


def test_pay_band_changes_are_audited_with_what_changed(app, client, people):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    sign_in(client, people.admin)
    bands = {"band-junior": "£50,000 – £60,000", "band-mid": "£60,000 – £75,000"}
    assert (
        client.post("/admin/pay/small", data={"visibility": "admins", **bands}).status_code == 303
    )
    (first,) = pay_events(app)
    assert (first.actor_id, first.subject_label) == (people.admin.id, "small")
    assert first.detail == (
        "visibility: off → admins; Junior: none → '£50,000 – £60,000'; "
        "Mid-level: none → '£60,000 – £75,000'"
    )
    # Saving the same again changes nothing and logs nothing; a change logs only itself.
    client.post("/admin/pay/small", data={"visibility": "admins", **bands})
    assert len(pay_events(app)) == 1
    client.post("/admin/pay/small", data={"visibility": "admins", "band-junior": "£52,000"})
    latest = pay_events(app)[-1]
    assert latest.detail == (
        "Junior: '£50,000 – £60,000' → '£52,000'; Mid-level: '£60,000 – £75,000' → none"
    )
    page = client.get("/admin/audit?kind=ladder.pay_bands").get_data(as_text=True)
    assert "Pay bands changed" in page


def test_a_band_too_long_is_refused_in_place_with_the_typed_text_kept(app, client, people):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    sign_in(client, people.admin)
    long_band = "£" + "9" * 120
    refused = client.post(
        "/admin/pay/small",
        data={"visibility": "everyone", "band-junior": "£40,000", "band-mid": long_band},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Keep each pay band under 100 characters." in html
    assert f'value="{long_band}"' in html and 'value="£40,000"' in html  # nothing lost
    with app.app_context():
        assert store.by_key("small").pay_bands is None  # and nothing half-saved
