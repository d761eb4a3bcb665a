"""The rubric's own form: which track, and which level to aim for."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from app.ladders.spec import LadderSpec, TrackSpec


class SettingsForm(FlaskForm):
    track = SelectField("Track")
    # Checked against the chosen track by the view: the list shows the current one's.
    target = SelectField("Target level", validate_choice=False)

    @classmethod
    def for_track(cls, spec: LadderSpec, shown: TrackSpec, **kwargs) -> SettingsForm:
        """A form offering the ladder's tracks and the levels of the one ``shown``."""
        form = cls(**kwargs)
        form.track.choices = [SelectChoice(t.key, t.name) for t in spec.tracks]
        levels = {lv.key: lv.name for lv in spec.levels}
        form.target.choices = [SelectChoice("", "The next level")] + [
            SelectChoice(k, levels[k]) for k in shown.levels
        ]
        return form
