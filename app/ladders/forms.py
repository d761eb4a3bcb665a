"""Forms of the ladder pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from app.ladders.formats import FORMATS

FORMAT_LABELS = {
    "rungs": "Rungs YAML",
    "csv": "CSV (a row per competency, or a grid)",
    "xlsx": "Excel workbook (.xlsx)",
    "ft": "FT job-family YAML",
    "monzo": "Monzo Markdown with front matter",
    "outline": "Markdown outline",
}


class ImportForm(FlaskForm):
    file = FileField("Ladder file", validators=[FileRequired("Choose a file to import.")])
    format = SelectField(
        "Format",
        choices=[SelectChoice("auto", "Detect from the file")]
        + [SelectChoice(f, FORMAT_LABELS[f]) for f in FORMATS],
        default="auto",
    )
    key = StringField(
        "Ladder key (optional)",
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Use lowercase letters, digits and -."),
        ],
        description="Importing into an existing key updates that ladder in place.",
    )
    submit = SubmitField("Preview")


class ApplyForm(FlaskForm):
    submit = SubmitField("Apply import")
