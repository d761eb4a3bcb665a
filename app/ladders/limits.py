"""How big a ladder may be: one set of numbers for the file checks and the database columns.

The validator refuses what the columns could not hold, so a ladder that passes the preview
never fails on apply, on SQLite (which does not enforce lengths) as on PostgreSQL (which does).
"""

from __future__ import annotations

# Keys of ladders, tracks, levels, categories and competencies (VARCHAR columns).
KEY = 100
# Keys of scale steps: ratings store the step key in a VARCHAR of this length.
SCALE_KEY = 50
# Names of ladders, tracks, levels and categories (VARCHAR columns); titles are TEXT.
NAME = 200
# Real ladders have tens to hundreds of competencies; the cap keeps a hostile file cheap.
COMPETENCIES = 5000
# All the text of one ladder together, in characters, however the file was written: YAML
# aliases repeat what they point to, and several files can be combined into one ladder.
TEXT = 5 * 1024 * 1024
# Values (texts, lists, mappings) in one YAML file, counted with aliases expanded.
NODES = 200_000
# Markdown is parsed whole (markdown-it-py, pure Python: a few seconds per 20,000 lines of
# bullets or table rows on a small server); real Markdown ladders have hundreds of lines.
MARKDOWN_LINES = 20_000
MARKDOWN_BYTES = 2 * 1024 * 1024
