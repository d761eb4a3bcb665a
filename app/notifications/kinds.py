"""Every kind of notification, in one registry checked by notify() (like the audit kinds).

Without Flask. A kind whose event does not exist yet is registered with ``wired=False``: it
is hidden from the settings page until the feature that sends it calls its function in
app/notifications/notify.py, and whoever wires it sets ``wired=True`` here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # what the settings page and the unsubscribe page call it
    optional: bool = True  # False: mails about one's account, which cannot be turned off
    in_app: bool = True  # also listed behind the badge in the header
    wired: bool = True


RATING_DIGEST = "rating.digest"
PACKET_SIGNED = "packet.signed"
ONEONONE_CHANGED = "oneonone.changed"
SUGGESTION_DECIDED = "suggestion.decided"
LADDER_CHANGED = "ladder.changed"
INVITATION = "account.invitation"
SIGN_IN_LINK = "account.sign_in_link"

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(RATING_DIGEST, "My manager rated me or disagrees with my rating (a daily digest)"),
        Kind(PACKET_SIGNED, "My promotion packet was signed"),
        Kind(ONEONONE_CHANGED, "A 1:1 is scheduled or its agenda changed"),
        Kind(SUGGESTION_DECIDED, "My ladder suggestion was accepted or declined"),
        Kind(LADDER_CHANGED, "A new ladder version changes competencies I rated"),
        Kind(INVITATION, "Invitation to Rungs", optional=False, in_app=False),
        Kind(SIGN_IN_LINK, "A new sign-in link", optional=False, in_app=False),
    )
}


def get(key: str) -> Kind:
    """Return the kind with this key; an unknown key is a programming error."""
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}") from None


def settable() -> list[Kind]:
    """The kinds a person can turn on and off, in the order the settings page lists them."""
    return [kind for kind in KINDS.values() if kind.optional and kind.wired]
