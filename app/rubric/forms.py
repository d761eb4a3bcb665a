"""The rubric's own forms: which track and level to aim for, and the filter."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.ladders.spec import LadderSpec, TrackSpec
from app.rubric.filters import KINDS, Filter
from app.rubric.models import FILTER_TEXT


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

    def fits(self, track: TrackSpec) -> bool:
        """Tell whether the chosen target is a level of the chosen track (or none)."""
        return not self.target.data or self.target.data in track.levels

    def refused_for(self, spec: LadderSpec, track: TrackSpec) -> SettingsForm:
        """A form for the chosen track that says why the chosen target was not saved."""
        form = SettingsForm.for_track(spec, track, formdata=None, track=track.key, target="")
        form.dropped(spec, self.target.data, track)
        return form

    def dropped(self, spec: LadderSpec, level_key: str, track: TrackSpec) -> None:
        """Say that a target level is not on the track, so another must be chosen."""
        name = next((lv.name for lv in spec.levels if lv.key == level_key), level_key)
        self.target.errors = [
            f"{name} is not a level of the {track.name} track: choose a target on it."
        ]


class FilterForm(FlaskForm):
    """The filter within a rubric: some text and the kinds of competency to keep."""

    # Ids of their own: the rubric page holds other forms, and ids must stay unique on it.
    q = SearchField("Text", validators=[Length(max=FILTER_TEXT)], id="filter-q")
    show = SelectMultipleField(
        "Only",
        id="filter-show",
        choices=[SelectChoice(kind.key, kind.label) for kind in KINDS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def chosen(self) -> Filter:
        """The filter the form asks for; "Clear filter" asks for none."""
        if self.clear.data:
            return Filter()
        return Filter.of(self.q.data, self.show.data or [])

    clear = SubmitField("Clear filter", id="filter-clear")
