"""The audit log: what is recorded, what never is, who may read it, and that it only grows."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import HX, PASSWORD, sign_in
from sqlalchemy import func, select

from app import ROOT
from app.audit import log as audit
from app.audit.models import AppendOnlyError, AuditEvent
from app.audit.views import PAGE_SIZE
from app.auth.models import Throttle, User
from app.auth.throttle import pair_key
from app.clock import utcnow
from app.extensions import db

DEFAULT = Path(ROOT) / "app" / "ladders" / "default" / "engineering.yml"
SECRET = "Tr0ub4dor&3-never-logged"


def events(app, kind: str | None = None) -> list[AuditEvent]:
    """The audit events, oldest first, optionally of one kind."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if kind:
            query = query.where(AuditEvent.kind == kind)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(found)


def all_text(app) -> str:
    """Every stored column of every audit event, to search for what must never be there."""
    return "\n".join(
        " ".join(str(getattr(e, c.name)) for c in AuditEvent.__table__.columns) for e in events(app)
    )


def test_only_admins_read_the_audit_log(client, as_role):
    assert client.get("/admin/audit").status_code == 302  # signed out: to the sign-in page
    for role in ("engineer", "manager"):
        as_role(role)
        assert client.get("/admin/audit").status_code == 404
        assert "Audit log" not in client.get("/team").get_data(as_text=True)
        client.post("/logout")
    as_role("admin")
    page = client.get("/admin/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Audit log</h1>" in html
    # In the admin's navigation, marked as the page shown.
    assert 'href="/admin/audit" aria-current="page">Audit log</a>' in html


def test_failures_lockout_sign_in_and_sign_out_are_logged_without_passwords(app, client, people):
    typed = "  Engineer@Example.COM "
    for _ in range(5):
        client.post("/login", data={"email": typed, "password": SECRET})
    client.post("/login", data={"email": "nobody@example.com", "password": SECRET})

    failures = events(app, "auth.sign_in_failed")
    assert len(failures) == 6
    assert failures[0].subject_id == people.engineer.id
    assert failures[0].detail == f"wrong password; email typed: {typed!r}"
    assert failures[0].address == "127.0.0.1" and failures[0].actor_id is None
    assert failures[-1].subject_id is None
    assert "no account has this email" in failures[-1].detail
    assert "nobody@example.com" in failures[-1].detail

    # The fifth failure started a lock: logged once, not on every refused attempt after it.
    locks = events(app, "auth.locked")
    assert len(locks) == 1
    assert locks[0].subject_id == people.engineer.id
    assert "Too many failed sign-ins for this account" in locks[0].detail
    client.post("/login", data={"email": typed, "password": PASSWORD})  # refused while locked
    assert len(events(app, "auth.locked")) == 1
    assert len(events(app, "auth.sign_in_failed")) == 6

    with app.app_context():
        db.session.get(
            Throttle, pair_key("engineer@example.com", "127.0.0.1")
        ).locked_until = utcnow()
        db.session.commit()
    assert sign_in(client, people.engineer).status_code == 303
    assert client.post("/logout").status_code == 303
    signed_in, signed_out = events(app, "auth.sign_in"), events(app, "auth.sign_out")
    assert [(e.actor_id, e.subject_id) for e in signed_in] == [(people.engineer.id,) * 2]
    assert [e.actor_label for e in signed_out] == ["engineer@example.com"]
    assert signed_in[0].address == "127.0.0.1"

    assert SECRET not in all_text(app) and PASSWORD not in all_text(app)


def test_long_typed_emails_are_truncated(app, client, people):
    typed = "x" * 200 + "@example.com"
    client.post("/login", data={"email": typed, "password": SECRET})
    (failure,) = events(app, "auth.sign_in_failed")
    assert "x" * 100 in failure.detail and "x" * 101 not in failure.detail
    assert len(failure.detail) < 200


def test_address_is_the_client_behind_the_proxy_in_https_mode(make_app, people):
    app = make_app(HTTPS=True)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": people.manager.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 303
    assert [e.address for e in events(app, "auth.sign_in")] == ["203.0.113.9"]


def test_admin_account_changes_are_logged_with_before_and_after(app, client, as_role, people):
    as_role("admin")
    uid = people.engineer.id
    client.post(f"/admin/users/{uid}/role", data={f"r{uid}-role": "manager"})
    client.post(f"/admin/users/{uid}/role", data={f"r{uid}-role": "manager"})  # no change
    client.post(f"/admin/users/{uid}/manager", data={f"m{uid}-manager": ""})
    client.post(f"/admin/users/{uid}/deactivate")
    client.post(f"/admin/users/{uid}/reactivate")
    client.post(
        "/admin/users",
        data={"email": "new@example.com", "name": "Nia New", "role": "engineer", "manager": ""},
    )
    client.post(f"/admin/users/{uid}/invite")

    found = [(e.kind, e.subject_label, e.detail) for e in events(app)[1:]]  # after the sign-in
    assert found == [
        ("account.role", "engineer@example.com", "engineer → manager"),
        ("account.manager", "engineer@example.com", "manager@example.com → no manager"),
        ("account.deactivated", "engineer@example.com", "signed out everywhere"),
        ("account.reactivated", "engineer@example.com", ""),
        ("invitation.issued", "new@example.com", "new engineer account"),
        ("invitation.issued", "engineer@example.com", "new link for an account"),
    ]
    assert {e.actor_id for e in events(app)[1:]} == {people.admin.id}

    # A refused change (the last admin demoting themselves) is not logged as done.
    me = people.admin.id
    client.post(f"/admin/users/{me}/role", data={f"r{me}-role": "engineer"})
    assert len(events(app, "account.role")) == 1


def test_invitation_acceptance_and_password_change_are_logged(app, client, as_role, people):
    as_role("admin")
    client.post(
        "/admin/users",
        data={"email": "nia@example.com", "name": "Nia New", "role": "engineer", "manager": ""},
    )
    assert "/invite/" in client.get("/admin/users").get_data(as_text=True)  # shown once ...
    html = client.get("/admin/users").get_data(as_text=True)
    assert "/invite/" not in html  # ... and never again
    client.post("/logout")
    with app.app_context():
        from app.auth.models import Invitation

        nia = User.by_email("nia@example.com")
        token = Invitation.issue("invite", user=nia, days=7)
        db.session.commit()
    data = {"password": "nia's passphrase", "confirm": "nia's passphrase"}
    assert client.post(f"/invite/{token}", data=data).status_code == 303
    changed = {"current": "nia's passphrase", "password": SECRET, "confirm": SECRET}
    assert client.post("/account/password", data=changed).status_code == 303

    (accepted,) = events(app, "invitation.accepted")
    (password,) = events(app, "auth.password_changed")
    assert accepted.actor_label == accepted.subject_label == "nia@example.com"
    assert password.actor_label == "nia@example.com" and password.address == "127.0.0.1"
    assert token not in all_text(app) and SECRET not in all_text(app)


def test_setup_link_issue_and_use_are_logged(app, client, runner):
    url = runner.invoke(args=["setup-url"]).output.strip().split()[-1]
    data = {"name": "Ada", "email": "ada@example.com", "password": SECRET, "confirm": SECRET}
    assert client.post(url[url.index("/setup/") :], data=data).status_code == 303
    issued, used = events(app, "setup.issued"), events(app, "setup.used")
    assert len(issued) == 1 and issued[0].actor_label.startswith("command line")
    assert issued[0].address is None  # no request, no address
    assert len(used) == 1 and used[0].actor_label == "ada@example.com"
    token = url.rsplit("/", 1)[-1]
    assert token not in all_text(app) and SECRET not in all_text(app)


def test_cli_account_commands_are_logged(app, runner, people):
    runner.invoke(
        args=["users", "create", "dev@example.com", "--name", "Dev", "--password-stdin"],
        input=f"{SECRET}\n",
    )
    runner.invoke(args=["users", "create", "inv@example.com", "--name", "In Vited"])
    runner.invoke(args=["users", "set-manager", "dev@example.com", "manager@example.com"])
    runner.invoke(args=["users", "deactivate", "dev@example.com"])
    runner.invoke(args=["users", "deactivate", "dev@example.com"])  # already: nothing new
    found = [(e.kind, e.subject_label, e.detail) for e in events(app)]
    assert found == [
        ("account.created", "dev@example.com", "engineer account"),
        ("account.created", "inv@example.com", "engineer account"),
        ("invitation.issued", "inv@example.com", "from the shell"),
        ("account.manager", "dev@example.com", "no manager → manager@example.com"),
        ("account.deactivated", "dev@example.com", "signed out everywhere"),
    ]
    assert all(e.actor_label.startswith("command line") for e in events(app))
    assert SECRET not in all_text(app)


def test_ladder_imports_are_logged_from_the_web_and_the_cli(app, client, runner, as_role, people):
    as_role("admin")
    preview = client.post(
        "/ladders/import",
        data={"file": (io.BytesIO(DEFAULT.read_bytes()), "engineering.yml"), "format": "auto"},
        content_type="multipart/form-data",
    )
    token = re.search(r'action="/ladders/import/([^"]+)"', preview.get_data(as_text=True))[1]
    assert client.post(f"/ladders/import/{token}").status_code == 303
    assert runner.invoke(args=["ladder", "import", str(DEFAULT), "--dry-run"]).exit_code == 0
    assert runner.invoke(args=["ladder", "import", str(DEFAULT)]).exit_code == 0

    web, cli = events(app, "ladder.imported")  # the dry run wrote nothing
    assert (web.actor_id, web.subject_label) == (people.admin.id, "engineering")
    assert web.detail == "adds 184, updates 0, archives 0; also changes levels, categories, " + (
        "tracks, ladder settings (file 'engineering.yml', new ladder)"
    )
    assert cli.actor_label.startswith("command line") and cli.subject_label == "engineering"
    assert cli.detail == "no changes (file 'engineering.yml', update)"


def test_audit_events_cannot_be_changed_or_deleted(app, people):
    with app.app_context():
        audit.record("auth.sign_in", db.session.get(User, people.admin.id))
        db.session.commit()
        entry = db.session.scalars(select(AuditEvent)).one()
        entry.detail = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(AuditEvent)).one())
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalars(select(AuditEvent)).one().detail == ""
        with pytest.raises(ValueError, match="unknown audit event kind"):
            audit.record("auth.typo", None)
    # And no route changes or removes an entry: the blueprint has a single GET page.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert [(r.rule, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in rules] == [
        ("/admin/audit", ["GET"])
    ]


