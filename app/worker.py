"""The periodic work: build due digests, send the outbox, forget what is past keeping.

`flask mail send-pending` runs it once (from cron or a systemd timer), and each app server
runs it every RUNGS_WORKER_INTERVAL seconds in a background thread (0 turns the thread off).
Several of them at once are safe: digests and mails are claimed atomically.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask, current_app

from app.extensions import db
from app.mail import worker as mail_worker
from app.notifications import digest, notify


@dataclass
class Summary:
    digests: int
    mail: mail_worker.Report
    forgotten: int

    def text(self) -> str:
        return (
            f"Digests: {self.digests} written. {self.mail.summary()} "
            f"Forgotten: {self.forgotten} old notifications and mails."
        )


def run_once() -> Summary:
    """Do one round of the periodic work, in the current app's context."""
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    # url_for needs a request to build links; mails link to RUNGS_BASE_URL.
    with current_app.test_request_context(base_url=base):
        try:
            digests = digest.build_due()
            forgotten = notify.purge() + mail_worker.purge()
            report = mail_worker.send_pending()
        finally:
            db.session.remove()
    return Summary(digests, report, forgotten)


class Background:
    """A daemon thread in an app server process that calls run_once every few seconds."""

    def __init__(self, app: Flask, interval: float):
        self.app = app
        self.interval = interval
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def start_once(self) -> None:
        # Started by the first request, so it runs in each server process after the fork,
        # and never in `flask` commands.
        if self.thread is not None:
            return
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self.loop, name="rungs-worker", daemon=True)
                self.thread.start()

    def loop(self) -> None:
        while not self.stop.wait(self.interval):
            with self.app.app_context():
                try:
                    summary = run_once()
                    if summary.digests or summary.mail.sent or summary.mail.failed:
                        self.app.logger.info(summary.text())
                except Exception:  # keep the thread alive: the next round may succeed
                    self.app.logger.exception("The background worker's round failed")


def init_app(app: Flask) -> None:
    """Start the background thread with the first request, if RUNGS_WORKER_INTERVAL > 0."""
    interval = float(app.config.get("WORKER_INTERVAL", 0) or 0)
    if interval <= 0 or app.testing:  # tests run rounds by hand, when they choose
        return
    background = Background(app, interval)
    app.extensions["rungs_worker"] = background
    app.before_request(background.start_once)
