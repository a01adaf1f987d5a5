"""Rows kept aside during imports, with file, row, field and reason."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import select

from ticketlens.safe_output import SafeCsvWriter
from ticketlens.store.schema import QuarantinedRow

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

COLUMNS = ("id", "import_id", "source", "file", "row", "field", "reason", "raw", "created_at")


def list_quarantine(
    workspace: Workspace,
    *,
    source: str | None = None,
    import_id: int | None = None,
    with_fields: bool = False,
) -> list[dict[str, Any]]:
    """Every quarantined row, in the order they were found (``with_fields``: and its
    columns, as :func:`export_rejected` writes them)."""
    query = select(QuarantinedRow).order_by(QuarantinedRow.id)
    if source is not None:
        query = query.where(QuarantinedRow.source == source)
    if import_id is not None:
        query = query.where(QuarantinedRow.import_id == import_id)
    with workspace.store.session() as s:
        return [
            {
                "id": q.id,
                "import_id": q.import_id,
                "source": q.source,
                "file": q.file,
                "row": q.row,
                "field": q.field,
                "reason": q.reason,
                "raw": q.raw,
                "created_at": q.created_at.isoformat(),
                **({"fields": q.fields} if with_fields else {}),
            }
            for q in s.scalars(query)
        ]


#: How a rejected row is written back, by the extension of the file it came from.
_DELIMITED = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".txt": ","}


@dataclass(frozen=True)
class ExportedFile:
    """One file of ``quarantine export``: the rejected rows of one imported file."""

    source_file: str
    path: Path
    rows: int


def export_rejected(
    workspace: Workspace, folder: Path, *, source: str | None = None, formulas: bool = True
) -> list[ExportedFile]:
    """Write the rejected rows back in the form they came in, one file per imported file
    (same name, in ``folder``): fix them there and import the file again.

    A row that could be split into columns is written in the file's own columns, values
    redacted as stored, the requester as its pseudonym (an import recognises one and
    keeps it, so the person's contacts still count together); a row that could not (broken
    quoting, a JSON item cut off) is written as its raw text, to mend by hand. CSV and TSV
    files come back as CSV/TSV with their header; anything else as JSON Lines. Cells are
    written by the one safe CSV writer (``formulas=False`` leaves cells starting with
    ``=`` unguarded, to re-import them exactly).
    """
    rows = list_quarantine(workspace, source=source, with_fields=True)
    by_file: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_file.setdefault(row["file"], []).append(row)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[ExportedFile] = []
    used: set[str] = set()
    for file, rejected in by_file.items():
        original = PurePath(file)
        delimiter = _DELIMITED.get(original.suffix.lower())
        name = original.name if delimiter else f"{original.stem}.jsonl"
        name = _unique(name, used)
        target = folder / name
        with target.open("w", encoding="utf-8", newline="") as fh:
            if delimiter:
                _write_delimited(fh, rejected, delimiter, formulas=formulas)
            else:
                _write_lines(fh, rejected)
        written.append(ExportedFile(file, target, len(rejected)))
    return written


def _unique(name: str, used: set[str]) -> str:
    """Two imported files of one name (from two folders) get two export files."""
    candidate, n = name, 1
    while candidate in used:
        n += 1
        stem, dot, ext = name.partition(".")
        candidate = f"{stem}-{n}{dot}{ext}"
    used.add(candidate)
    return candidate


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write_delimited(
    fh: TextIO, rows: list[dict[str, Any]], delimiter: str, *, formulas: bool
) -> None:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row["fields"] or {}))
    header = list(columns) or _header_of(Path(rows[0]["file"]), delimiter)
    writer = SafeCsvWriter(fh, header, formulas=formulas, delimiter=delimiter)
    if header:
        writer.writeheader()
    for row in rows:
        fields = row["fields"]
        if fields is None:  # could not be split into columns: as it was
            writer.write_line(row["raw"])
        else:
            writer.writerow({c: _cell(fields.get(c)) for c in header})


def _header_of(original: Path, delimiter: str) -> list[str]:
    """The imported file's header, when no rejected row has columns (all were broken)
    and the file is still there; otherwise none."""
    try:
        with original.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            return next(csv.reader(fh, delimiter=delimiter), [])
    except (OSError, csv.Error):
        return []


def _write_lines(fh: TextIO, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        fields = row["fields"]
        if fields is None:
            # JSON Lines wants one line per item: a multi-line raw item is put on one.
            fh.write(" ".join(row["raw"].splitlines()) + "\n")
        else:
            fh.write(json.dumps(fields, ensure_ascii=False, default=str) + "\n")
