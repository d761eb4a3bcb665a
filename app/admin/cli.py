"""`flask ladder default|assign|rename|archive|restore|delete`: the ladders' life, scripted.

Teams that keep their ladder in git run these from a deploy script; each prints one line,
and an error exits non-zero with one line.
"""

from __future__ import annotations

import sys

import click
from flask import Flask

from app.audit import log as audit
from app.auth.models import User
from app.extensions import db
from app.ladders import manage, store, versions
from app.ladders.cli import ladder, stored_or_exit
from app.ladders.manage import LadderChangeRefused
from app.rubric import choice, wording


def fail(message: str) -> None:
    """Print a one-line error and exit non-zero."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def apply(change, done: str) -> None:
    """Run one change, commit it and say so; a refused change exits 1 with why."""
    try:
        changed = change()
    except LadderChangeRefused as refused:
        fail(str(refused))
    db.session.commit()
    click.echo(done if changed is not False else "Nothing to change: " + done)


@ladder.command("default")
@click.argument("key")
def default_command(key):
    """Make ladder KEY the default: where people land when nobody chose theirs."""
    found = stored_or_exit(key)
    apply(lambda: manage.make_default(found, audit.command_line()), f"{key} is the default ladder.")


@ladder.command("assign")
@click.argument("email")
@click.argument("key")
@click.option("--track", help="The track on that ladder (default: keep the rubric's track).")
def assign_command(email, key, track):
    """Put the person with EMAIL on ladder KEY (and TRACK): the one they land on."""
    person = User.by_email(email)
    if person is None:
        fail(f"No user has the email {email.strip().lower()}.")
    found = stored_or_exit(key)
    try:
        choice.assign(person, found, track, audit.command_line())
    except LadderChangeRefused as refused:
        fail(str(refused))
    db.session.commit()
    click.echo(f"{person.email} is on {key}{f' ({track})' if track else ''}.")


@ladder.command("rename")
@click.argument("key")
@click.argument("name")
def rename_command(key, name):
    """Give ladder KEY a new NAME."""
    found = stored_or_exit(key)
    apply(lambda: manage.rename(found, name, audit.command_line()), f"{key} is now {name!r}.")


@ladder.command("archive")
@click.argument("key")
def archive_command(key):
    """Archive ladder KEY: no new rubrics; existing ones stay readable, read-only."""
    found = stored_or_exit(key)
    apply(lambda: manage.archive(found, audit.command_line()), f"{key} is archived.")


@ladder.command("restore")
@click.argument("key")
def restore_command(key):
    """Bring archived ladder KEY back into use."""
    found = stored_or_exit(key)
    apply(lambda: manage.restore(found, audit.command_line()), f"{key} is back in use.")


@ladder.command("delete")
@click.argument("key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(key, yes):
    """Delete ladder KEY, which no rubric may use."""
    found = stored_or_exit(key)
    used = choice.rubric_counts().get(found.id, 0)
    if not used and not yes:
        click.confirm(f"Delete {key} ({found.name}) for good?", abort=True)
    ladder_id = found.id
    try:
        manage.delete(found, used, audit.command_line())
    except LadderChangeRefused as refused:
        fail(str(refused))
    db.session.commit()
    store.forget(ladder_id)
    click.echo(f"{key} is deleted.")


@ladder.command("publish")
@click.argument("key")
@click.option("--note", required=True, help="What this version changes (the changelog).")
def publish_command(key, note):
    """Publish the draft of ladder KEY as its next version."""
    found = stored_or_exit(key)
    try:
        published, comparison = versions.publish(found, note, audit.command_line())
    except LadderChangeRefused as refused:
        fail(str(refused))
    told = wording.tell_raters(found, comparison)
    db.session.commit()
    click.echo(
        f"Published version {published.number} of {key}: {len(comparison.changed)} changed, "
        f"{len(comparison.added)} added, {len(comparison.removed)} removed; "
        f"{told} rater(s) told."
    )


def init_app(app: Flask) -> None:
    """The commands join the `flask ladder` group, which app.ladders.cli registers."""
