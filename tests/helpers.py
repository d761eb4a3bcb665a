"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from app.ladders.spec import (
    CategorySpec,
    CompetencySpec,
    LadderSpec,
    LevelRule,
    LevelSpec,
    TrackSpec,
)
from bench import harness
from bench.sql import QueryCounter

PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}


@contextmanager
def counting_sql(app) -> Iterator[QueryCounter]:
    """Count the statements an app sends inside the block."""
    from sqlalchemy import event

    from app.extensions import db

    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


@contextmanager
def round_trips(app) -> Iterator[list[str]]:
    """Record what the app's connections ask of the database itself, one entry per trip.

    Below SQLAlchemy, so nothing it sends unseen escapes: BEGIN and ROLLBACK count. On
    SQLite each statement the library runs (its trace callback); on PostgreSQL each message
    that waits for the server's answer (a simple query, or a Sync), read from libpq's trace.
    """
    import tempfile
    from contextlib import ExitStack

    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    trips: list[str] = []
    traced: list = []  # PostgreSQL: (connection, its trace file)

    with ExitStack() as files:

        def checkout(dbapi_connection, _record, _proxy):
            if sqlite:
                dbapi_connection.set_trace_callback(trips.append)
                return
            from psycopg import pq

            trace = files.enter_context(tempfile.TemporaryFile())
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            traced.append((dbapi_connection, trace))

        def checkin(dbapi_connection, _record):
            if sqlite:
                dbapi_connection.set_trace_callback(None)
            else:
                dbapi_connection.pgconn.untrace()  # flushes its file

        event.listen(engine.pool, "checkout", checkout)
        event.listen(engine.pool, "checkin", checkin)
        try:
            yield trips
        finally:
            event.remove(engine.pool, "checkout", checkout)
            event.remove(engine.pool, "checkin", checkin)
            for connection, trace in traced:
                connection.pgconn.untrace()
                trace.seek(0)
                trips += _libpq_trips(trace.read().decode())


def _libpq_trips(trace: str) -> list[str]:
    """The round trips in a libpq trace: the statements sent before each Query or Sync."""
    trips, sent = [], []
    # One message a line, "F" (sent) or "B" (received); a statement's own lines follow it.
    for message in re.findall(r"^([FB])\t\d+\t(\w+)\t?(.*)$", trace, re.MULTILINE):
        source, kind, rest = message
        if source != "F":
            continue
        if kind == "Query":
            trips.append(rest.strip().strip('"'))
        elif kind == "Parse":
            sent.append(rest.strip().split(" ", 1)[1].strip('"'))
        elif kind == "Bind" and not sent:
            sent.append(f"prepared {rest.split()[1]}")
        elif kind == "Sync":
            trips.append("; ".join(sent))
            sent = []
    return trips


def sign_in(client, user, remember: bool = False):
    """Sign in through the real form and return the response."""
    return client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y" if remember else ""},
    )


def browser_sign_in(page, base: str, user) -> None:
    """Sign in through the real form in a Playwright page."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def axe_violations(page, axe_source: str) -> list:
    """Run axe-core in a page (whose context bypasses the CSP) and list what it finds."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result]


def csrf_from(html: str) -> str:
    """Pull the CSRF token out of a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def small_ladder() -> LadderSpec:
    """Two levels, two categories, two competencies per cell; everything must be shown."""
    levels = (LevelSpec("junior", "Junior"), LevelSpec("mid", "Mid-level"))
    cats = (CategorySpec("code", "Code"), CategorySpec("team", "Teamwork"))
    comps = tuple(
        CompetencySpec(
            f"{c.key}-{lv.key}-{n}",
            f"{c.name} at {lv.name} #{n}",
            lv.key,
            c.key,
            description=f"Why {c.name} #{n} matters.",
            examples=("An example.",),
        )
        for lv in levels
        for c in cats
        for n in (1, 2)
    )
    return LadderSpec(
        "small",
        "Small ladder",
        (TrackSpec("ic", "IC", ("junior", "mid")),),
        levels,
        cats,
        comps,
        rule=LevelRule(type="all", approaching=0.5),
    )


def small_ladder_as(key: str, name: str) -> LadderSpec:
    """The small ladder under another key and name, its competencies keyed apart too."""
    spec = small_ladder()
    comps = tuple(dataclasses.replace(c, key=f"{key}-{c.key}") for c in spec.competencies)
    return dataclasses.replace(spec, key=key, name=name, competencies=comps)


def open_rubric(client) -> tuple[int, str]:
    """Follow / to the signed-in person's rubric; return its id and the page."""
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    rubric_id = int(re.search(r"/rubrics/(\d+)", response.request.path).group(1))
    return rubric_id, response.get_data(as_text=True)