def fill(app, people, n: int) -> None:
    """Write n events: every third a sign-out, the rest sign-ins, a second apart."""
    with app.app_context():
        admin = db.session.get(User, people.admin.id)
        start = utcnow() - timedelta(hours=1)
        for i in range(n):
            kind = "auth.sign_out" if i % 3 == 0 else "auth.sign_in"
            entry = audit.record(kind, admin, detail=f"event {i}")
            entry.created_at = start + timedelta(seconds=i)
        db.session.commit()


def test_newest_first_with_paging_and_a_kind_filter(app, client, as_role, people):
    fill(app, people, PAGE_SIZE + 10)
    as_role("admin")  # itself one more sign-in event, the newest
    first = client.get("/admin/audit").get_data(as_text=True)
    details = re.findall(r"<td>(event \d+)</td>", first)
    assert details[:2] == [f"event {PAGE_SIZE + 9}", f"event {PAGE_SIZE + 8}"]
    assert len(details) == PAGE_SIZE - 1  # the admin's own sign-in is on this page too
    assert 'href="/admin/audit?page=2" rel="next">Older events</a>' in first
    assert "Newer events" not in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert re.findall(r"<td>(event \d+)</td>", second)[-1] == "event 0"
    assert 'href="/admin/audit?page=1" rel="prev">Newer events</a>' in second
    assert "Older events" not in second

    outs = client.get("/admin/audit?kind=auth.sign_out").get_data(as_text=True)
    found = re.findall(r"<td>(event \d+)</td>", outs)
    assert len(found) == (PAGE_SIZE + 10 + 2) // 3
    assert all(int(d.split()[1]) % 3 == 0 for d in found)
    assert '<option value="auth.sign_out" selected>Signed out</option>' in outs
    # An unknown kind or page shows everything from the start rather than failing.
    assert client.get("/admin/audit?kind=nope&page=-4").status_code == 200
    assert "No events on this page." in client.get("/admin/audit?page=99").get_data(as_text=True)


def test_htmx_filter_swaps_only_the_event_list(app, client, as_role, people):
    fill(app, people, 3)
    as_role("admin")
    response = client.get("/admin/audit?kind=auth.sign_out", headers={**HX, "HX-Target": "events"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="events">') and "<h1>" not in html
    assert "event 0" in html and "event 1" not in html
    full = client.get("/admin/audit?kind=auth.sign_out").get_data(as_text=True)
    assert "<h1>Audit log</h1>" in full and "event 0" in full


def test_labels_keep_what_was_true_at_the_time(app, client, as_role, people):
    as_role("admin")
    uid = people.engineer.id
    client.post(f"/admin/users/{uid}/deactivate")
    with app.app_context():
        user = db.session.get(User, uid)
        user.email = "renamed@example.com"
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
    (entry,) = events(app, "account.deactivated")
    assert entry.subject_label == "engineer@example.com" and entry.subject_id == uid
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Eli Engineer" in html and "engineer@example.com" in html
