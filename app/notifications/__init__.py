"""Telling people what happened: in-app notifications, emails, per-person settings."""
