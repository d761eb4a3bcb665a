"""What the code never does: SQL from strings, shell, eval, pickle, XML parsers, |safe on user text."""

from __future__ import annotations

import re
from pathlib import Path

from app import ROOT

# V1: encoding, injection, sanitising ---------------------------------------------------


APP = Path(ROOT) / "app"


def sources(folder: Path, suffix: str = ".py"):
    for file in sorted(folder.rglob(f"*{suffix}")):
        if not file.is_file():
            continue
        yield file, file.read_text(encoding="utf-8")


def test_sql_is_never_built_from_strings():
    # SQL goes through SQLAlchemy expressions and bound parameters. The exceptions count
    # rows of tables named by the database's own catalogue, quoted as identifiers.
    allowed = {APP / "backup" / "summary.py", APP / "backup" / "sqlite.py"}
    built = re.compile(
        r"(text|exec_driver_sql|execute)\(\s*(f[\"']|[\"'][^\"']*[\"']\s*(%|\+)|.*\.format\()"
    )
    for file, source in sources(APP):
        found = built.search(source)
        assert file in allowed or found is None, f"{file}: SQL built from a string: {found[0]}"


def test_no_shell_eval_pickle_or_xml_parsers():
    banned = re.compile(
        r"shell=True|os\.system\(|os\.popen\(|\beval\(|\bexec\(|import pickle|"
        r"yaml\.load\(|yaml\.unsafe_load|import xml|from xml|lxml"
    )
    for file, source in sources(APP):
        found = banned.search(source)
        assert found is None, f"{file}: {found.group(0)}"
    for file, source in sources(Path(ROOT) / "static" / "js", ".js"):
        assert "innerHTML" not in source and "eval(" not in source, file


def test_templates_autoescape_and_never_mark_user_text_safe():
    for file, source in sources(Path(ROOT) / "templates", ""):
        if file.suffix == ".txt" and file.parent.name == "mail":
            continue  # the plain-text part of a mail: HTML escapes would show as "&amp;"
        assert file.suffix == ".html", f"{file}: Flask autoescapes only .html templates"
        assert not re.search(r"\|\s*safe\b", source), f"{file}: |safe"
        assert "autoescape false" not in source, file
