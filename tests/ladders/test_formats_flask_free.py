"""The ladder file formats are domain code: importing them loads no Flask."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# `app/__init__.py` builds the Flask app, so the package is stood in for by a bare module:
# what is measured is what app.ladders.formats itself pulls in.
PROBE = """
import sys, types
package = types.ModuleType("app")
package.__path__ = [sys.argv[1]]
sys.modules["app"] = package
import app.ladders.formats
from app.ladders.formats import read
read(b"level,category,competency\\nL1,Craft,Writes tests\\n", filename="x.csv")
print(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug", "sqlalchemy")))
"""


def test_importing_and_using_the_formats_loads_no_flask():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "app")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