def rate(client, rubric_id, competency_id, step, htmx=True):
    """Post one rating, as htmx does or as a plain form."""
    return client.post(
        f"/rubrics/{rubric_id}/ratings/{competency_id}",
        data={"step": step},
        headers=HX if htmx else {},
    )


def selected_options(html: str, select_id: str) -> list[str]:
    """The values of the selected options of one <select>, whatever the attribute order."""

    class Finder(HTMLParser):
        inside, found = False, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "select":
                self.inside = attrs.get("id") == select_id
            elif tag == "option" and self.inside and "selected" in attrs:
                self.found.append(attrs.get("value"))

        def handle_endtag(self, tag):
            if tag == "select":
                self.inside = False

    finder = Finder()
    finder.found = []
    finder.feed(html)
    return finder.found


# Route walks ------------------------------------------------------------------------

# Values for the route parameters that are not ids; the small ladder has them.
ROUTE_WORDS = {
    "key": "small",
    "level_key": "junior",
    "track_key": "ic",
    "category_key": "code",
    "fmt": "csv",
    "token": "not-a-real-token-but-long-enough-to-look-like-one",
    "filename": "css/rungs.css",
    "ckey": "code-junior-1",
    "part": "levels",
    "part_key": "junior",
}
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def routes(app, method: str | None = None) -> list:
    """Every route of the app, optionally only those that accept a method, in a stable order."""
    found = [r for r in app.url_map.iter_rules() if method is None or method in r.methods]
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def id_parameters(rule) -> list[str]:
    """The parameters of a rule read by the ``int`` converter: the ids in its path."""
    return [name for kind, name in _PARAMETER.findall(rule.rule) if kind == "int"]


def fill(rule, values: dict[str, object]) -> str:
    """The path of a rule with each parameter written as given, unconverted (any text)."""

    def value(match: re.Match) -> str:
        name = match.group(2)
        if name in values:
            return str(values[name])
        if name in ROUTE_WORDS:
            return ROUTE_WORDS[name]
        raise AssertionError(f"{rule.endpoint}: give the parameter {name!r} a value")

    return _PARAMETER.sub(value, rule.rule)


# Real servers: the shared harness (bench/harness.py) ------------------------------


@contextmanager
def gunicorn(database_url: str, log: Path, workers: int = 1) -> Iterator[int]:
    """Run the app under gunicorn, as production does, on a free port; yield the port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNGS_", "GUNICORN_"))}
    env |= {"RUNGS_DATABASE_URL": database_url, "RUNGS_SECRET_KEY": "shared by the servers"}
    with harness.Server(env, workers, log) as server:
        yield server.port


def http_request(
    port: int, method: str, path: str, form=None, cookie: str = ""
) -> tuple[int, dict[str, str], str]:
    """Send one request to a local server; return status, headers and body."""
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    reply = harness.request(port, method, path, headers, body)
    return reply.status, dict(reply.headers.items()), reply.text


def login_form(port: int) -> tuple[str, str]:
    """Open /login on a server; return its session cookie and the form's CSRF token."""
    browser = harness.Browser(port)
    page = browser.send("GET", "/login")
    return browser.cookie_header(), csrf_from(page.text)


# Mail: a real SMTP server (aiosmtpd) on 127.0.0.1 -----------------------------------------


