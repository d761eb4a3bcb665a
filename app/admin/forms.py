"""Forms of the admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.auth.forms import valid_email

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


class ActionForm(FlaskForm):
    """A bare form: a button and its CSRF token."""

    submit = SubmitField("Confirm")
