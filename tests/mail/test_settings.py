"""Mail settings: read from RUNGS_SMTP_URL and RUNGS_MAIL_FROM, checked when the app starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app import create_app
from app.mail.settings import MailConfigError, SmtpSettings, parse_from, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:pa%40ss@mail.example.com",
            SmtpSettings("mail.example.com", 587, "starttls", "user", "pa@ss"),
        ),
        ("smtp://mail.example.com:2525", SmtpSettings("mail.example.com", 2525, "starttls")),
        ("smtps://u:p@mail.example.com", SmtpSettings("mail.example.com", 465, "ssl", "u", "p")),
        ("smtp://127.0.0.1:25?tls=off", SmtpSettings("127.0.0.1", 25, "none")),
        ("smtp://u:p@localhost?tls=off", SmtpSettings("localhost", 587, "none", "u", "p")),
        (
            "smtp://mail.example.com?timeout=5",
            SmtpSettings("mail.example.com", 587, "starttls", timeout=5.0),
        ),
    ],
)
def test_smtp_urls_are_read(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.com", "must start with smtp:// or smtps://"),
        ("mail.example.com:587", "must start with smtp:// or smtps://"),
        ("smtp://", "names no server"),
        ("smtp://mail.example.com:99999", "cannot be read"),
        ("smtp://mail.example.com/inbox", "no path"),
        ("smtp://mail.example.com?starttls=no", "unknown options starttls"),
        ("smtps://mail.example.com?tls=off", "only tls option"),
        ("smtp://u:secret@mail.example.com?tls=off", "password would cross the network"),
        ("smtp://mail.example.com?timeout=0", "seconds between 1 and 300"),
    ],
)
def test_bad_smtp_urls_say_what_to_write(url, says):
    with pytest.raises(MailConfigError, match=says):
        parse_smtp_url(url)


def test_the_password_never_shows_in_logs():
    settings = parse_smtp_url("smtp://rungs:hunter2-secret@mail.example.com")
    assert "hunter2" not in repr(settings) and "hunter2" not in settings.describe()


@pytest.mark.parametrize(
    ("value", "shown"),
    [("rungs@example.com", "Rungs <rungs@example.com>"), ("Ladder <l@example.org>", None)],
)
def test_sender_addresses(value, shown):
    assert str(parse_from(value)) == (shown or value)


@pytest.mark.parametrize("value", ["", "rungs", "rungs@localhost", "a@b.com\r\nBcc: x@y.com"])
def test_bad_sender_addresses_are_refused(value):
    with pytest.raises(MailConfigError, match="RUNGS_MAIL_FROM"):
        parse_from(value)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"SMTP_URL": "smtp:/mail.example.com"}, "names no server"),
        ({"SMTP_URL": "smtp://mail.example.com"}, "RUNGS_MAIL_FROM must be"),
        (
            {"SMTP_URL": "smtp://mail.example.com", "MAIL_FROM": "rungs@example.com"},
            "RUNGS_BASE_URL is not",
        ),
    ],
)
def test_the_app_does_not_start_with_mail_settings_that_cannot_work(migrated, settings, says):
    with pytest.raises(MailConfigError, match=says):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": migrated, **settings})


def test_a_server_started_with_a_typo_stops_with_the_sentence(tmp_path):
    env = {
        "RUNGS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "RUNGS_SMTP_URL": "smtp://mail.example.com:58z",
        "RUNGS_SECRET_KEY": "x",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "RUNGS_SMTP_URL cannot be read" in done.stderr
