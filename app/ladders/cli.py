"""`flask ladder ...`: import, export, validate and list ladders."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.audit import log as audit
from app.extensions import db
from app.ladders import formats, importer, store, versions
from app.ladders.formats import FORMATS, LadderFormatError
from app.ladders.wording import as_text, compare

ladder = AppGroup("ladder", help="Import, export, validate and list ladders.")

DEFAULT_LADDER = Path(__file__).parent / "default" / "engineering.yml"


def read(path: str) -> bytes:
    """Read a file, or exit with a one-line error if it cannot be read."""
    try:
        file = Path(path)
        if file.stat().st_size > formats.MAX_BYTES:
            click.echo(
                f"{path}: the file is larger than the {formats.MAX_BYTES // 2**20} MB limit",
                err=True,
            )
            sys.exit(1)
        return file.read_bytes()
    except OSError as error:
        click.echo(f"{path}: cannot read the file ({error.strerror})", err=True)
        sys.exit(1)


def report(error: LadderFormatError, path: str) -> None:
    """Print every problem of a refused file and exit 1."""
    db.session.rollback()
    click.echo(f"{path}: refused, nothing was written. {len(error.problems)} problem(s):", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@ladder.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("auto", *FORMATS)), default="auto")
@click.option(
    "--layout",
    type=click.Choice(("auto", *sorted({x for v in formats.LAYOUTS.values() for x in v}))),
    default="auto",
    help="How a spreadsheet or Markdown file is laid out (default: found from the file).",
)
@click.option(
    "--combine",
    "combine_as",
    type=click.Choice(formats.COMBINE),
    help="Make one ladder of several files: each file some levels, or each file a track.",
)
@click.option("--key", help="Key of the ladder to create or update (default: from the file).")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
def import_command(files, fmt, layout, combine_as, key, dry_run):
    """Import ladder FILES, updating the ladder with the same key in place."""
    if len(files) > 1 and combine_as is None:
        click.echo("Several files make one ladder: say how with --combine levels|tracks.", err=True)
        sys.exit(2)
    label = ", ".join(Path(file).name for file in files)
    uploads = [(file, read(file)) for file in files]
    try:
        plan = importer.plan_many(
            uploads, format=fmt, key=key, layout=layout, combine_as=combine_as or "levels"
        )
    except LadderFormatError as error:
        report(error, label)
    verb = "would update" if plan.exists else "would create"
    if not dry_run:
        detail = audit.import_detail(plan.diff.summary(), label, plan.exists)
        audit.record("ladder.imported", audit.command_line(), plan.spec.key, detail=detail)
        outcome = importer.apply(plan)
        db.session.commit()  # the log entry, also when the file changed nothing
        verb = {"created": "created", "draft": "saved as the draft", "unchanged": "unchanged"}[
            outcome
        ]
    spec = plan.spec
    click.echo(f"{spec.name} ({spec.key}) {verb}: {plan.diff.summary()}.")
    click.echo(
        f"  {len(spec.tracks)} track(s), {len(spec.levels)} level(s), "
        f"{len(spec.categories)} categor{'y' if len(spec.categories) == 1 else 'ies'}, "
        f"{len(spec.competencies)} competencies."
    )
    if plan.reading.layout:
        click.echo(f"  Read as: {formats.LAYOUT_LABELS[plan.reading.layout]}.")
    for warning in plan.reading.warnings:
        click.echo(f"  note: {warning}")
    if not dry_run and verb.startswith("saved"):
        click.echo(f"  Publish it with: flask ladder publish {spec.key} --note TEXT")


@ladder.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("auto", *FORMATS)), default="auto")
def validate_command(file, fmt):
    """Check a ladder FILE without importing it."""
    try:
        spec = formats.parse(read(file), filename=file, format=fmt)
    except LadderFormatError as error:
        report(error, file)
    click.echo(f"{file}: valid ({spec.name}: {len(spec.competencies)} competencies).")


@ladder.command("export")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(("yaml", "csv")), default="yaml")
@click.option("--version", "number", type=int, help="A published version (default: the latest).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here, not stdout.")
def export_command(key, fmt, number, output):
    """Export the ladder KEY (or one of its versions) as Rungs YAML or CSV."""
    found = stored_or_exit(key)
    if number is None:
        spec = store.stored(found).spec
        text = formats.export_rungs(spec) if fmt == "yaml" else formats.export_csv(spec)
    else:
        kept = version_or_exit(found, number)
        # The YAML kept is what was published, byte for byte.
        text = kept.text if fmt == "yaml" else formats.export_csv(versions.spec_of(kept.text, key))
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text, nl=False)


def stored_or_exit(key: str):
    """The ladder with this key, or a one-line error and exit 1."""
    found = store.by_key(key)
    if found is None:
        click.echo(f"No ladder has the key {key!r}. See `flask ladder list`.", err=True)
        sys.exit(1)
    return found


def version_or_exit(found, number: int):
    """One version of a ladder, or a one-line error and exit 1."""
    kept = versions.version(found, number)
    if kept is None:
        latest = versions.latest_number(found)
        click.echo(f"{found.key} has no version {number} (versions 1 to {latest}).", err=True)
        sys.exit(1)
    return kept


@ladder.command("versions")
@click.argument("key")
def versions_command(key):
    """List the published versions of ladder KEY: number, date, author, note."""
    found = stored_or_exit(key)
    kept = versions.history(found)
    for v in kept:
        note = v.note.splitlines()[0] if v.note else ""
        click.echo(f"{v.number}\t{v.published_at:%Y-%m-%d %H:%M}\t{v.author_label or '-'}\t{note}")


@ladder.command("diff")
@click.argument("key")
@click.argument("older", type=int)
@click.argument("newer", type=int)
def diff_command(key, older, newer):
    """Show what changed in ladder KEY from version OLDER to NEWER, word by word."""
    found = stored_or_exit(key)
    a, b = version_or_exit(found, older), version_or_exit(found, newer)
    click.echo(as_text(compare(versions.spec_of(a.text, key), versions.spec_of(b.text, key))))


@ladder.command("list")
def list_command():
    """List the ladders of this installation: the default and archived ones marked."""
    ladders = store.all_ladders(archived=True)
    if not ladders:
        click.echo("No ladders yet. Import one with `flask ladder import FILE`.")
    for found in ladders:
        spec = store.stored(found).spec
        # Marks last, so `cut -f1` still gives the keys.
        marks = [m for m, on in (("default", found.is_default), ("archived", found.archived)) if on]
        click.echo(
            "\t".join(
                (
                    found.key,
                    found.name,
                    f"{len(spec.tracks)} track(s)",
                    f"{len(spec.competencies)} competencies",
                    *marks,
                )
            )
        )


@ladder.command("load-default")
def load_default():
    """Load Rungs' own engineering ladder, once: an existing one is left as it is."""
    plan = importer.plan(DEFAULT_LADDER.read_bytes(), filename=DEFAULT_LADDER.name)
    if plan.exists:
        return
    detail = f"Rungs' default ladder: {plan.diff.summary()}"
    audit.record("ladder.imported", audit.command_line(), plan.spec.key, detail=detail)
    importer.apply(plan)
    db.session.commit()
    click.echo(
        f"Loaded the default ladder: {plan.spec.name}, {len(plan.spec.competencies)} competencies."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(ladder)
