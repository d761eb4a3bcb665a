"""Ladder-as-code: import into a key makes a draft; publish, versions, diff, export --version."""

from __future__ import annotations

import yaml
from helpers import small_ladder

from app.extensions import db
from app.ladders import formats, store


def run(runner, *args):
    return runner.invoke(args=["ladder", *args])


def saved(app):
    with app.app_context():
        store.save(small_ladder())
        db.session.commit()


def changed_file(app, tmp_path, title="Writes code others can read"):
    with app.app_context():
        data = yaml.safe_load(formats.export_rungs(store.stored(store.by_key("small")).spec))
    data["competencies"][0]["title"] = title
    path = tmp_path / "small.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def titles(app):
    with app.app_context():
        return [c.title for c in store.stored(store.by_key("small")).spec.competencies]


def test_import_into_an_existing_key_makes_a_draft_then_publish(app, runner, tmp_path):
    saved(app)
    result = run(runner, "import", str(changed_file(app, tmp_path)), "--key", "small")
    assert result.exit_code == 0, result.output
    assert "saved as the draft: adds 0, updates 1, archives 0" in result.output
    assert "flask ladder publish small --note TEXT" in result.output
    assert titles(app)[0] == "Code at Junior #1"  # nothing moved yet
    published = run(runner, "publish", "small", "--note", "Clearer first competency")
    assert published.exit_code == 0, published.output
    assert published.output.startswith("Published version 2 of small: 1 changed, 0 added")
    assert titles(app)[0] == "Writes code others can read"


def test_publish_errors_exit_1_with_one_line(app, runner, tmp_path):
    saved(app)
    nothing = run(runner, "publish", "small", "--note", "x")
    assert nothing.exit_code == 1 and "has no draft to publish" in nothing.output
    run(runner, "import", str(changed_file(app, tmp_path)), "--key", "small")
    no_note = run(runner, "publish", "small", "--note", "  ")
    assert no_note.exit_code == 1 and "a note is required" in no_note.output
    assert no_note.output.count("\n") == 1
    unknown = run(runner, "publish", "nope", "--note", "x")
    assert unknown.exit_code == 1 and "No ladder has the key 'nope'" in unknown.output


def test_versions_lists_number_date_author_and_note(app, runner, tmp_path):
    saved(app)
    assert run(runner, "versions", "small").output.startswith("1\t")
    run(runner, "import", str(changed_file(app, tmp_path)), "--key", "small")
    run(runner, "publish", "small", "--note", "Clearer first competency\nmore lines")
    lines = run(runner, "versions", "small").output.splitlines()
    assert len(lines) == 2
    number, day, author, note = lines[0].split("\t")
    assert (number, note) == ("2", "Clearer first competency")
    assert author.startswith("command line") and len(day) == len("2026-12-03 09:00")


def test_diff_shows_the_words_that_changed(app, runner, tmp_path):
    saved(app)
    run(runner, "import", str(changed_file(app, tmp_path)), "--key", "small")
    run(runner, "publish", "small", "--note", "Clearer")
    result = run(runner, "diff", "small", "1", "2")
    assert result.exit_code == 0
    assert "~ code-junior-1: Writes code others can read" in result.output
    assert "title: [-Code-]{+Writes+}" in result.output
    missing = run(runner, "diff", "small", "1", "7")
    assert missing.exit_code == 1 and "small has no version 7 (versions 1 to 2)." in missing.output


def test_export_a_version_gives_the_file_kept(app, runner, tmp_path):
    saved(app)
    before = run(runner, "export", "small").output
    run(runner, "import", str(changed_file(app, tmp_path)), "--key", "small")
    run(runner, "publish", "small", "--note", "Clearer")
    assert run(runner, "export", "small", "--version", "1").output == before
    assert "Writes code others can read" in run(runner, "export", "small", "--version", "2").output
    assert (
        run(runner, "export", "small").output
        == run(runner, "export", "small", "--version", "2").output
    )
    csv = run(runner, "export", "small", "--version", "1", "--format", "csv").output
    assert "Code at Junior #1" in csv
    assert run(runner, "export", "small", "--version", "3").exit_code == 1
