"""ASVS level 1 checks that walk every route (docs/security.md names the others by file).

The route walks read app.url_map, so a route added later is checked without editing this
file: it must need a sign-in, refuse other people's objects with 404, change nothing on
GET and refuse a POST without a CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from helpers import HX, PASSWORD, csrf_from, sign_in, small_ladder
from sqlalchemy import select

from app import ROOT
from app.auth.models import Invitation, User
from app.evidence.models import Evidence
from app.extensions import db
from app.ladders import store
from app.notifications.models import Notification
from app.oneonone.models import ActionItem, AgendaItem, Meeting, NoteRevision
from app.rubric.models import Rubric
from app.suggestions.models import Suggestion

# Pages a signed-out visitor may open: signing in and the one-time links.
PUBLIC = {
    "auth.login",
    "auth.setup",
    "auth.accept_invite",
    "static",
    "favicon",
    "sso.start",
    "sso.callback",
    "notifications.unsubscribe",
}
# POSTs without a CSRF token, each for its reason in docs/security.md (V3.5.1): mail clients
# post one-click unsubscribes (RFC 8058) with no session; the signed token is the key.
CSRF_EXEMPT = {"notifications.unsubscribe"}
# Pages that show a form on GET and handle it on POST; every other route is one or the other.
FORM_PAGES = {
    "account.settings",
    "drafts.fork",
    "auth.login",
    "auth.setup",
    "auth.accept_invite",
    "auth.change_password",
    "ladders.upload",
    "notifications.settings",
    "notifications.unsubscribe",
    "sso.settings",
}
# The GETs that write, and the only tables they may write to. Why each is acceptable is in
# docs/security.md (V3.5.3): presence is a "who is looking" heartbeat, and a person's empty
# rubric is created the first time anyone who may see it opens it.
GET_WRITES = {"rubric.live_changes": {"presence"}, "rubric.person": {"rubrics"}}
OBJECT_PARAMS = {
    "user_id",
    "rubric_id",
    "evidence_id",
    "meeting_id",
    "action_id",
    "notification_id",
    "agenda_id",
}
LADDER_PARTS = {"level_key": "junior", "track_key": "ic", "category_key": "code"}  # small ladder
FORMATS = ("yaml", "csv", "json", "md", "txt", "html", "pdf", "zip")


@dataclass
class Side:
    """One engineer's objects: their rubric, evidence, 1:1, action item and notification."""

    user_id: int
    rubric_id: int
    evidence_id: int
    meeting_id: int
    action_id: int
    notification_id: int
    agenda_id: int


@dataclass
class World:
    mine: Side  # the engineer's (reports to the manager)
    theirs: Side  # the other engineer's (reports to the other manager)
    competency_id: int
    invite_token: str
    suggestion_id: int  # suggestions are the whole team's: anyone signed in reads them


@pytest.fixture
def world(app, people) -> World:
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
        ladder = store.by_key("small")
        cid = store.stored(ladder).competency_ids["code-junior-1"]
        sides = []
        for person, manager in (
            (people.engineer, people.manager),
            (people.other_engineer, people.other_manager),
        ):
            rubric = Rubric(user_id=person.id, ladder_id=ladder.id, track_key="ic")
            db.session.add(rubric)
            db.session.flush()
            evidence = Evidence(
                rubric_id=rubric.id,
                competency_id=cid,
                author_id=person.id,
                body="Shipped it.",
                day=date(2026, 11, 20),
            )
            meeting = Meeting(rubric_id=rubric.id, started_by_id=manager.id)
            db.session.add_all([evidence, meeting])
            db.session.flush()
            # Revision 1 of its notes, for the routes that name a revision by number.
            db.session.add(NoteRevision(meeting_id=meeting.id, number=1, text="Talked."))
            meeting.notes, meeting.notes_version = "Talked.", 1
            action = ActionItem(meeting_id=meeting.id, text="Pair up.", owner_id=person.id)
            note = Notification(user_id=person.id, kind="packet.signed", title="Signed.", link="/")
            point = AgendaItem(rubric_id=rubric.id, text="Talk.", author_id=person.id)
            db.session.add_all([action, note, point])
            db.session.flush()
            sides.append(
                Side(person.id, rubric.id, evidence.id, meeting.id, action.id, note.id, point.id)
            )
        invited = User(email="invited@example.com", name="In Vited", role="engineer")
        db.session.add(invited)
        token = Invitation.issue("invite", user=invited, days=7)
        idea = Suggestion(
            ladder_id=ladder.id,
            competency_key="code-junior-1",
            title="Better words",
            reason="Clearer.",
            author_id=people.engineer.id,
        )
        db.session.add(idea)
        db.session.commit()
    return World(sides[0], sides[1], cid, token, idea.id)


