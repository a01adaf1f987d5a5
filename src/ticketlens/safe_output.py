"""Untrusted text on its way out: one CSV writer for every CSV ticketlens writes, and the
escaping that terminals need too.

Ticket text can carry terminal escape sequences (``ESC ] 0 ; title BEL`` retitles a
window), bidi overrides that make text read differently than it is stored, and
spreadsheet formulas (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). What ticketlens
writes for people is made harmless:

- control characters (except newline, carriage return and tab, which are text in a CSV
  cell) and bidi controls are written as visible escapes (``\\x1b``, ``\\u202e``);
- a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with ``'``, as OWASP recommends against CSV injection, so a spreadsheet shows
  it as text instead of evaluating it. Numbers are numbers and are left as they are.

Scripts that want the cells exactly as stored pass ``formulas=False`` (the CLI's
``--raw``); the escaping of control characters stays, as it does on a terminal. JSON is
written exactly: it is data for programs, and its string escaping is already safe.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

# Everything that moves a terminal's cursor or changes its state, except newline and tab
# (and, in a CSV cell, carriage return); bidi embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_CELL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(value: Any) -> str:
    """Text safe to print on a terminal: control and bidi characters escaped."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(_escape, text)


def safe_cell(value: Any, *, formulas: bool = True) -> Any:
    """One CSV cell: text escaped and, unless ``formulas`` is off, never a formula."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = _CONTROL_IN_CELL.sub(_escape, str(value))
    if formulas and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeCsvWriter:
    """``csv.DictWriter`` with every cell made safe (see the module docstring)."""

    def __init__(
        self,
        fh: TextIO,
        columns: Sequence[str],
        *,
        formulas: bool = True,
        delimiter: str = ",",
    ) -> None:
        self.columns = list(columns)
        self.formulas = formulas
        self._fh = fh
        self._writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")

    def writeheader(self) -> None:
        self._writer.writerow([safe_cell(c, formulas=self.formulas) for c in self.columns])

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow([safe_cell(row.get(c), formulas=self.formulas) for c in self.columns])

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)

    def write_line(self, text: str) -> None:
        """A line as it is (a row that could not be split into cells), made safe the
        same way as a cell."""
        self._fh.write(str(safe_cell(text.rstrip("\r\n"), formulas=self.formulas)) + "\n")
