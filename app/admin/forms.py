"""Forms of the admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length

from app.auth.forms import valid_email
from app.forms import stripped
from app.ladders import limits

ROLE_CHOICES = [
    SelectChoice("engineer", "Engineer"),
    SelectChoice("manager", "Manager"),
    SelectChoice("admin", "Admin"),
]


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), valid_email, Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="engineer")
    manager = SelectField("Manager", choices=[], validate_choice=False)
    submit = SubmitField("Invite")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class ManagerForm(FlaskForm):
    manager = SelectField("Manager", choices=[], validate_choice=False)
    submit = SubmitField("Set manager")


class PersonForm(FlaskForm):
    """A person's role and manager, saved together by the one button of their row."""

    role = SelectField("Role", choices=ROLE_CHOICES)
    manager = SelectField("Manager", choices=[], validate_choice=False)
    submit = SubmitField("Save")


class ActionForm(FlaskForm):
    """A bare form: a button and its CSRF token."""

    submit = SubmitField("Confirm")


VISIBILITY = {
    "off": "Off: nobody sees pay bands",
    "admins": "Admins only",
    "everyone": "Everyone signed in",
}
MAX_BAND = 100


class PayBandsForm(FlaskForm):
    """One ladder's pay bands: who sees them, and a band of text per level."""

    visibility = SelectField(
        "Who sees the pay bands", choices=[SelectChoice(k, v) for k, v in VISIBILITY.items()]
    )

    @classmethod
    def for_levels(cls, levels, **kwargs) -> PayBandsForm:
        """A form with a band field per level, named ``band-<level key>`` in the page."""
        fields = {
            f"band_{i}": StringField(
                level.name,
                name=f"band-{level.key}",
                filters=[stripped],
                validators=[
                    Length(max=MAX_BAND, message=f"Keep each pay band under {MAX_BAND} characters.")
                ],
            )
            for i, level in enumerate(levels)
        }
        form = type("LadderPayBandsForm", (cls,), fields)(**kwargs)
        form.levels = list(levels)
        return form

    def band_fields(self):
        """Each level with its band field, in the ladder's order."""
        return [(level, self[f"band_{i}"]) for i, level in enumerate(self.levels)]

    def bands(self) -> dict[str, str]:
        """The bands typed, by level key; empty ones left out."""
        return {level.key: field.data for level, field in self.band_fields() if field.data}


class RenameLadderForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("A ladder needs a name."), Length(max=limits.NAME)],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    submit = SubmitField("Rename")


class DeleteLadderForm(FlaskForm):
    confirm = BooleanField("Yes, delete this ladder for good")
    submit = SubmitField("Delete")
