"""The evidence form."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.markdown import is_safe_url, unsafe_links

MAX_EVIDENCE = 10_000


def safe_markdown_links(_form, field) -> None:
    """Refuse Markdown whose links would run script or leave the allowed schemes."""
    bad = unsafe_links(field.data)
    if bad:
        raise ValidationError(
            f"Links must start with http://, https:// or mailto:; remove {bad[0][:60]!r}."
        )


def web_link(_form, field) -> None:
    """Accept only http and https links."""
    value = (field.data or "").strip()
    if value and (not is_safe_url(value) or not value.lower().startswith(("http://", "https://"))):
        raise ValidationError("The link must start with http:// or https://.")


def sensible_day(_form, field) -> None:
    if field.data and not (date(1970, 1, 1) <= field.data <= date(2100, 12, 31)):
        raise ValidationError("Choose a date between 1970 and 2100.")


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
    link = StringField("Link (optional)", validators=[Optional(), Length(max=2000), web_link])
    day = DateField("Date", default=date.today, validators=[DataRequired(), sensible_day])
    private = BooleanField("Private note: only I can see it")
    version = HiddenField()