def rules(app, method: str | None = None):
    """Every route, optionally only those that accept a method, in a stable order."""
    found = [r for r in app.url_map.iter_rules() if method is None or method in r.methods]
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def path(app, rule, side: Side, world: World, fmt: str = "yaml") -> str:
    """Fill a rule's parameters with the objects of one side."""
    values = {}
    for name in rule.arguments:
        if name in OBJECT_PARAMS:
            values[name] = getattr(side, name)
        elif name == "competency_id":
            values[name] = world.competency_id
        elif name == "key":
            values[name] = "small"
        elif name in LADDER_PARTS:
            values[name] = LADDER_PARTS[name]
        elif name == "fmt":
            values[name] = fmt
        elif name == "token":
            values[name] = world.invite_token
        elif name == "filename":
            values[name] = "css/rungs.css"
        elif name == "ckey":
            values[name] = "code-junior-1"
        elif name in ("part", "part_key"):
            values[name] = {"part": "levels", "part_key": "junior"}[name]
        elif name == "number":  # a ladder version, or a revision of a 1:1's notes
            values[name] = 1
        elif name == "suggestion_id":
            values[name] = world.suggestion_id
        else:
            raise AssertionError(f"{rule.endpoint}: give the parameter {name!r} a value here")
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def snapshot(app) -> dict[str, list]:
    """Every row of every table, to compare before and after a request."""
    with app.app_context():
        found = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in rows]
        db.session.remove()
        return found


def changed_tables(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def request(client, method: str, url: str, **kwargs):
    response = client.open(url, method=method, **kwargs)
    response.get_data()  # read, then close: static files are streamed from open files
    response.close()
    return response


# V8.2.1: function-level access -------------------------------------------------------


def test_every_page_but_sign_in_and_one_time_links_needs_a_session(app, client, world):
    for rule in rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = path(app, rule, world.mine, world)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = request(client, method, url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), (method, url)
            htmx = request(client, method, url, headers=HX)
            assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/login")


def admin_only(rule) -> bool:
    return rule.endpoint.split(".")[0] in ("admin", "audit", "ladder_admin") or rule.endpoint in (
        "ladders.upload",
        "ladders.apply",
        # Editing a ladder: admins, and editors (nobody here has the right).
        "drafts.draft",
        "drafts.draft_file",
        "drafts.save_file",
        "drafts.move_competency",
        "drafts.save_part",
        "drafts.edit_competency",
        "drafts.save_competency",
        "drafts.add_competency",
        "drafts.archive_competency",
        "drafts.publish",
        "drafts.discard",
        "drafts.fork",
        "drafts.add_editor",
        "drafts.remove_editor",
    )


@pytest.mark.parametrize("role", ["engineer", "manager"])
def test_admin_pages_are_404_for_everyone_else(app, client, as_role, world, role):
    as_role(role)
    checked = 0
    for rule in filter(admin_only, rules(app)):
        url = path(app, rule, world.mine, world)
        for method in sorted(rule.methods & {"GET", "POST"}):
            assert request(client, method, url).status_code == 404, (method, url)
            checked += 1
    assert checked >= 10


# V8.2.2: data-specific access on every object ---------------------------------------


def object_rules(app):
    return [r for r in rules(app) if r.arguments & OBJECT_PARAMS and not admin_only(r)]


def test_other_peoples_objects_are_404_on_every_route(app, make_app, world, people):
    engineer, other_manager = app.test_client(), app.test_client()
    sign_in(engineer, people.engineer)
    sign_in(other_manager, people.other_manager)
    before = snapshot(app)
    for rule in object_rules(app):
        for client, side in ((engineer, world.theirs), (other_manager, world.mine)):
            for fmt in FORMATS if "fmt" in rule.arguments else ("yaml",):
                url = path(app, rule, side, world, fmt)
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = request(client, method, url, data={"x": "1"})
                    assert response.status_code == 404, (method, url, response.status_code)
                    assert request(client, method, url, headers=HX).status_code == 404
    assert changed_tables(before, snapshot(app)) == set()


def test_the_same_routes_answer_their_owners(app, world, people):
    """The control for the test above: with one's own objects no route says 404."""
    engineer, manager = app.test_client(), app.test_client()
    sign_in(engineer, people.engineer)
    sign_in(manager, people.manager)
    # Destructive routes go last (by path: endpoint names vary), so the objects exist for
    # every other one.
    ordered = sorted(
        object_rules(app),
        key=lambda r: ("GET" not in r.methods, r.rule.endswith(("/delete", "/end"))),
    )
    for rule in ordered:
        method = "GET" if "GET" in rule.methods else "POST"
        fmts = FORMATS if "fmt" in rule.arguments else ("yaml",)
        answers = [
            request(client, method, path(app, rule, world.mine, world, fmt)).status_code
            for fmt in fmts
            for client in (engineer, manager)
        ]
        assert any(code != 404 for code in answers), (rule.rule, answers)


# V3.5.3: nothing changes on GET ------------------------------------------------------


def test_routes_accept_get_or_post_and_only_form_pages_both(app):
    for rule in rules(app):
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods <= {"GET", "POST"}, rule.rule
        if methods == {"GET", "POST"}:
            assert rule.endpoint in FORM_PAGES, f"{rule.rule}: split the GET from the POST"


@pytest.mark.parametrize("role", ["admin", "manager", "engineer"])
def test_get_requests_change_no_data(app, client, as_role, world, role):
    as_role(role)
    for rule in rules(app, "GET"):
        for fmt in FORMATS if "fmt" in rule.arguments else ("yaml",):
            url = path(app, rule, world.mine, world, fmt)
            for headers in ({}, HX):
                before = snapshot(app)
                request(client, "GET", url, headers=headers)
                changed = changed_tables(before, snapshot(app))
                allowed = GET_WRITES.get(rule.endpoint, set())
                assert changed <= allowed, (url, changed)


def test_the_get_writes_are_what_the_docs_say(app, client, as_role, world, people):
    """Opening a rubric page makes its empty rubric; a live poll marks the viewer present."""
    as_role("manager")
    before = snapshot(app)
    response = client.get(f"/people/{people.manager.id}/rubric")
    assert response.status_code == 302
    assert changed_tables(before, snapshot(app)) == {"rubrics"}
    again = snapshot(app)
    client.get(f"/people/{people.manager.id}/rubric")  # get-or-create: only the first time
    assert changed_tables(again, snapshot(app)) == set()
    before = snapshot(app)
    client.get(f"/rubrics/{world.mine.rubric_id}/live", headers=HX)
    assert changed_tables(before, snapshot(app)) == {"presence"}


# V3.5.1: CSRF on every POST ----------------------------------------------------------


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(make_app, world, people):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": people.admin.email, "password": PASSWORD, "csrf_token": token}
    )
    assert client.get("/admin/users").status_code == 200  # signed in as admin
    before = snapshot(app)
    posts = [rule for rule in rules(app, "POST") if rule.endpoint not in CSRF_EXEMPT]
    for rule in posts:
        url = path(app, rule, world.mine, world)
        for headers in ({}, HX, {"X-CSRFToken": "forged"}):
            response = client.post(url, data={"csrf_token": "forged"}, headers=headers)
            assert response.status_code == 400, (url, headers, response.status_code)
    assert changed_tables(before, snapshot(app)) == set()
    assert len(posts) >= 20


