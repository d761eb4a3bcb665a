"""Hostile input: Markdown that tries to run script, ladder files shaped to crash the
importers, oversized requests, odd Unicode names and ladder keys that try to escape a
download's folder.

tests/ladders/test_formats_properties.py already feeds the importers random bytes, text,
syntax soup and mutated real files; the strategies here build files that are well-formed
YAML, CSV or Markdown with the wrong things in the right places, which reach deeper code.
"""

from __future__ import annotations

import csv
import io
import os
import re
from html import unescape
from html.parser import HTMLParser

import pytest
import yaml
from helpers import HX, small_ladder
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.auth.models import User
from app.extensions import db
from app.ladders import formats, store
from app.ladders.formats import LadderFormatError, rungs
from app.ladders.formats.slug import KEY_PATTERN
from app.markdown import SAFE_SCHEMES, TAGS, render
from app.rubric.models import Rubric

ON_POSTGRES = os.environ.get("RUNGS_TEST_DATABASE_URL", "").startswith("postgres")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Markdown ------------------------------------------------------------------------

# Pieces that matter to Markdown, HTML and URL parsers; joined at random they make the
# nested, half-closed, entity-encoded constructs that sanitiser bypasses are made of.
PIECES = [
    "<script>",
    "</script>",
    "<scr<script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=x>",
    "<a href=",
    "<iframe",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    '"',
    "'",
    "`",
    "```",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "java&#x09;script:",
    "&#106;avascript:",
    "data:text/html,",
    "vbscript:",
    "mailto:a@b.c",
    "https://example.com/",
    "//evil.example",
    "[x](",
    "](",
    "![i](",
    ")",
    "<",
    ">",
    "&",
    "&lt;",
    "&#",
    ";",
    "=",
    " on",
    "onclick=",
    "onmouseover=",
    " ",
    "\n",
    "\n\n",
    "    ",
    "> ",
    "- ",
    "1. ",
    "# ",
    "| a | b |\n|---|---|\n",
    "<https://x.y>",
    "<javascript:alert(1)>",
    "\\",
    "\x00",
    "\u202e",
    "%0a",
    "%6a",
]
MARKDOWN = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=300),
)
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}


class Tags(HTMLParser):
    """Collect every start tag and its attributes, as a browser would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def scheme(url: str) -> str:
    """The scheme a browser would see: entities decoded, control characters and spaces gone."""
    cleaned = "".join(ch for ch in unescape(url) if ch > " ").lower()
    found = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return found[1] if found else ""


@FAST
@given(MARKDOWN)
@example('[x](javascript:alert(1))<script>alert(1)</script><a href="data:x">y</a>')
@example("[a](JAVA&#x09;SCRIPT:alert(1)) ![i](data:image/svg+xml,<svg onload=alert(1)>)")
@example("<img src=x onerror=alert(1)> [[x](vbscript:msgbox)](y)")
def test_rendered_markdown_never_carries_script(text):
    html = str(render(text))
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<style" not in lowered
    parser = Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in URL_ATTRS and value:
                assert scheme(value) in SAFE_SCHEMES | {""}, (tag, name, value)
                assert scheme(value) not in ("javascript", "data", "vbscript")


# --- Ladder importers ----------------------------------------------------------------

NAMES = st.sampled_from(["x.yml", "x.csv", "x.md", "x.txt", "x"])
FORMAT = st.sampled_from(("auto", *formats.FORMATS))
HOSTILE_TEXT = st.sampled_from(
    ["", " ", "../../etc/passwd", "a" * 300, "\u202eevil", "é\u0301", "🧗" * 5, "<b>x</b>", "\x00"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    HOSTILE_TEXT,
)
# Keys each YAML format knows, so the drawn documents get past "unknown field" into the
# code that reads values; plus a few it does not know.
RUNGS_KEYS = sorted(
    {
        *rungs.TOP_KEYS,
        *rungs.RULE_KEYS,
        *rungs.SCALE_KEYS,
        *rungs.TRACK_KEYS,
        *rungs.LEVEL_KEYS,
        *rungs.CATEGORY_KEYS,
        *rungs.COMPETENCY_KEYS,
    }
) + ["zzz"]  # the keys the native format knows, from its parser, and one it does not
FT_KEYS = [
    "name",
    "summary",
    "levels",
    "themes",
    "competencies",
    "id",
    "level",
    "theme",
    "proficiency",
    "supportingUrls",
    "url",
    "label",
    "googleSheetId",
    "zzz",
]
MONZO_KEYS = [
    "title",
    "topics",
    "name",
    "content",
    "level",
    "criteria",
    "exampleCriteria",
    "examples",
    "levels",
    "path",
    "zzz",
]


def documents(keys: list[str]):
    """Nested YAML-able data whose mapping keys come mostly from one format's vocabulary."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=8))
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=6)
        ),
        max_leaves=30,
    )


