"""Sending a notification: the in-app entry and the mail, in the caller's transaction.

Every function here only adds rows to the session; the caller's commit writes them with the
change they tell about, and the worker sends the mail later, so a request never waits for
SMTP and never fails because of it.

Features call the function of their kind:

- ``packet_signed``: app/share/views.py, when a manager signs a packet (wired).
- ``invitation`` / ``sign_in_link``: the admin pages and ``flask users create`` (wired).
- ``oneonone_changed``: app/oneonone/views.py, when the manager schedules the next 1:1
  (wired; agenda changes do not send it yet).
- ``suggestion_decided``: the ladder suggestions feature, when one is accepted or declined.
- ``ladder_changed``: the ladder import, when a new version changes competencies that the
  person has ratings for.

The rating digest is not sent from a request at all: see digest.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import delete, select

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.mail import outbox
from app.notifications import kinds, unsubscribe
from app.notifications.models import Notification, NotificationSetting

TITLE_MAX = 300
KEEP = timedelta(days=90)  # notifications older than this are deleted by the worker


def channels(user_id: int, kind: str) -> tuple[bool, bool]:
    """Return (email, in_app): what the person wants for this kind; both on by default."""
    row = db.session.scalar(
        select(NotificationSetting).where(
            NotificationSetting.user_id == user_id, NotificationSetting.kind == kind
        )
    )
    return (row.email, row.in_app) if row else (True, True)


def notify(person: User, kind: str, *, title: str, text: str, link: str) -> Notification | None:
    """Tell a person something: an entry behind their badge and a mail, as they chose.

    ``link`` is a path inside Rungs (from url_for), where the person reads more. Returns the
    in-app entry, if one was written. Deactivated people are told nothing.
    """
    spec = kinds.get(kind)
    if not person.active:
        return None
    email_on, app_on = channels(person.id, kind) if spec.optional else (True, spec.in_app)
    title = " ".join(title.split())[:TITLE_MAX]
    entry = None
    if spec.in_app and app_on:
        entry = Notification(user_id=person.id, kind=kind, title=title, body=text, link=link)
        db.session.add(entry)
    if email_on and outbox.configured():
        token = unsubscribe.token_for(person.id, kind)
        stop = outbox.link("notifications.unsubscribe", token=token)
        context = {
            "person": person,
            "title": title,
            "text": text,
            "link": outbox.absolute(link),
            "settings": outbox.link("notifications.settings"),
            "unsubscribe": stop,
            "kind": spec,
        }
        outbox.enqueue(
            person.email,
            title,
            render_template("mail/notification.txt", **context),
            render_template("mail/notification.html", **context),
            kind=kind,
            # One-click unsubscribe for mail clients (RFC 8058); the link opens a page too.
            headers={
                "List-Unsubscribe": f"<{stop}>",
                "List-Unsubscribe-Post": unsubscribe.ONE_CLICK,
            },
        )
    return entry


def _account_mail(person: User, kind: str, subject: str, link: str, days: int, by: str) -> None:
    """Mail a one-time link to a person; such mails cannot be turned off and are blanked
    once sent, since the link signs them in."""
    from app.auth.sso import client as sso  # the SSO settings decide what the mail offers

    context = {
        "person": person,
        "link": link,
        "days": days,
        "by": by,
        "sso_name": sso.display_name() if sso.enabled() else None,
        "login": outbox.link("auth.login"),
        "kind": kinds.get(kind),
    }
    outbox.enqueue(
        person.email,
        subject,
        render_template("mail/account.txt", **context),
        render_template("mail/account.html", **context),
        kind=kind,
        sensitive=True,
    )


def invitation(person: User, link: str, *, days: int, by: str) -> bool:
    """Mail an invitation link to a new person; True if a mail was written."""
    if not outbox.configured():
        return False
    _account_mail(person, kinds.INVITATION, f"{by} invited you to Rungs", link, days, by)
    return True


def sign_in_link(person: User, link: str, *, days: int, by: str) -> bool:
    """Mail a new sign-in link (a lost invitation, a forgotten password); True if written."""
    if not outbox.configured():
        return False
    _account_mail(person, kinds.SIGN_IN_LINK, "Your new Rungs sign-in link", link, days, by)
    return True


def packet_signed(owner_id: int, *, by: User, level: str, link: str) -> None:
    """Tell a person their manager signed their promotion packet for a level."""
    owner = db.session.get(User, owner_id)
    if owner is None or owner.id == by.id:
        return
    notify(
        owner,
        kinds.PACKET_SIGNED,
        title=f"{by.name} signed your promotion packet for {level}",
        text=f"{by.name} signed off your promotion packet for {level}. "
        "The sign-off is in your rubric's history.",
        link=link,
    )


def packet_withdrawn(owner_id: int, *, by: User, level: str, link: str) -> None:
    """Tell a person their manager withdrew the sign-off of their packet for a level.

    The same kind (and setting) as the sign-off: whoever was told of one hears of the other.
    """
    owner = db.session.get(User, owner_id)
    if owner is None or owner.id == by.id:
        return
    notify(
        owner,
        kinds.PACKET_SIGNED,
        title=f"{by.name} withdrew the sign-off of your promotion packet for {level}",
        text=f"{by.name} withdrew their sign-off of your promotion packet for {level}. "
        "Both are in your rubric's history.",
        link=link,
    )


def oneonone_changed(
    person: User, *, by: User, when: date | datetime | None, agenda_changed: bool, link: str
) -> None:
    """Tell a person a 1:1 with them was scheduled (``when``) or its agenda changed."""
    if person.id == by.id:
        return
    if agenda_changed:
        title = f"{by.name} changed the agenda of your 1:1"
    else:
        title = f"{by.name} scheduled a 1:1 with you"
    if isinstance(when, datetime):
        title += f" on {when:%a %d %b %Y at %H:%M} UTC"
    elif when is not None:
        title += f" on {when:%a %-d %b %Y}"  # a day: the pair settle the hour themselves
    notify(person, kinds.ONEONONE_CHANGED, title=title, text=title + ".", link=link)


def suggestion_decided(
    person: User, *, by: User, accepted: bool, suggestion: str, link: str
) -> None:
    """Tell a person their suggestion for the ladder was accepted or declined."""
    verdict = "accepted" if accepted else "declined"
    notify(
        person,
        kinds.SUGGESTION_DECIDED,
        title=f"{by.name} {verdict} your ladder suggestion",
        text=f"{by.name} {verdict} your suggestion “{suggestion[:200]}”.",
        link=link,
    )


def ladder_changed(person: User, *, ladder: str, competencies: list[str], link: str) -> None:
    """Tell a person a new version of a ladder changed competencies they have rated."""
    if not competencies:
        return
    shown = ", ".join(f"“{title}”" for title in competencies[:5])
    more = f" and {len(competencies) - 5} more" if len(competencies) > 5 else ""
    notify(
        person,
        kinds.LADDER_CHANGED,
        title=f"The {ladder} ladder changed {len(competencies)} competencies you rated",
        text=f"A new version of the {ladder} ladder changed {shown}{more}. "
        "Your ratings are kept; check that they still fit.",
        link=link,
    )


def purge() -> int:
    """Forget notifications older than 90 days, read or not."""
    count = db.session.execute(
        delete(Notification).where(Notification.created_at < utcnow() - KEEP)
    ).rowcount
    db.session.commit()
    return count
