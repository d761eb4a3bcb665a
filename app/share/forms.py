"""The manager's sign-off of a promotion packet."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import DayField, safe_markdown_links, sensible_day, stripped

MAX_COMMENT = 2_000


class SignoffForm(FlaskForm):
    date = DayField(
        "Date", validators=[InputRequired("Give the date of the sign-off."), sensible_day]
    )
    comment = TextAreaField(
        "Comment",
        filters=[stripped],
        validators=[
            Length(max=MAX_COMMENT, message=f"Keep the comment under {MAX_COMMENT:,} characters."),
            safe_markdown_links,
        ],
    )
    # Asked only while competencies up to the target are still open.
    confirm = BooleanField("Sign off although competencies are still open")


class ActionForm(FlaskForm):
    """A bare form: a button and its CSRF token."""

    submit = SubmitField("Confirm")