def test_password_fields_are_masked_and_allow_paste_and_managers(app, client, world, people):
    pages = ["/login", f"/invite/{world.invite_token}"]
    sign_in(client, people.engineer)
    html = client.get("/account/password").get_data(as_text=True)
    client.post("/logout")
    htmls = [client.get(p).get_data(as_text=True) for p in pages] + [html]
    for page in htmls:
        fields = re.findall(r"<input[^>]*password[^>]*>", page)
        assert fields, page[:200]
        for field in fields:
            if 'name="csrf_token"' in field:
                continue
            assert 'type="password"' in field, field
            assert 'autocomplete="off"' not in field and "onpaste" not in field, field
            limit = re.search(r'maxlength="(\d+)"', field)
            assert limit is None or int(limit[1]) >= 64, field


def test_one_time_links_are_long_random_and_stored_hashed(app, world):
    assert len(world.invite_token) >= 43  # 32 random bytes, base64: 256 bits
    with app.app_context():
        stored = db.session.scalars(select(Invitation.token_hash)).all()
    assert world.invite_token not in stored and len(stored[0]) == 64


def test_html_in_names_is_shown_as_text(app, client, as_role, world, people):
    with app.app_context():
        user = db.session.get(User, people.engineer.id)
        user.name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        db.session.commit()
    as_role("admin")
    for url in ("/admin/users", "/team", f"/rubrics/{world.mine.rubric_id}"):
        html = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html, url
        assert "<script>alert" not in html and "<img src=x" not in html, url


# V3.2: content is never sniffed into something else -----------------------------------


def test_downloads_are_attachments_with_a_charset_and_nosniff(client, as_role, world):
    as_role("engineer")
    for fmt, kind in (("yaml", "application/yaml"), ("csv", "text/csv")):
        response = client.get(f"/ladders/small/export.{fmt}")
        assert response.headers["Content-Type"] == f"{kind}; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_docs_security_names_only_tests_that_exist():
    """docs/security.md cites file::test for every claim; each must be a real test."""
    doc = (Path(ROOT) / "docs" / "security.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"(tests/[\w/]+\.py)::(\w+)", doc))
    assert len(cited) >= 50
    for file, name in sorted(cited):
        source = (Path(ROOT) / file).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{file}::{name}"
