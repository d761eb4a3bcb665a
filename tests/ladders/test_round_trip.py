"""Export -> import -> export gives the same bytes, in CSV and YAML, for every fixture and
every shared real ladder; re-importing an unchanged export changes (so archives) nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ladders.formats import (
    carry_over,
    diff,
    export_csv,
    export_rungs,
    parse,
    read,
    read_many,
)

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "ladders"
REAL = (
    "ft-engineering.yml",
    "monzo-backend.md",
    "monzo-people-malformed.md",
    "codecademy-ic.md",
)
# (id, files, how several files combine)
SETS = [(p.name, [p], None) for p in sorted(FIXTURES.glob("*.*"))] + [
    ("per-level", sorted((FIXTURES / "per-level").iterdir()), "levels"),
    ("tracks", sorted((FIXTURES / "tracks").iterdir()), "tracks"),
    ("monzo", sorted((FIXTURES / "monzo").iterdir()), "tracks"),
]
if SHARED.is_dir():
    SETS += [(name, [SHARED / name], None) for name in REAL]


def spec_of(files: list[Path], combine_as: str | None):
    if combine_as is None:
        return read(files[0].read_bytes(), filename=files[0].name).spec
    return read_many([(p.name, p.read_bytes()) for p in files], combine_as=combine_as).spec


@pytest.mark.parametrize(("files", "combine_as"), [s[1:] for s in SETS], ids=[s[0] for s in SETS])
def test_csv_export_import_export_is_byte_identical(files, combine_as):
    spec = spec_of(files, combine_as)
    first = export_csv(spec)
    fresh = parse(first.encode(), filename=f"{spec.key}.csv")
    assert export_csv(fresh) == first
    # Into the ladder it came from: what CSV cannot hold is kept, and nothing changes.
    again = carry_over(spec, fresh)
    assert export_csv(again) == first
    change = diff(spec, again)
    assert change.summary() == "no changes", change
    assert again == spec or sorted(again.competencies, key=lambda c: c.key) == sorted(
        spec.competencies, key=lambda c: c.key
    )


@pytest.mark.parametrize(("files", "combine_as"), [s[1:] for s in SETS], ids=[s[0] for s in SETS])
def test_yaml_export_import_export_is_byte_identical(files, combine_as):
    spec = spec_of(files, combine_as)
    first = export_rungs(spec)
    back = parse(first.encode(), filename="exported.yml")
    assert back == spec
    assert export_rungs(back) == first


@pytest.mark.parametrize(("files", "combine_as"), [s[1:] for s in SETS], ids=[s[0] for s in SETS])
def test_reimporting_an_unchanged_export_through_the_cli_archives_nothing(
    runner, tmp_path, files, combine_as
):
    combine = ["--combine", combine_as] if combine_as else []
    first = runner.invoke(args=["ladder", "import", *map(str, files), *combine])
    assert first.exit_code == 0, first.output
    key = first.output.split("(", 1)[1].split(")", 1)[0]
    for fmt in ("csv", "yaml"):
        out = tmp_path / f"export.{fmt}"
        exported = runner.invoke(args=["ladder", "export", key, "--format", fmt, "-o", str(out)])
        assert exported.exit_code == 0, exported.output
        again = runner.invoke(args=["ladder", "import", str(out), "--key", key])
        assert again.exit_code == 0, again.output
        assert f"({key}) unchanged: no changes." in again.output
        second = tmp_path / f"again.{fmt}"
        runner.invoke(args=["ladder", "export", key, "--format", fmt, "-o", str(second)])
        assert second.read_bytes() == out.read_bytes()
