"""The forms of suggestions: new words with a reason, a comment, a decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import safe_markdown_links, stripped, unix_lines

TEXT_MAX = 10_000


class SuggestionForm(FlaskForm):
    title = StringField(
        "Suggested title",
        validators=[
            DataRequired("Write the competency's title as you suggest it."),
            Length(max=500),
        ],
        filters=[stripped],
    )
    description = TextAreaField(
        "Suggested description (Markdown)",
        validators=[Length(max=TEXT_MAX), safe_markdown_links],
        filters=[stripped, unix_lines],
    )
    reason = TextAreaField(
        "Why this is better",
        validators=[DataRequired("Say why: editors decide on the reason."), Length(max=TEXT_MAX)],
        filters=[stripped],
    )
    submit = SubmitField("Send the suggestion")


class NewCompetencySuggestionForm(SuggestionForm):
    level = SelectField("Level")
    category = SelectField("Category")


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Comment",
        validators=[
            DataRequired("Write something first."),
            Length(max=TEXT_MAX),
            safe_markdown_links,
        ],
        filters=[stripped],
    )
    submit = SubmitField("Comment")


class DecisionForm(FlaskForm):
    note = TextAreaField(
        "Reason (required to decline; sent to the author)",
        validators=[Length(max=TEXT_MAX)],
        filters=[stripped],
    )
    accept = SubmitField("Accept into the draft")
    decline = SubmitField("Decline")
