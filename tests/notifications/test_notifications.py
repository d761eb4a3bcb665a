"""The list behind the badge, one's settings, one-click unsubscribe, and the registry."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from helpers import HX, open_rubric, sign_in, small_ladder
from sqlalchemy import select

from app import ROOT, worker
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.ladders import store
from app.mail.models import OutboxMail
from app.notifications import kinds, notify
from app.notifications.models import Notification, NotificationSetting


def tell(app, user_id, kind="packet.signed", title="Maya signed your promotion packet", **extra):
    with app.app_context(), app.test_request_context(base_url="https://rungs.example.com"):
        person = db.session.get(User, user_id)
        entry = notify.notify(person, kind, title=title, text="Details.", link="/", **extra)
        db.session.commit()
        return entry.id if entry else None


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return found


def test_the_badge_counts_unread_notifications(app, client, as_role, people):
    as_role("engineer")
    assert 'class="count"' not in client.get("/notifications").get_data(as_text=True)
    tell(app, people.engineer.id)
    tell(app, people.engineer.id, title="Another")
    tell(app, people.manager.id, title="Not yours")
    page = client.get("/notifications").get_data(as_text=True)
    assert re.search(r'<span class="count" aria-hidden="true">2</span>', page)
    assert '<span class="visually-hidden">, 2 unread</span>' in page
    assert page.count('id="notifications-badge"') == 1
    assert "Maya signed your promotion packet" in page and "Not yours" not in page
    # The rubric page reads the count with its own query: the same count.
    rubric = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<span class="visually-hidden">, 2 unread</span>' in rubric
    client.post("/notifications/read")
    rubric = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'id="notifications-badge"' in rubric and 'class="count"' not in rubric


def test_the_count_a_page_read_is_kept_for_that_request_only(app, client, as_role, people):
    """Requests made inside one app context share its ``g``: each counts its own badge."""
    as_role("engineer")
    tell(app, people.engineer.id)
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    rubric_id, _ = open_rubric(client)
    with app.app_context():
        rubric = client.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
        assert '<span class="visually-hidden">, 1 unread</span>' in rubric
        client.post("/notifications/read")
        page = client.get("/notifications").get_data(as_text=True)
    assert 'class="count"' not in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(app, client, as_role, people):
    as_role("engineer")
    note = tell(app, people.engineer.id)
    response = client.post(f"/notifications/{note}/open")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert 'class="count"' not in client.get("/notifications").get_data(as_text=True)


def test_mark_all_read_with_htmx_swaps_the_list_and_the_badge(app, client, as_role, people):
    as_role("engineer")
    tell(app, people.engineer.id)
    response = client.post("/notifications/read", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.vary.find("HX-Request") >= 0
    assert html.lstrip().startswith('<section id="list"')
    assert (
        'id="notifications-badge"' in html
        and 'hx-swap-oob="true"' in html
        and 'class="count"' not in html
    )
    assert "<html" not in html


def test_mark_all_read_without_javascript(app, client, as_role, people):
    as_role("engineer")
    tell(app, people.engineer.id)
    response = client.post("/notifications/read", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "All notifications are marked as read." in page and 'class="count"' not in page


def test_notifications_older_than_90_days_are_forgotten(app, people):
    old = tell(app, people.engineer.id, title="Old")
    tell(app, people.engineer.id, title="New")
    with app.app_context():
        db.session.get(Notification, old).created_at = utcnow() - timedelta(days=91)
        db.session.commit()
        worker.run_once()
        titles = db.session.scalars(select(Notification.title)).all()
    assert titles == ["New"]


def test_settings_turn_email_and_the_list_off_kind_by_kind(mail_app, people):
    client = mail_app.test_client()
    sign_in(client, people.engineer)
    page = client.get("/notifications/settings").get_data(as_text=True)
    labels = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert labels == [k.label for k in kinds.settable()]
    assert "My ladder suggestion was accepted" in page  # wired by the suggestions
    assert "A new ladder version changes" in page  # wired by publishing a version
    assert "A 1:1 is scheduled" in page  # wired by the 1:1s
    # Untick the digest's email and the packet's in-app entry; keep the rest.
    response = client.post(
        "/notifications/settings",
        data={"rating_digest_app": "y", "packet_signed_email": "y"},
    )
    assert response.status_code == 303
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'id="rating_digest_email" name="rating_digest_email" type="checkbox" value="y">' in page
    assert tell(mail_app, people.engineer.id, kind="packet.signed") is None  # not listed
    assert [m.kind for m in outbox(mail_app)] == ["packet.signed"]  # but mailed
    assert tell(mail_app, people.engineer.id, kind="rating.digest") is not None
    assert [m.kind for m in outbox(mail_app)] == ["packet.signed"]  # listed, not mailed


def test_one_click_unsubscribe_from_the_mail(mail_app, people):
    tell(mail_app, people.engineer.id)
    (mail,) = outbox(mail_app)
    url = mail.headers["List-Unsubscribe"].strip("<>")
    assert url in mail.text_body and "Stop these emails with one click" in mail.text_body
    path = url.removeprefix("https://rungs.example.com")
    anonymous = mail_app.test_client()
    page = anonymous.get(path)  # a GET (a mail scanner, a preview) changes nothing
    assert page.status_code == 200 and "Stop sending emails to engineer@example.com" in (
        page.get_data(as_text=True)
    )
    with mail_app.app_context():
        assert db.session.scalars(select(NotificationSetting)).all() == []
    # The mail client's one-click POST (RFC 8058), with no session and no CSRF token.
    done = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and done.get_data(as_text=True) == "Unsubscribed.\n"
    tell(mail_app, people.engineer.id)
    assert len(outbox(mail_app)) == 1  # no second mail
    assert tell(mail_app, people.engineer.id) is not None  # still listed in Rungs


def test_the_unsubscribe_page_button_works_too(make_app, people):
    app = make_app(
        SMTP_URL="smtp://127.0.0.1:9?tls=off",
        MAIL_FROM="rungs@example.com",
        BASE_URL="https://rungs.example.com",
        WTF_CSRF_ENABLED=True,
    )
    tell(app, people.engineer.id)
    path = (
        outbox(app)[0]
        .headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("https://rungs.example.com")
    )
    response = app.test_client().post(path)
    assert "Done: no more emails to engineer@example.com" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["nonsense", "WzQsICJwYWNrZXQuc2lnbmVkIl0.forged"])
def test_a_forged_unsubscribe_link_changes_nothing(client, people, token):
    response = client.post(f"/unsubscribe/{token}")
    assert response.status_code == 404
    assert "not valid here" in response.get_data(as_text=True)


def test_a_signed_packet_notifies_its_owner(app, pair, people):
    _engineer, manager, rubric_id, _ids = pair
    response = manager.post(
        f"/rubrics/{rubric_id}/packet/signoff?target=mid",
        data={"date": "2026-12-01", "comment": "Ready.", "confirm": "y"},
    )
    assert response.status_code == 303
    with app.app_context():
        (note,) = db.session.scalars(select(Notification)).all()
    assert note.user_id == people.engineer.id
    assert note.title == "Maya Manager signed your promotion packet for Mid-level"
    assert note.link == f"/rubrics/{rubric_id}/packet?target=mid"


def test_deactivated_people_are_told_nothing(app, people):
    with app.app_context():
        db.session.get(User, people.engineer.id).active = False
        db.session.commit()
    assert tell(app, people.engineer.id) is None


@pytest.mark.parametrize(
    ("call", "title"),
    [
        (
            lambda p, by: notify.oneonone_changed(
                p, by=by, when=None, agenda_changed=True, link="/1on1s/1"
            ),
            "Maya Manager changed the agenda of your 1:1",
        ),
        (
            lambda p, by: notify.suggestion_decided(
                p, by=by, accepted=False, suggestion="Add a testing row", link="/ladders"
            ),
            "Maya Manager declined your ladder suggestion",
        ),
        (
            lambda p, by: notify.ladder_changed(
                p, ladder="Engineering", competencies=["Writes tests"], link="/ladders"
            ),
            "The Engineering ladder changed 1 competencies you rated",
        ),
    ],
)
def test_the_functions_waiting_for_their_features_notify(app, people, call, title):
    with app.app_context(), app.test_request_context():
        person = db.session.get(User, people.engineer.id)
        call(person, db.session.get(User, people.manager.id))
        db.session.commit()
        assert db.session.scalars(select(Notification.title)).all() == [title]


def test_an_unknown_kind_is_a_programming_error(app, people):
    with pytest.raises(ValueError, match="unknown notification kind"):
        tell(app, people.engineer.id, kind="rating.made-up")


@pytest.mark.parametrize(
    "module", ["app/notifications/kinds.py", "app/mail/settings.py", "app/auth/sso/settings.py"]
)
def test_the_domain_modules_load_without_flask(module):
    # Loaded by path, so the app package's __init__ (which imports Flask) does not run.
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {module!r})\n"
        "sys.modules['m'] = module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "sys.exit('flask' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert done.returncode == 0
