"""The domain core imports without Flask or the database: it is plain data in, data out."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "app.levels.index",
        "app.levels.rules",
        "app.levels.gaps",
        "app.levels.standing",
        "app.levels.incremental",
        "app.ladders.spec",
        "app.ladders.formats",
    ],
)
def test_importing_loads_no_flask_nor_sqlalchemy(module):
    # A fresh interpreter: this test process has loaded Flask long ago.
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug')); "
        "print(','.join(bad))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == ""