@dataclass
class Received:
    """One mail as the SMTP server got it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """The text of the text/plain or text/html part."""
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None and found.get_content_subtype() == subtype, subtype
        return found.get_content()


class Inbox:
    """The aiosmtpd handler: keeps what arrives, or answers with the replies queued first."""

    def __init__(self):
        self.received: list[Received] = []
        self.replies: list[str] = []  # e.g. "451 4.3.0 Try again later", used up in order
        self.cut_after_data = False  # drop the connection once a mail is in, before answering
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        if self.replies:
            return self.replies.pop(0)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.original_content, policy=email_policy.default),
            )
        )
        if self.cut_after_data:
            server.transport.close()
        return "250 2.0.0 Queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode()
        password = auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == ("rungs", "mail-password"), handled=False)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key; trust it with SSL_CERT_FILE."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class MailServer:
    """An aiosmtpd server on a free port of 127.0.0.1: plain, STARTTLS with AUTH, or TLS."""

    def __init__(self, mode: str = "plain", certificate: tuple[Path, Path] | None = None):
        self.inbox = Inbox()
        self.port = free_port()
        self.mode = mode
        options: dict = {}
        if mode in ("starttls", "tls"):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            if mode == "starttls":
                options.update(
                    tls_context=context,
                    require_starttls=True,
                    authenticator=self.inbox.authenticate,
                    auth_required=True,
                    auth_require_tls=True,
                )
            else:
                options.update(ssl_context=context)
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, ready_timeout=10, **options
        )
        self.controller.start()

    @property
    def url(self) -> str:
        if self.mode == "plain":
            return f"smtp://127.0.0.1:{self.port}?tls=off"
        if self.mode == "starttls":
            return f"smtp://rungs:mail-password@127.0.0.1:{self.port}"
        return f"smtps://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


# Single sign-on: a real OpenID Provider (oidc-provider on Node.js) on 127.0.0.1 -----------

IDP_FOLDER = Path(__file__).parent / "auth" / "idp"
IDP_CLIENT = {"client_id": "rungs", "client_secret": "idp-client-secret"}
IDP_ACCOUNTS = {
    "eli": {"email": "engineer@example.com", "email_verified": True, "name": "Eli Engineer"},
    "ada": {"email": "admin@example.com", "email_verified": True, "name": "Ada Admin"},
    "nia": {"email": "nia@example.com", "email_verified": True, "name": "Nia New"},
    "una": {"email": "una@example.com", "email_verified": False, "name": "Una Unverified"},
    "sam": {"email": "sam@elsewhere.example", "email_verified": True, "name": "Sam Stranger"},
    "dee": {"email": "Dee@Joinable.Example", "email_verified": True, "name": "Dee Domain"},
}


class IdentityProvider:
    """oidc-provider started with Node.js on a free port, with the accounts above."""

    def __init__(self, redirect_uris: list[str], log: Path):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENTS": json.dumps([{**IDP_CLIENT, "redirect_uris": redirect_uris}]),
            "ACCOUNTS": json.dumps(IDP_ACCOUNTS),
        }
        self.log = log.open("w")
        self.process = subprocess.Popen(
            ["node", str(IDP_FOLDER / "provider.mjs")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("listening"):
            self.stop()
            raise RuntimeError(f"the identity provider did not start; see {log}")

    def authorize(self, url: str, login: str) -> str:
        """Sign in at the provider as ``login`` from its authorization URL; return the
        address it sends the browser back to (Rungs' callback, with code and state)."""
        browser = requests.Session()
        while url.startswith(self.issuer):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "/interaction/" in url:
                action = re.search(r'action="([^"]+)"', response.text).group(1)
                response = browser.post(
                    self.issuer + action, data={"login": login}, allow_redirects=False, timeout=10
                )
            assert response.status_code in (302, 303), (response.status_code, response.text)
            location = response.headers["Location"]
            url = location if "://" in location else self.issuer + location
        return url

    def set_clock(self, offset_seconds: int) -> None:
        """Shift the provider's clock: its tokens then carry times that far off."""
        requests.post(
            f"{self.issuer}/__test/clock", data=json.dumps({"offset": offset_seconds}), timeout=5
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()


def stored_and_counted(app, rubric_id: int) -> tuple[dict, dict]:
    """Return the stored standings by side, and what counting every row says they are."""
    from app.extensions import db
    from app.levels.incremental import Kept
    from app.rubric import queries, standings
    from app.rubric.models import KeptStanding
    from app.rubric.page import build
    from app.rubric.side import Side

    with app.app_context():
        rows = {
            Side(k.side): (k.ladder_version, k.track_key, Kept.from_json(k.data))
            for k in db.session.scalars(
                db.select(KeptStanding).where(KeptStanding.rubric_id == rubric_id)
            )
        }
        page = build(queries.load(rubric_id), None, {})
        ratings = queries.ratings(rubric_id)
        counted = {
            side: (page.ladder.version, page.index.track_key, standings.count(page, ratings, side))
            for side in Side
        }
    return rows, counted
