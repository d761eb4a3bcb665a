"""ASVS level 1 checks that walk every route, and the rest docs/security.md points to.

The route walks read app.url_map, so a route added later is checked without editing this
file: it must need a sign-in, refuse other people's objects with 404, change nothing on
GET and refuse a POST without a CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from helpers import HX, PASSWORD, csrf_from, sign_in, small_ladder
from sqlalchemy import func, select

from app import ROOT
from app.auth import passwords
from app.auth.models import Invitation, User
from app.evidence.models import Evidence
from app.extensions import db
from app.ladders import store
from app.notifications.models import Notification
from app.oneonone.models import ActionItem, Meeting
from app.rubric.models import Rubric

# Pages a signed-out visitor may open: signing in and the one-time links.
PUBLIC = {
    "auth.login",
    "auth.setup",
    "auth.accept_invite",
    "static",
    "sso.start",
    "sso.callback",
    "notifications.unsubscribe",
}
# POSTs without a CSRF token, each for its reason in docs/security.md (V3.5.1): mail clients
# post one-click unsubscribes (RFC 8058) with no session; the signed token is the key.
CSRF_EXEMPT = {"notifications.unsubscribe"}
# Pages that show a form on GET and handle it on POST; every other route is one or the other.
FORM_PAGES = {
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


@dataclass
class World:
    mine: Side  # the engineer's (reports to the manager)
    theirs: Side  # the other engineer's (reports to the other manager)
    competency_id: int
    invite_token: str


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
            action = ActionItem(meeting_id=meeting.id, text="Pair up.", owner_id=person.id)
            note = Notification(user_id=person.id, kind="packet.signed", title="Signed.", link="/")
            db.session.add_all([action, note])
            db.session.flush()
            sides.append(Side(person.id, rubric.id, evidence.id, meeting.id, action.id, note.id))
        invited = User(email="invited@example.com", name="In Vited", role="engineer")
        db.session.add(invited)
        token = Invitation.issue("invite", user=invited, days=7)
        db.session.commit()
    return World(sides[0], sides[1], cid, token)


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
    return rule.endpoint.split(".")[0] in ("admin", "audit") or rule.endpoint in (
        "ladders.upload",
        "ladders.apply",
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
    # Destructive routes go last, so the objects exist for every other one.
    ordered = sorted(
        object_rules(app),
        key=lambda r: ("GET" not in r.methods, r.endpoint.endswith(("delete", "end"))),
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


# V3.3, V3.4: cookies, HSTS, CORS ------------------------------------------------------


def cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_cookies_are_httponly_and_samesite_lax(client, people):
    found = cookies(sign_in(client, people.engineer, remember=True))
    assert set(found) == {"session", "remember_token"}
    for cookie in found.values():
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_https_mode_cookies_use_the_host_prefix(make_app, people):
    client = make_app(HTTPS=True).test_client()
    found = cookies(sign_in(client, people.engineer, remember=True))
    assert set(found) == {"__Host-session", "__Host-remember_token"}
    for cookie in found.values():
        # __Host- needs Secure, Path=/ and no Domain, or browsers drop the cookie.
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_lasts_a_year_with_subdomains_in_https_mode(make_app):
    header = make_app(HTTPS=True).test_client().get("/login").headers["Strict-Transport-Security"]
    age = int(re.search(r"max-age=(\d+)", header).group(1))
    assert age >= 31_536_000 and "includeSubDomains" in header


def test_no_cross_origin_access_is_granted(client, as_role):
    as_role("engineer")
    for method in ("GET", "OPTIONS"):
        response = request(client, method, "/me", headers={"Origin": "https://evil.example"})
        assert not any(h.lower().startswith("access-control-") for h, _ in response.headers.items())


# V6: passwords and sign-in -----------------------------------------------------------


def test_passwords_are_checked_exactly_as_typed(app, client, people):
    odd = "  Mixed CASE pass phrase  "
    with app.app_context():
        user = db.session.get(User, people.engineer.id)
        user.password_hash = passwords.hash_password(odd)
        db.session.commit()
    email = people.engineer.email
    for wrong in (odd.strip(), odd.lower(), odd.upper(), odd[:-1]):
        assert client.post("/login", data={"email": email, "password": wrong}).status_code == 422
    assert client.post("/login", data={"email": email, "password": odd}).status_code == 303


@pytest.mark.parametrize(
    "password",
    [
        "lowercase only words",  # no composition rules
        "90210731945682713",  # digits only, long enough and not on the list
        "пароль-с-юникодом-🙂",
        "x" * 64 + "y" * 64,  # long passphrases are fine
    ],
)
def test_any_composition_of_eight_or_more_characters_is_accepted(client, as_role, password):
    as_role("engineer")
    data = {"current": PASSWORD, "password": password, "confirm": password}
    assert client.post("/account/password", data=data).status_code == 303


def test_common_password_list_is_big_enough_and_used(client, as_role):
    listed = passwords.common_passwords()
    assert sum(1 for p in listed if len(p) >= passwords.MIN_LENGTH) >= 3000
    as_role("engineer")
    for weak in ("password1", "Password1", "1234567"):
        data = {"current": PASSWORD, "password": weak, "confirm": weak}
        assert client.post("/account/password", data=data).status_code == 422


def test_guessing_the_current_password_is_throttled_like_signing_in(client, as_role, people):
    as_role("engineer")
    wrong = {
        "current": "not my password",
        "password": "a new passphrase",
        "confirm": "a new passphrase",
    }
    for _ in range(5):
        assert client.post("/account/password", data=wrong).status_code == 422
    right = {**wrong, "current": PASSWORD}
    refused = client.post("/account/password", data=right)
    assert refused.status_code == 422
    assert "Too many failed sign-ins for this account" in refused.get_data(as_text=True)
    client.post("/logout")
    locked = client.post("/login", data={"email": people.engineer.email, "password": PASSWORD})
    assert locked.status_code == 429


def test_failed_sign_ins_cost_the_same_whoever_the_email_belongs_to(
    app, client, people, monkeypatch
):
    """One password hash check per attempt, so timing does not tell which accounts exist."""
    calls = []
    real = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda h, p: calls.append(h) or real(h, p))
    with app.app_context():
        db.session.get(User, people.other_engineer.id).active = False
        db.session.add(User(email="invited@example.com", name="In Vited", role="engineer"))
        db.session.commit()
    for email in (
        "nobody@example.com",
        people.engineer.email,  # wrong password
        people.other_engineer.email,  # deactivated
        "invited@example.com",  # no password yet
    ):
        calls.clear()
        response = client.post("/login", data={"email": email, "password": "wrong password"})
        assert response.status_code == 422
        assert len(calls) == 1, email


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


def test_no_account_exists_until_someone_sets_one_up(app, runner):
    runner.invoke(args=["ladder", "load-default"])
    runner.invoke(args=["setup-url", "--if-no-users"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_one_time_links_are_long_random_and_stored_hashed(app, world):
    assert len(world.invite_token) >= 43  # 32 random bytes, base64: 256 bits
    with app.app_context():
        stored = db.session.scalars(select(Invitation.token_hash)).all()
    assert world.invite_token not in stored and len(stored[0]) == 64


def test_next_cannot_leave_the_site_with_control_characters(client, people):
    # Browsers drop tabs and line breaks from URLs, so "/\t/evil" would become "//evil".
    for target in ("/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example"):
        data = {"email": people.engineer.email, "password": PASSWORD}
        response = client.post("/login", query_string={"next": target}, data=data)
        assert response.headers["Location"] == "/", target
        client.post("/logout")


# V7: sessions ------------------------------------------------------------------------


def test_sign_in_starts_a_new_session(client, people):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value
    sign_in(client, people.engineer)
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    assert client.get_cookie("session").value != before


def test_cli_deactivation_ends_live_sessions(client, runner, people):
    sign_in(client, people.engineer)
    assert client.get("/account/password").status_code == 200
    assert runner.invoke(args=["users", "deactivate", people.engineer.email]).exit_code == 0
    assert client.get("/account/password").status_code == 302


# V1: encoding, injection, sanitising ---------------------------------------------------


APP = Path(ROOT) / "app"


def sources(folder: Path, suffix: str = ".py"):
    for file in sorted(folder.rglob(f"*{suffix}")):
        if not file.is_file():
            continue
        yield file, file.read_text(encoding="utf-8")


def test_sql_is_never_built_from_strings():
    # SQL goes through SQLAlchemy expressions and bound parameters. The exceptions count
    # rows of tables named by the database's own catalogue, quoted as identifiers.
    allowed = {APP / "backup" / "summary.py", APP / "backup" / "sqlite.py"}
    built = re.compile(
        r"(text|exec_driver_sql|execute)\(\s*(f[\"']|[\"'][^\"']*[\"']\s*(%|\+)|.*\.format\()"
    )
    for file, source in sources(APP):
        found = built.search(source)
        assert file in allowed or found is None, f"{file}: SQL built from a string: {found[0]}"


def test_no_shell_eval_pickle_or_xml_parsers():
    banned = re.compile(
        r"shell=True|os\.system\(|os\.popen\(|\beval\(|\bexec\(|import pickle|"
        r"yaml\.load\(|yaml\.unsafe_load|import xml|from xml|lxml"
    )
    for file, source in sources(APP):
        found = banned.search(source)
        assert found is None, f"{file}: {found.group(0)}"
    for file, source in sources(Path(ROOT) / "static" / "js", ".js"):
        assert "innerHTML" not in source and "eval(" not in source, file


def test_templates_autoescape_and_never_mark_user_text_safe():
    for file, source in sources(Path(ROOT) / "templates", ""):
        if file.suffix == ".txt" and file.parent.name == "mail":
            continue  # the plain-text part of a mail: HTML escapes would show as "&amp;"
        assert file.suffix == ".html", f"{file}: Flask autoescapes only .html templates"
        assert not re.search(r"\|\s*safe\b", source), f"{file}: |safe"
        assert "autoescape false" not in source, file


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


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("' OR 1=1 --", "Reads ' OR 1=1 -- in a log and knows it for an attack"),
        ("%_", "Keeps 100%_ of the build green"),
        ('"; DROP TABLE users; --', 'Spots "; DROP TABLE users; -- in a review'),
    ],
)
def test_search_text_is_data_not_sql(app, client, as_role, query, title):
    # The query matches as plain text: exactly the competency that contains it, not every
    # one (as a quote breaking out of SQL or a LIKE wildcard would), and no error.
    spec = small_ladder()
    first = replace(spec.competencies[0], title=title)
    with app.app_context():
        store.save(replace(spec, competencies=(first, *spec.competencies[1:])))
        db.session.commit()
    as_role("engineer")
    response = client.get("/ladders/small", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 competency match “" in html


# V2.2: validation on the server ------------------------------------------------------


def test_server_refuses_what_the_form_would_not_send(app, client, as_role):
    as_role("admin")
    too_long = {"email": "long@example.com", "name": "x" * 121, "role": "engineer", "manager": ""}
    bad_role = {"email": "role@example.com", "name": "Rolf", "role": "superuser", "manager": ""}
    bad_manager = {"email": "mgr@example.com", "name": "Mia", "role": "engineer", "manager": "x"}
    for data in (too_long, bad_role, bad_manager):
        assert client.post("/admin/users", data=data).status_code == 422, data
    with app.app_context():
        emails = db.session.scalars(select(User.email)).all()
    assert not {"long@example.com", "role@example.com", "mgr@example.com"} & set(emails)


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
