"""The form for a piece of evidence or a private note."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import safe_markdown_links, sensible_day, web_link, with_https

MAX_EVIDENCE = 10_000


class EvidenceForm(FlaskForm):
    body = TextAreaField(
        "Evidence",
        validators=[
            DataRequired("Write what you did or saw."),
            Length(
                max=MAX_EVIDENCE,
                message=f"Keep it under {MAX_EVIDENCE:,} characters "
                "(link to a longer document instead).",
            ),
            safe_markdown_links,
        ],
        description="Markdown. What happened, your part in it, and the result.",
    )
    link = StringField(
        "Link (optional)",
        filters=[with_https],
        validators=[Optional(), Length(max=2000), web_link],
    )
    day = DateField("Date", default=date.today, validators=[DataRequired(), sensible_day])
    private = BooleanField("Private note: only I can see it")
    version = HiddenField()

    def scoped(self, suffix: str) -> EvidenceForm:
        """Give every field an id of its own, so two open panels never share one."""
        for f in self:
            f.id = f.label.field_id = f"{f.name}-{suffix}"
        return self
