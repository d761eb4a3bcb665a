"""Ladders through the app: CLI import/export, the import page, browse, search, compare."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app import ROOT
from app.extensions import db
from app.ladders.models import Competency, Ladder

SHARED = Path(ROOT).parent / "shared" / "ladders"
DEFAULT = Path(ROOT) / "app" / "ladders" / "default" / "engineering.yml"

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="shared/ladders is not beside the repo"
)


def count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def test_load_default_once(app, runner):
    first = runner.invoke(args=["ladder", "load-default"])
    assert first.exit_code == 0 and "Loaded the default ladder" in first.output
    again = runner.invoke(args=["ladder", "load-default"])
    assert again.exit_code == 0 and again.output == ""
    assert count(app, Ladder) == 1
    listing = runner.invoke(args=["ladder", "list"]).output
    assert listing.startswith("engineering\tEngineering\t2 track(s)\t")


@needs_shared
@pytest.mark.parametrize(
    ("name", "key", "competencies"),
    [
        ("ft-engineering.yml", "ft-engineering", 72),
        ("monzo-backend.md", "monzo-backend", 135),
        ("codecademy-ic.md", "codecademy-ic", 104),
    ],
)
def test_cli_imports_real_ladders(app, runner, name, key, competencies):
    dry = runner.invoke(args=["ladder", "import", str(SHARED / name), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would create: adds {competencies}," in dry.output
    assert count(app, Ladder) == 0  # the dry run wrote nothing
    done = runner.invoke(args=["ladder", "import", str(SHARED / name)])
    assert done.exit_code == 0, done.output
    assert count(app, Competency) == competencies
    # Importing the same file again changes nothing.
    again = runner.invoke(args=["ladder", "import", str(SHARED / name)])
    assert "unchanged: no changes." in again.output


@needs_shared
def test_monzo_people_imports_and_says_how_its_tab_was_read(app, runner):
    result = runner.invoke(args=["ladder", "import", str(SHARED / "monzo-people-malformed.md")])
    assert result.exit_code == 0, result.output
    assert "adds 146," in result.output
    assert "note: monzo-people-malformed.md:205: a TAB after '-' was read as a space" in (
        result.output
    )
    assert count(app, Competency) == 146


def test_a_refused_file_names_its_line_and_writes_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("rungs: 1\nname: Bad\n\ttracks: []\n")
    result = runner.invoke(args=["ladder", "import", str(bad)])
    assert result.exit_code == 1
    assert "bad.yml:3:" in result.output and "TAB" in result.output
    assert "nothing was written" in result.output
    assert "Traceback" not in result.output
    assert count(app, Ladder) == 0


def test_reimport_updates_in_place_and_archives(app, runner, tmp_path):
    runner.invoke(args=["ladder", "load-default"])
    exported = tmp_path / "engineering.yml"
    assert (
        runner.invoke(args=["ladder", "export", "engineering", "-o", str(exported)]).exit_code == 0
    )
    data = yaml.safe_load(exported.read_text())
    # Drop the first competency and retitle the second.
    del data["competencies"][0]
    data["competencies"][0]["title"] = "A retitled competency"
    changed = tmp_path / "changed.yml"
    changed.write_text(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(args=["ladder", "import", str(changed)])
    assert result.exit_code == 0, result.output
    assert "saved as the draft: adds 0, updates 1, archives 1" in result.output
    assert count(app, Competency, archived=True) == 0  # a draft: nothing moved yet
    published = runner.invoke(args=["ladder", "publish", "engineering", "--note", "Fewer"])
    assert published.exit_code == 0, published.output
    assert count(app, Competency, archived=True) == 1
    # Bringing the file back restores the archived competency; nothing was ever deleted.
    runner.invoke(args=["ladder", "import", str(exported)])
    runner.invoke(args=["ladder", "publish", "engineering", "--note", "Back"])
    assert count(app, Competency, archived=True) == 0


def test_export_import_export_gives_the_same_bytes(runner, tmp_path):
    runner.invoke(args=["ladder", "load-default"])
    one, two = tmp_path / "one.yml", tmp_path / "two.yml"
    runner.invoke(args=["ladder", "export", "engineering", "-o", str(one)])
    runner.invoke(args=["ladder", "import", str(one), "--key", "copy"])
    runner.invoke(args=["ladder", "export", "copy", "-o", str(two)])
    assert two.read_bytes().replace(b"key: copy", b"key: engineering", 1) == one.read_bytes()


def test_cli_errors(runner, tmp_path):
    missing = runner.invoke(args=["ladder", "import", str(tmp_path / "nope.yml")])
    assert missing.exit_code == 1 and "cannot read the file" in missing.output
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (5 * 1024 * 1024 + 1))
    result = runner.invoke(args=["ladder", "import", str(big)])
    assert result.exit_code == 1 and "5 MB" in result.output
    binary = tmp_path / "bad.csv"
    binary.write_bytes(
        b"track,level,category,competency,description,examples\nic,l1,c,\xff\xfe,,\n"
    )
    result = runner.invoke(args=["ladder", "validate", str(binary)])
    assert result.exit_code == 1 and "UTF-8" in result.output
    unknown = runner.invoke(args=["ladder", "export", "nope"])
    assert unknown.exit_code == 1 and "No ladder has the key" in unknown.output


def test_import_page_previews_then_applies(app, client, as_role):
    as_role("admin")
    data = DEFAULT.read_bytes()
    preview = client.post(
        "/ladders/import",
        data={"file": (io.BytesIO(data), "engineering.yml"), "format": "auto", "key": ""},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "adds 184, updates 0, archives 0" in html
    assert count(app, Ladder) == 0  # a preview writes no ladder
    token = re.search(r'action="/ladders/import/([^"]+)"', html).group(1)
    applied = client.post(f"/ladders/import/{token}")
    assert applied.status_code == 303 and applied.headers["Location"] == "/ladders/engineering"
    assert count(app, Competency) == 184
    assert client.post(f"/ladders/import/{token}").status_code == 303  # used up: back to upload


def test_import_page_lists_every_problem_and_writes_nothing(app, client, as_role):
    as_role("admin")
    bad = (
        b"rungs: 1\nkey: bad\nname: Bad\ntracks:\n  - {key: ic, name: IC, levels: [l1, l9]}\n"
        b"levels:\n  - {key: l1, name: L1}\ncategories:\n  - {key: c, name: C}\n"
        b"competencies:\n  - {key: a, title: '', level: l1, category: c}\n"
        b"  - {key: a, title: Dup, level: l2, category: zz}\n"
    )
    response = client.post(
        "/ladders/import",
        data={"file": (io.BytesIO(bad), "bad.yml")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "nothing was written" in html
    assert html.count("bad.yml:") >= 4  # unknown level, empty title, duplicate key, unknown refs
    assert count(app, Ladder) == 0


def test_only_admins_import(client, as_role):
    as_role("engineer")
    assert client.get("/ladders/import").status_code == 404


def test_browse_search_and_compare(client, runner, as_role):
    runner.invoke(args=["ladder", "load-default"])
    as_role("engineer")
    page = client.get("/ladders/engineering").get_data(as_text=True)
    assert "<caption" in page and "<details>" in page and 'role="search"' in page
    search = client.get("/ladders/engineering?q=design+doc").get_data(as_text=True)
    found = int(re.search(r"(\d+) competenc(?:y|ies) match", search).group(1))
    assert 0 < found < 184
    fragment = client.get(
        "/ladders/engineering?q=design", headers={"HX-Request": "true", "HX-Target": "grid"}
    )
    html = fragment.get_data(as_text=True)
    assert html.startswith('<div id="grid">') and "<html" not in html
    manager = client.get("/ladders/engineering?track=manager").get_data(as_text=True)
    assert "Engineering Manager" in manager
    compare = client.get("/ladders/engineering/compare?track=ic&from=senior&to=staff")
    html = compare.get_data(as_text=True)
    assert "What changes from Senior Engineer to Staff Engineer" in html
    assert "Added up to Staff Engineer" in html
    download = client.get("/ladders/engineering/export.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert client.get("/ladders/nope").status_code == 404
