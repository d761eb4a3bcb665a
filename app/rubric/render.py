"""What the rubric template needs beside the read model: addresses, words and the radar.

Kept apart from :mod:`app.rubric.page` so the read model stays data, and shared by every
view that draws the rubric page (the rubric itself, the live poll, "as of").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from flask import url_for

from app.charts.radar import Radar, category_radar
from app.clock import utcnow
from app.rubric import live
from app.rubric.filters import KINDS
from app.rubric.models import FILTER_TEXT
from app.rubric.page import Item, RubricPage
from app.rubric.side import Side

TEMPLATE = "rubric/page.html"


@dataclass(frozen=True)
class Urls:
    """The per-competency addresses of one rubric, built with url_for once per page.

    A ladder can have thousands of competencies, each with three links.
    """

    rubric_id: int
    ladder_key: str = ""

    def rate(self, competency_id: int) -> str:
        return self._patterns["rate"].format(competency_id)

    def focus(self, competency_id: int) -> str:
        return self._patterns["focus"].format(competency_id)

    def evidence(self, competency_id: int) -> str:
        return self._patterns["evidence"].format(competency_id)

    @cached_property
    def suggest(self) -> str:
        """Where to suggest new words for a competency (its key goes in the query)."""
        return url_for("suggestions.new", key=self.ladder_key)

    def confirm(self, competency_id: int) -> str:
        return self._patterns["confirm"].format(competency_id)

    def opened(self, level_key: str) -> str:
        """The rubric page with one level's competencies shown (the no-JavaScript link)."""
        return self._built("rubric.show", open=level_key)

    def level(self, level_key: str) -> str:
        """Where a closed level's competencies load from."""
        return self._built("rubric.level", level_key=level_key)

    def category(self, level_key: str, category_key: str) -> str:
        """Where a closed category's competencies load from."""
        return self._built("rubric.category", level_key=level_key, category_key=category_key)

    def _built(self, endpoint: str, **values: str) -> str:
        # A level's address appears beside each of its categories: build each one once.
        key = (endpoint, *values.items())
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = url_for(endpoint, rubric_id=self.rubric_id, **values)
        return found

    @cached_property
    def _memo(self) -> dict[tuple, str]:
        return {}

    @cached_property
    def _patterns(self) -> dict[str, str]:
        marker = 987654321
        ids = dict(rubric_id=self.rubric_id, competency_id=marker)
        return {
            name: url_for(endpoint, **ids).replace(str(marker), "{}")
            for name, endpoint in (
                ("rate", "rubric.rate"),
                ("focus", "rubric.focus"),
                ("evidence", "evidence.index"),
                ("confirm", "rubric.confirm"),
            )
        }


@dataclass(frozen=True)
class Words:
    """How the page names the two sides and their changes."""

    page: RubricPage

    @property
    def mine(self) -> str:
        """Whose ratings the page shows first: "You", "Manager" or the person's name."""
        if self.page.own:
            return "You"
        return "Manager" if self.page.side is Side.MANAGER else self.page.owned.owner_name

    @property
    def theirs_short(self) -> str:
        """The other side in a few letters, for the badge."""
        return "Manager" if self.page.primary is Side.SELF else self.page.owned.owner_name

    @property
    def theirs(self) -> str:
        """The other side, named: "Manager (Maya)" or the person's name."""
        owned = self.page.owned
        if self.page.primary is Side.SELF:
            return f"Manager ({owned.manager_name})" if owned.manager_name else "Manager"
        return owned.owner_name

    @property
    def presence(self) -> str:
        """Who else has the rubric open."""
        return live.presence_text(self.page.here)

    @property
    def seen(self) -> str:
        """Who else is here, as the poller sends it back to notice arrivals."""
        return live.seen_key(uid for uid, _ in self.page.here)

    def evidence(self, item: Item) -> str:
        """Count the items the viewer finds behind the link: shared ones and their own notes."""
        return f"{item.evidence_count + item.row.notes} evidence"

    def rung_name(self, rung: float | None) -> str:
        """Name a chart's rung: its level, or "No level yet" for 0."""
        return self.page.index.name_at(int(rung) - 1) if rung else "No level yet"

    def changed_by(self, item: Item) -> str:
        """Say who last set the other side's rating and when, e.g. "Maya, 3 min ago"."""
        row, owned = item.row, self.page.owned
        if self.page.primary is Side.SELF:
            at, who = row.manager_at, owned.manager_name or "a former manager"
            if row.manager_by_id and row.manager_by_id != owned.manager_id:
                who = "a former manager"
        else:
            at, who = row.self_at, owned.owner_name
        return f"{who}, {ago(at)}" if at else who


def ago(at: datetime, now: datetime | None = None) -> str:
    """Describe a past moment briefly: "just now", "5 min ago", "3 Nov 14:02"."""
    seconds = ((now or utcnow()) - at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return at.strftime("%-d %b %H:%M UTC")


def radar(page: RubricPage, words: Words) -> Radar:
    """The radar of the page's side, with the other side overlaid when it rated."""
    return category_radar(page.index, page.standing, page.other, words.mine, words.theirs)


def context(page: RubricPage, **extra) -> dict:
    """Everything the rubric template reads, for a whole page or some of its blocks."""
    words = Words(page)
    return dict(
        page=page,
        rubric_id=page.rubric.id,
        urls=Urls(page.rubric.id, page.ladder.key),
        words=words,
        radar=lambda: radar(page, words),  # drawn only where a block shows it
        filter_kinds=KINDS,
        filter_max=FILTER_TEXT,
        **extra,
    )
