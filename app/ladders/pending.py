"""Uploads waiting for their preview to be confirmed: one file, or a zip of several."""

from __future__ import annotations

import io
import zipfile

from app.ladders.models import PendingImport


def pack(files: list[tuple[str, bytes]]) -> bytes:
    """Keep several files, in their order, as one blob (a zip that stores, not compresses)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for n, (name, data) in enumerate(files):
            archive.writestr(f"{n:03d}/{name}", data)
    return out.getvalue()


def files_of(pending: PendingImport) -> list[tuple[str, bytes]]:
    """Return the uploaded files of a pending import as ``(filename, data)``."""
    if pending.combine_as is None:
        return [(pending.filename, pending.data)]
    with zipfile.ZipFile(io.BytesIO(pending.data)) as archive:
        return [(info.filename.split("/", 1)[1], archive.read(info)) for info in archive.infolist()]
