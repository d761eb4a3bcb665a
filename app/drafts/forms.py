"""The forms of ladder editing: a competency, the publish note, a fork, an editor."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from app.forms import safe_markdown_links, stripped, unix_lines
from app.ladders import limits
from app.ladders.spec import LadderSpec

TEXT_MAX = 10_000


class CompetencyForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("A competency needs a title."), Length(max=500)],
        filters=[stripped],
    )
    description = TextAreaField(
        "Description (Markdown)",
        validators=[Length(max=TEXT_MAX), safe_markdown_links],
        filters=[unix_lines],
    )
    examples = TextAreaField(
        "Examples, one per line",
        validators=[Length(max=TEXT_MAX), safe_markdown_links],
        filters=[unix_lines],
    )
    submit = SubmitField("Save to the draft")

    def example_list(self) -> tuple[str, ...]:
        return tuple(
            line.strip() for line in (self.examples.data or "").split("\n") if line.strip()
        )


class NewCompetencyForm(CompetencyForm):
    level = SelectField("Level")
    category = SelectField("Category")
    submit = SubmitField("Add to the draft")

    @classmethod
    def for_spec(cls, spec: LadderSpec, **kwargs) -> NewCompetencyForm:
        form = cls(**kwargs)
        form.level.choices = [(lv.key, lv.name) for lv in spec.levels]
        form.category.choices = [(c.key, c.name) for c in spec.categories]
        return form


class PublishForm(FlaskForm):
    note = TextAreaField(
        "What this version changes (the changelog note)",
        validators=[DataRequired("Say what this version changes."), Length(max=2000)],
        filters=[stripped],
    )
    submit = SubmitField("Publish")


class ForkForm(FlaskForm):
    key = StringField(
        "Key of the new ladder",
        validators=[
            DataRequired("The new ladder needs a key."),
            Length(max=limits.KEY),
            Regexp(r"^[a-z0-9][a-z0-9_-]*$", message="Lower-case letters, digits, - and _ only."),
        ],
        filters=[stripped],
    )
    name = StringField(
        "Name",
        validators=[DataRequired("The new ladder needs a name."), Length(max=limits.NAME)],
        filters=[stripped],
    )
    submit = SubmitField("Fork")


class EditorForm(FlaskForm):
    email = EmailField("Email of the new editor", validators=[DataRequired()], filters=[stripped])
    submit = SubmitField("Add editor")


class FileForm(FlaskForm):
    text = TextAreaField(
        "The draft as a Rungs YAML file",
        validators=[DataRequired("The file is empty."), Length(max=2_000_000)],
        filters=[unix_lines],
    )
    submit = SubmitField("Save the draft")


class PartForm(FlaskForm):
    """A level's or a category's name and summary."""

    name = StringField(
        "Name",
        validators=[DataRequired("It needs a name."), Length(max=limits.NAME)],
        filters=[stripped],
    )
    summary = TextAreaField(
        "Summary (Markdown)",
        validators=[Length(max=TEXT_MAX), safe_markdown_links],
        filters=[unix_lines],
    )
    submit = SubmitField("Save to the draft")
