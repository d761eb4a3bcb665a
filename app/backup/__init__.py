"""Backups: consistent copies of the live database, and restoring them."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one line for the admin."""
