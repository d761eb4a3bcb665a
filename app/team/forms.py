"""The team's forms: which ladder and track a person is on."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from app.ladders.models import Ladder
from app.ladders.spec import LadderSpec

# A choice names a ladder, or a ladder and one of its tracks: "KEY" or "KEY/TRACK".
SEPARATOR = "/"


class AssignmentForm(FlaskForm):
    choice = SelectField("Ladder and track")
    submit = SubmitField("Save ladder")

    @classmethod
    def offering(cls, ladders: list[tuple[Ladder, LadderSpec]], **kwargs) -> AssignmentForm:
        """A form offering each open ladder, and each of its tracks, grouped by ladder."""
        form = cls(**kwargs)
        form.choice.choices = {
            f"{ladder.name} ({ladder.key})": [
                (ladder.key, f"{ladder.name}, on the track it has now"),
                *(
                    (f"{ladder.key}{SEPARATOR}{t.key}", f"{ladder.name}: {t.name}")
                    for t in spec.tracks
                ),
            ]
            for ladder, spec in ladders
        }
        return form

    def chosen(self) -> tuple[str, str | None]:
        """The ladder key and track key (None: keep the track) that were chosen."""
        key, _, track = (self.choice.data or "").partition(SEPARATOR)
        return key, track or None
