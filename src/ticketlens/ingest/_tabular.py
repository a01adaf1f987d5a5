"""Helpers shared by readers of delimited exports that regroup rows (TWCS, ServiceNow)."""

from __future__ import annotations

import codecs
import csv
import heapq
from collections.abc import Iterable, Iterator
from pathlib import Path

from ticketlens.ingest._base import BadRow, RawRow
from ticketlens.ingest._csv import sniff_delimiter
from ticketlens.ingest._text import check_file


def read_header(path: Path, delimiter: str | None = None) -> list[str]:
    """The column names of a delimited file (first non-blank line), without reading it all.

    An unparseable header gives no columns (the caller then says which are missing).

    Raises:
        UnreadableFile: the file is missing, a folder, empty or binary.
    """
    check_file(path)
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None
    text = head.decode(encoding or "utf-8-sig", errors="replace")
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    return _split_header(line, delimiter or sniff_delimiter(line))


def _split_header(line: str, delimiter: str) -> list[str]:
    try:
        rows = list(csv.reader([line.lstrip("\ufeff")], delimiter=delimiter, strict=True))
    except csv.Error:
        return []
    return [c.strip() for c in rows[0]] if rows else []


def head_columns(head: str) -> list[str]:
    """The column names on the first non-blank line of ``head`` (for ``sniff``)."""
    line = next((ln for ln in head.lstrip("\ufeff").splitlines() if ln.strip()), "")
    return _split_header(line, sniff_delimiter(line))


def _row_of(item: RawRow | BadRow) -> int:
    return item.row or 0


def merge_by_row(tickets: Iterable[RawRow], bad: list[BadRow]) -> Iterator[RawRow | BadRow]:
    """Rebuilt tickets (by the line they start on) and rejected rows, in line order."""
    bad.sort(key=_row_of)
    streams: list[Iterable[RawRow | BadRow]] = [tickets, bad]
    return heapq.merge(*streams, key=_row_of)
