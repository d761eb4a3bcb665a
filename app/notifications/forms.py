"""The settings form: two switches, email and in Rungs, for each kind one may turn off."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from app.notifications import kinds


class SettingsForm(FlaskForm):
    submit = SubmitField("Save settings")

    def choice(self, kind: kinds.Kind) -> tuple[bool, bool]:
        """Return (email, in_app) as ticked for one kind."""
        return self[field_name(kind, "email")].data, self[field_name(kind, "app")].data

    def rows(self):
        """(kind, email field, in-app field) in the registry's order."""
        for kind in kinds.settable():
            yield kind, self[field_name(kind, "email")], self[field_name(kind, "app")]


def field_name(kind: kinds.Kind, channel: str) -> str:
    return f"{kind.key.replace('.', '_')}_{channel}"


def settings_form(current: dict[str, tuple[bool, bool]], formdata=None) -> SettingsForm:
    """Build the form for the kinds of the registry, ticked as the person chose."""

    class Form(SettingsForm):
        pass

    for kind in kinds.settable():
        email, in_app = current[kind.key]
        email_field = BooleanField(f"Email: {kind.label}", default=email)
        app_field = BooleanField(f"In Rungs: {kind.label}", default=in_app)
        setattr(Form, field_name(kind, "email"), email_field)
        setattr(Form, field_name(kind, "app"), app_field)
    return Form(formdata=formdata)
