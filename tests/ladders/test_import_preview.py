"""The import page: a preview that shows the structure, the layout found, every note and,
for an existing ladder, what would be added, changed and archived; several files at once."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.ladders import store
from app.ladders.models import Competency, Ladder, PendingImport

FIXTURES = Path(__file__).parent / "fixtures"


def upload(client, *names: str, **fields):
    files = [(io.BytesIO((FIXTURES / n).read_bytes()), Path(n).name) for n in names]
    return client.post(
        "/ladders/import",
        data={"file": files, **fields},
        content_type="multipart/form-data",
    )


def token_of(html: str) -> str:
    return re.search(r'action="/ladders/import/([^"/]+)"', html).group(1)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_preview_shows_levels_categories_counts_samples_and_notes(app, client, as_role):
    as_role("admin")
    response = upload(client, "levels-categories.md")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "creates a new ladder" in html and "adds 7, updates 0, archives 0" in html
    # Levels, categories with their counts, the first competencies of each cell.
    assert '<span class="level-name">Engineer I</span>' in html
    assert '<strong>Craft</strong> <span class="tag">4</span>' in html
    assert "<li>Writes tests for the code they change.</li>" in html
    assert "<li>Uses <code>git</code> well: small commits, clear messages.</li>" in html
    # Every note, and the layout found, with the others offered.
    assert "1 paragraph skipped" in html
    assert "1 table skipped: choose a grid layout" in html
    assert "section &#39;FAQ&#39; has no bullets: skipped" in html
    assert '<option selected value="levels-categories">' in html
    assert 'value="levels-across"' in html
    assert count(app, Ladder) == 0  # a preview writes no ladder


def test_cells_with_more_competencies_say_how_many_more(client, as_role):
    as_role("admin")
    html = upload(client, "levels-across.csv").get_data(as_text=True)
    assert "and 1 more" in html  # Level 1 / Mobile holds three


def test_another_layout_reads_the_same_upload_again(app, client, as_role):
    as_role("admin")
    token = token_of(upload(client, "categories-levels.md").get_data(as_text=True))
    again = client.post(f"/ladders/import/{token}/layout", data={"layout": "levels-categories"})
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert '<span class="level-name">Communication</span>' in html
    assert '<option selected value="levels-categories">' in html
    # Applying uses the layout chosen last.
    assert client.post(f"/ladders/import/{token}").status_code == 303
    with app.app_context():
        spec = store.stored(store.by_key("categories-levels")).spec
    assert [x.name for x in spec.levels] == ["Communication", "Problem solving"]


def test_a_layout_the_file_cannot_be_read_in_says_why_and_keeps_the_preview(app, client, as_role):
    as_role("admin")
    token = token_of(upload(client, "levels-across.csv").get_data(as_text=True))
    again = client.post(f"/ladders/import/{token}/layout", data={"layout": "rows"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "cannot be read as one row per competency" in html
    assert "choose the grid layout" in html
    assert '<span class="level-name">Level 1</span>' in html  # the preview it had
    with app.app_context():
        assert db.session.scalar(select(PendingImport.layout)) == "auto"


def test_an_existing_ladder_lists_what_would_be_added_changed_and_archived(
    app, client, as_role, tmp_path
):
    as_role("admin")
    assert client.post(f"/ladders/import/{token_of(upload(client, 'rows.csv').text)}").status_code
    edited = (FIXTURES / "rows.csv").read_text()
    edited = edited.replace("Sets technical direction", "Sets the technical direction")
    edited = "\n".join(line for line in edited.split("\n") if "people-em-1on1" not in line)
    edited += "Manager,Engineering manager,People,Hires well,,,people-em-hire,manager,em,people,,\n"
    response = client.post(
        "/ladders/import",
        data={"file": (io.BytesIO(edited.encode()), "rows.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "updates the ladder" in html and "adds 1, updates 1, archives 1" in html
    changes = html.split('id="changes-heading"')[1].split("</section>")[0]
    assert "<dt>Added (1)</dt>" in changes
    assert "<li>Hires well (Engineering manager · People)</li>" in changes
    assert "<li>Sets the technical direction (Staff engineer · Craft)</li>" in changes
    assert "<dt>Archived (1)</dt>" in changes
    assert "<li>Runs one-to-ones (Engineering manager · People)</li>" in changes
    # The changed competency shows its new words, word by word.
    assert "Sets<ins> the</ins> technical direction" in changes
    # Applying makes a draft: nothing anyone rates moves until it is published.
    applied = client.post(f"/ladders/import/{token_of(html)}")
    assert applied.status_code == 303 and applied.headers["Location"].endswith("/draft")
    with app.app_context():
        titles = [c.title for c in store.stored(store.by_key("rows")).spec.competencies]
        assert "Sets technical direction" in titles and "Sets the technical direction" not in titles


def test_several_files_make_one_ladder(app, client, as_role):
    as_role("admin")
    response = upload(
        client, "per-level/engineer-1.md", "per-level/engineer-2.md", combine="levels"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "engineer-1.md, engineer-2.md creates a new ladder" in html
    assert '<span class="level-name">Software Engineer 2</span>' in html
    assert client.post(f"/ladders/import/{token_of(html)}").status_code == 303
    assert count(app, Competency) == 7


def test_several_files_as_tracks(app, client, as_role):
    as_role("admin")
    html = upload(client, "tracks/ic.md", "tracks/managers.md", combine="tracks").text
    assert "Track: Individual contributor" in html and "Track: Engineering managers" in html


def test_a_refused_file_among_several_is_named_and_nothing_is_kept(app, client, as_role):
    as_role("admin")
    files = [
        (io.BytesIO((FIXTURES / "per-level" / "engineer-1.md").read_bytes()), "engineer-1.md"),
        (io.BytesIO(b"# Notes\n\nJust prose.\n"), "notes.md"),
    ]
    response = client.post(
        "/ladders/import", data={"file": files}, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "notes.md: no competencies found: the file holds 1 paragraph" in html
    assert "nothing was written" in html
    assert count(app, PendingImport) == 0


def test_the_ladder_page_shows_category_summaries_and_inline_markdown_titles(
    client, runner, as_role
):
    for name in ("ft-themes.yml", "levels-categories.md"):
        assert runner.invoke(args=["ladder", "import", str(FIXTURES / name)]).exit_code == 0
    as_role("engineer")
    ft = client.get("/ladders/ft-themes").get_data(as_text=True)
    assert "<dt>Delivery</dt><dd><p>Getting the right things done, well.</p>" in ft
    page = client.get("/ladders/levels-categories").get_data(as_text=True)
    assert "<summary>Gives <em>kind</em>, specific feedback.</summary>" in page
    assert "*kind*" not in page


def test_the_rubric_shows_level_and_category_summaries(client, runner, as_role):
    assert runner.invoke(args=["ladder", "import", str(FIXTURES / "rows.csv")]).exit_code == 0
    as_role("engineer")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<p class="hint">Learning the ropes</p>' in page
    craft = page[page.index("<h3>Craft</h3>") :]
    assert craft.index('<p class="hint">Code, design, operations</p>') < craft.index("<article")


def test_the_rubric_renders_titles_as_inline_markdown(client, runner, as_role):
    fixture = str(FIXTURES / "levels-categories.md")
    assert runner.invoke(args=["ladder", "import", fixture]).exit_code == 0
    as_role("engineer")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "<legend>Gives <em>kind</em>, specific feedback.</legend>" in page
