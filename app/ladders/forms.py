"""Forms of the ladder pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from app.ladders import limits
from app.ladders.formats import FORMAT_LABELS, FORMATS, LAYOUT_LABELS, LAYOUTS

MAX_FILES = 20


def layout_choices() -> list[SelectChoice]:
    """Every layout any format reads, labelled, after "detect"."""
    names = dict.fromkeys(x for layouts in LAYOUTS.values() for x in layouts)
    return [SelectChoice("auto", "Detect from the file")] + [
        SelectChoice(x, LAYOUT_LABELS[x].capitalize()) for x in names
    ]


class ImportForm(FlaskForm):
    file = MultipleFileField(
        "Ladder file(s)",
        validators=[FileRequired("Choose a file to import.")],
        description="Several files make one ladder: say below how they combine.",
    )
    format = SelectField(
        "Format",
        choices=[SelectChoice("auto", "Detect from the file")]
        + [SelectChoice(f, FORMAT_LABELS[f]) for f in FORMATS],
        default="auto",
    )
    layout = SelectField("Layout", choices=layout_choices(), default="auto")
    combine = SelectField(
        "Several files",
        choices=[
            SelectChoice("levels", "Each file holds levels: one after the other"),
            SelectChoice("tracks", "Each file is a track"),
        ],
        default="levels",
    )
    key = StringField(
        "Ladder key (optional)",
        validators=[
            Optional(),
            Length(max=limits.KEY),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Use lowercase letters, digits and -."),
        ],
        description="Importing into an existing key updates that ladder in place.",
    )
    submit = SubmitField("Preview")

    def validate_file(self, field) -> None:
        if field.data and len(field.data) > MAX_FILES:
            raise ValidationError(f"Choose at most {MAX_FILES} files.")


class LayoutForm(FlaskForm):
    layout = SelectField("Read the file as", choices=layout_choices())
    submit = SubmitField("Read again")


class ApplyForm(FlaskForm):
    submit = SubmitField("Apply import")
