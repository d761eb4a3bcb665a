"""Forms for signing in and setting passwords."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth import passwords

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def valid_email(_form, field) -> None:
    """Refuse text that cannot be an email address."""
    if not EMAIL_RE.match((field.data or "").strip()):
        raise ValidationError("Enter an email address like name@example.com.")


def strong_password(_form, field) -> None:
    """Refuse short and common passwords."""
    message = passwords.problem(field.data or "")
    if message:
        raise ValidationError(message)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in for 14 days")
    submit = SubmitField("Sign in")


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), strong_password],
        description="At least 8 characters, and not a commonly used password.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Set password")


class SetupForm(NewPasswordForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), valid_email, Length(max=254)])
    submit = SubmitField("Create the admin account")


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    submit = SubmitField("Change password")
