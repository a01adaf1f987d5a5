"""CSV and TSV: records split so that one broken quote cannot swallow the rest of a file.

The csv module, given a stray quote, reads on until the next quote, gluing every
following line into one field. Here each record is first cut out by quote parity
(a record ends at a line end where the number of quote characters is even), then
parsed strictly. If that fails, or a multi-line record has the wrong number of fields,
only its first line is rejected and reading resumes on the line after it.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from ticketlens.errors import UnreadableFile
from ticketlens.ingest._base import BadRow, ProgressFn, RawRow, Reader
from ticketlens.ingest._text import check_file, open_text

#: The longest field imported (characters); a row with a longer one is quarantined once.
MAX_FIELD_CHARS = 16 * 1024 * 1024
#: How far a record opened by a quote is followed before the quote is taken to be stray
#: (its first line is then rejected and reading resumes on the next line). Measured in
#: characters, not lines: an issue body of 200,000 characters spans thousands of lines.
MAX_RECORD_CHARS = 4 * MAX_FIELD_CHARS
_DELIMITERS = (",", ";", "\t", "|")
_TOO_LONG = "field larger than field limit"


def _allow_long_fields() -> None:
    # Python's csv refuses fields over 131,072 characters by default.
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)


def sniff_delimiter(header: str) -> str:
    """The candidate that splits the header line into the most columns (ties: comma)."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _parse(text: str, delimiter: str) -> list[str]:
    """Parse one record strictly; raises csv.Error on broken quoting."""
    rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    if len(rows) != 1:
        raise csv.Error("record splits into several rows")
    return rows[0]


class CsvReader(Reader):
    """Delimited text with a header row; the delimiter is detected unless given."""

    name = "csv"
    maps_columns = True
    extensions: ClassVar[tuple[str, ...]] = (".csv",)
    delimiter: str | None = None

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[RawRow | BadRow]:
        check_file(path)
        _allow_long_fields()
        stream, _encoding = open_text(path, progress)
        with stream:
            yield from self._records(str(path), stream)

    def _records(self, file: str, lines_in: Iterator[str]) -> Iterator[RawRow | BadRow]:
        numbered = ((n, line) for n, line in enumerate(lines_in, start=1))
        header_line = next(((n, line) for n, line in numbered if line.strip()), None)
        if header_line is None:
            raise UnreadableFile(f"{file}: no header row")
        delimiter = self.delimiter or sniff_delimiter(header_line[1])
        try:
            header = [h.strip() for h in _parse(header_line[1].rstrip("\r\n"), delimiter)]
        except csv.Error as exc:
            raise UnreadableFile(
                f"{file}: line {header_line[0]}: unreadable header ({exc})"
            ) from None
        if len(set(header)) != len(header):
            dupes = sorted({h for h in header if header.count(h) > 1})
            raise UnreadableFile(f"{file}: duplicate column names in the header: {dupes}")
        width = len(header)
        pending: deque[tuple[int, str]] = deque()

        def next_line() -> tuple[int, str] | None:
            if pending:
                return pending.popleft()
            return next(numbered, None)

        while (first := next_line()) is not None:
            start, text = first
            if not text.strip():
                continue
            taken = [first]
            quotes, size = text.count('"'), len(text)
            while quotes % 2 and size < MAX_RECORD_CHARS:
                more = next_line()
                if more is None:
                    break
                taken.append(more)
                quotes, size = quotes + more[1].count('"'), size + len(more[1])
            record = "".join(line for _, line in taken).rstrip("\r\n")
            problem = None
            if '"' not in record:
                # Without a quote character csv's parse is exactly a split, and far cheaper.
                values = record.split(delimiter)
            else:
                try:
                    values = _parse(record, delimiter)
                except csv.Error as exc:
                    if _TOO_LONG in str(exc):  # a whole record, one field too long: once
                        yield BadRow(file, start, None, _too_long(), record[:65_536])
                        continue
                    values, problem = [], f"broken quoting ({exc})"
            # Trailing empty cells (a trailing delimiter) are harmless.
            while len(values) > width and values[-1] == "":
                values.pop()
            if len(taken) > 1 and (problem is not None or len(values) != width):
                problem = "broken quoting (a quote opened on this line is never closed)"
            elif problem is None and len(values) != width:
                problem = f"expected {width} fields, found {len(values)}"
            if problem is None:
                yield RawRow(file, start, dict(zip(header, values, strict=True)), record)
                continue
            if len(taken) > 1:
                # Reject only the line that opened the bad quote; re-read the rest.
                pending.extendleft(reversed(taken[1:]))
                record = taken[0][1].rstrip("\r\n")
            yield BadRow(file, start, None, problem, record)


def _too_long() -> str:
    return (
        f"a field is longer than {MAX_FIELD_CHARS:,} characters, the limit for one field"
        " (the row is kept here cut to its first 65,536 characters)"
    )


class TsvReader(CsvReader):
    """Tab-separated values."""

    name = "tsv"
    extensions = (".tsv", ".tab")
    delimiter = "\t"
