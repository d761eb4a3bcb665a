"""Rungs: a living, interactive career-ladder rubric.

Importing ``app`` loads no Flask: the domain core (``app.levels``, ``app.ladders.formats``)
is plain Python, and Flask comes in with :func:`create_app`.
"""

from __future__ import annotations

import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def create_app(test_config: dict | None = None):
    """Create and configure a Rungs application."""
    from app.factory import create_app as build

    return build(test_config)
