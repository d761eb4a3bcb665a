"""What people type during a 1:1: the shared notes and action items."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.forms import DayField, safe_markdown_links, sensible_day, stripped
from app.web import id_value

MAX_NOTES = 50_000
MAX_ACTION = 500


class NotesForm(FlaskForm):
    notes = TextAreaField(
        "Shared notes (Markdown)",
        validators=[
            Length(max=MAX_NOTES, message=f"Notes are limited to {MAX_NOTES:,} characters."),
            safe_markdown_links,
        ],
    )
    # The revision the writer typed on: the server merges from there.
    version = HiddenField()
    # Set by the page's script only: what its previous save sent, when the person kept
    # typing while it was on its way (see notes.save).
    origin = HiddenField(
        validators=[Optional(), Length(max=MAX_NOTES, message="The notes are too long.")]
    )

    @property
    def problem(self) -> str | None:
        """The first thing wrong with the notes, in words."""
        return self.notes.errors[0] if self.notes.errors else None


class ActionForm(FlaskForm):
    text = StringField(
        "Action",
        filters=[stripped],
        validators=[
            DataRequired("Say what needs doing."),
            Length(max=MAX_ACTION, message=f"Keep an action item under {MAX_ACTION} characters."),
        ],
    )
    owner = SelectField("Owner", coerce=lambda v: id_value(str(v)), validate_choice=False)
    due = DayField("Due (optional)", validators=[Optional(), sensible_day])

    def validate_owner(self, field) -> None:
        if field.data not in {choice.value for choice in self.owner.choices}:
            raise ValidationError("Choose who owns this action item.")

    @property
    def problem(self) -> str | None:
        """The first thing wrong, in the order a person reads the form."""
        for f in (self.text, self.owner, self.due):
            if f.errors:
                return f.errors[0]
        return None


MAX_AGENDA = 300


class AgendaForm(FlaskForm):
    text = StringField(
        "Talking point",
        filters=[stripped],
        validators=[
            DataRequired("Say what you want to talk about."),
            Length(max=MAX_AGENDA, message=f"Keep a talking point under {MAX_AGENDA} characters."),
        ],
    )

    @property
    def problem(self) -> str | None:
        """The first thing wrong, in words."""
        return self.text.errors[0] if self.text.errors else None


class PrivateNoteForm(FlaskForm):
    text = TextAreaField(
        "My private notes",
        validators=[
            Length(max=MAX_NOTES, message=f"Notes are limited to {MAX_NOTES:,} characters."),
        ],
    )

    @property
    def problem(self) -> str | None:
        """The first thing wrong, in words."""
        return self.text.errors[0] if self.text.errors else None


class ScheduleForm(FlaskForm):
    """The day of the pair's next 1:1, set by the manager; never a day already gone."""

    day = DayField(
        "Next 1:1", validators=[InputRequired("Choose the day of the next 1:1."), sensible_day]
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today  # the viewer's today, from their time zone

    def validate_day(self, field) -> None:
        if field.data and field.data < self.today:
            raise ValidationError("That day is gone: choose today or a later day.")

    @property
    def problem(self) -> str | None:
        """The first thing wrong, in words."""
        return self.day.errors[0] if self.day.errors else None


class EndForm(FlaskForm):
    """Ending a 1:1 freezes its notes: a ticked box says it is meant."""

    confirm = BooleanField(
        "Yes, end the 1:1: the shared notes become read-only",
        validators=[DataRequired("Tick the box to end the 1:1, or go back to it.")],
    )