def parse_or_refuse(data: bytes, filename: str, fmt: str, key: str | None = None) -> None:
    """Parse, accepting only a valid spec or LadderFormatError with meaningful problems."""
    try:
        spec = formats.parse(data, filename=filename, format=fmt, key=key)
    except LadderFormatError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem.message, str) and problem.message.strip()
        assert str(error).strip()
    else:
        assert KEY_PATTERN.match(spec.key), spec.key  # a stored key is always URL-safe


def dump(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@FAST
@given(
    data=st.dictionaries(st.sampled_from(RUNGS_KEYS), documents(RUNGS_KEYS), max_size=10),
    fmt=st.sampled_from(["auto", "rungs"]),
)
def test_rungs_documents_of_any_shape(data, fmt):
    parse_or_refuse(dump({"rungs": 1, **data}), "ladder.yml", fmt)


@FAST
@given(data=st.dictionaries(st.sampled_from(FT_KEYS), documents(FT_KEYS), max_size=8))
def test_ft_documents_of_any_shape(data):
    parse_or_refuse(dump({"themes": [], "competencies": [], **data}), "ft.yml", "ft")


@FAST
@given(
    data=st.dictionaries(st.sampled_from(MONZO_KEYS), documents(MONZO_KEYS), max_size=6),
    body=st.text(max_size=100),
)
def test_monzo_front_matter_of_any_shape(data, body):
    front = yaml.safe_dump({"topics": [], **data}, allow_unicode=True)
    parse_or_refuse(f"---\n{front}---\n{body}".encode(), "backend.md", "monzo")


CELLS = st.one_of(st.text(max_size=15), HOSTILE_TEXT, st.sampled_from(["=1+1", "@SUM(A1)", ""]))


@FAST
@given(
    header=st.lists(
        st.sampled_from(
            [
                "track",
                "level",
                "category",
                "competency",
                "description",
                "examples",
                "points",
                "extra",
                "",
            ]
        ),
        max_size=8,
    ),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=12),
)
def test_csv_files_of_any_shape(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    parse_or_refuse(out.getvalue().encode("utf-8"), "ladder.csv", "csv")


OUTLINE_LINES = st.one_of(
    st.tuples(
        st.sampled_from(["# ", "## ", "### ", "#### ", "- ", "  - ", "* ", "1. ", "> ", ""]),
        st.one_of(st.text(max_size=20), HOSTILE_TEXT),
    ).map("".join),
    st.sampled_from(["---", "```", "", "|a|b|", "<!-- x -->"]),
)


@FAST
@given(lines=st.lists(OUTLINE_LINES, max_size=40), fmt=st.sampled_from(["auto", "outline"]))
def test_markdown_outlines_of_any_shape(lines, fmt):
    parse_or_refuse("\n".join(lines).encode("utf-8", "surrogatepass"), "README.md", fmt)


@FAST
@given(key=st.one_of(HOSTILE_TEXT, st.text(max_size=40)), filename=st.one_of(NAMES, HOSTILE_TEXT))
def test_hostile_keys_and_file_names_are_refused_or_made_safe(key, filename):
    valid = formats.export_rungs(small_ladder()).encode("utf-8")
    parse_or_refuse(valid, filename, "auto", key=key or None)
    parse_or_refuse(valid, filename, "rungs", key=key or None)


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


# --- Long and odd Unicode names --------------------------------------------------------

NAMES_TO_KEEP = [
    "مريم الحسيني",  # right-to-left
    "\u202egnp.exe\u202c Override",  # a right-to-left override that tries to flip the row
    "Zoë 🧗‍♀️ Climber 👩🏽‍💻",  # emoji with ZWJ sequences and skin tones
    "A\u0301\u0302\u0303 Stacked Marks",  # combining marks
    "名前が長い" * 24,  # exactly 120 characters
]


@pytest.fixture
def odd_people(app, people):
    """Give everyone a name that is hard to show; the engineer's rubric shows the first."""
    with app.app_context():
        store.save(small_ladder())
        ladder = store.by_key("small")
        everyone = (people.engineer, people.other_engineer, people.other_manager)
        everyone += (people.manager, people.admin)
        for user, name in zip(everyone, NAMES_TO_KEEP, strict=True):
            db.session.get(User, user.id).name = name
        rubric = Rubric(user_id=people.engineer.id, ladder_id=ladder.id, track_key="ic")
        db.session.add(rubric)
        db.session.commit()
        return rubric.id


@pytest.mark.parametrize("name", NAMES_TO_KEEP)
def test_an_odd_name_typed_into_the_invite_form_is_kept_exactly(app, client, as_role, name):
    as_role("admin")
    data = {"email": "odd@example.com", "name": name, "role": "engineer", "manager": ""}
    assert client.post("/admin/users", data=data).status_code == 303
    with app.app_context():
        assert User.by_email("odd@example.com").name == name
    assert f'<th scope="row">{name}</th>' in client.get("/admin/users").get_data(as_text=True)


def test_names_of_121_characters_are_refused_not_cut(app, client, as_role):
    as_role("admin")
    data = {"email": "long@example.com", "name": "x" * 121, "role": "engineer", "manager": ""}
    response = client.post("/admin/users", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert User.by_email("long@example.com") is None


def test_odd_names_are_shown_intact_on_people_team_and_rubric_pages(
    app, client, as_role, odd_people
):
    as_role("admin")
    people_page = client.get("/admin/users").get_data(as_text=True)
    team_page = client.get("/team").get_data(as_text=True)
    for name in NAMES_TO_KEEP:
        assert f'<th scope="row">{name}</th>' in people_page
        assert f">{name}</a></th>" in team_page
    with app.app_context():
        stored = sorted(db.session.scalars(select(User.name)))
    assert stored == sorted(NAMES_TO_KEEP)
    rubric_page = client.get(f"/rubrics/{odd_people}").get_data(as_text=True)
    assert f"<h1>{NAMES_TO_KEEP[0]}&#39;s rubric</h1>" in rubric_page


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


# --- NUL characters ----------------------------------------------------------------------
# PostgreSQL cannot store NUL: requests and ladder files carrying one are refused up front.


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"email": "a\x00@example.com", "password": "long enough"}),
        ("/admin/users", {"email": "n@example.com", "name": "a\x00b", "role": "engineer"}),
        ("/ladders/x\x00y", None),
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


def test_ids_too_big_for_the_database_are_404_not_500(client, as_role):
    """Ids past 64 bits name no row: the answer is 'not found', in the path or the query."""
    as_role("admin")
    huge = "99999999999999999999"
    for path in (
        f"/rubrics/{huge}",
        f"/people/{huge}/rubric",
        f"/1on1s/{huge}",
        f"/rubrics/{huge}/live?since=1",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/admin/users/{huge}/deactivate").status_code == 404


def test_odd_query_values_are_ignored_not_500(app, client, as_role, people):
    from helpers import open_rubric

    with app.app_context():
        store.save(small_ladder())
        db.session.commit()
    as_role("engineer")
    rubric_id, _ = open_rubric(client)
    huge = "99999999999999999999"
    assert client.get(f"/rubrics/{rubric_id}/history?person={huge}").status_code == 200
    assert client.get(f"/rubrics/{rubric_id}/live?since={huge}&seen=x").status_code in (200, 204)
    assert client.get(f"/rubrics/{rubric_id}/as-of?date=9999-12-31").status_code == 400
