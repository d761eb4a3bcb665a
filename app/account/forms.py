"""The account page's form: the time zone times are shown in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from app.account import zones


class TimeZoneForm(FlaskForm):
    time_zone = SelectField(
        "Time zone",
        description="Times in histories and 1:1s are shown in this zone.",
        validate_choice=True,
    )

    def with_choices(self, browser: str | None) -> TimeZoneForm:
        """Offer every zone, after "the browser's" (named when the browser told us)."""
        automatic = "My browser's, else UTC"
        if zones.known(browser):
            automatic = f"My browser's ({browser})"
        self.time_zone.choices = [SelectChoice("", automatic)] + [
            SelectChoice(name, name.replace("_", " ")) for name in zones.names()
        ]
        return self
