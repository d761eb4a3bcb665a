"""`flask rubric ...`: look after the rubrics' kept standings."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.rubric import standings
from app.rubric.models import Rubric

rubric = AppGroup("rubric", help="Look after rubrics.")


@rubric.command("recompute")
@click.option("--rubric", "rubric_id", type=int, help="Only this rubric (by id).")
def recompute(rubric_id: int | None) -> None:
    """Count every rubric's standings again from its ratings (or one rubric's)."""
    if rubric_id is not None and db.session.get(Rubric, rubric_id) is None:
        click.echo(f"No rubric has the id {rubric_id}.", err=True)
        sys.exit(1)
    done = standings.recompute(rubric_id)
    click.echo(f"Counted the standings of {done} rubric{'' if done == 1 else 's'} again.")


def init_app(app: Flask) -> None:
    app.cli.add_command(rubric)
