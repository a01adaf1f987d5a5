"""Day first or month first: what a file's own dates say.

``01.03.2026`` is the 1st of March to most of the world and January 3rd to the US.
A file usually tells: one date with a first number above 12 (``13.03.2026``) can only
be day first, one with a second number above 12 (``03/13/2026``) only month first.
When it cannot tell, the import follows ``ingest.dayfirst`` and says so once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Two numbers, then a year, separated by . / or -; an ISO date (year first) never matches.
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})\b")
#: Rows a file is surveyed on before its first written row.
SURVEY_ROWS = 10_000


@dataclass(frozen=True)
class DateOrder:
    """What a file's dates say: day first (True), month first (False) or nothing (None)."""

    dayfirst: bool | None
    #: it has dates like 01.03.2026 that only an order makes sense of
    ambiguous: bool

    def note(self, file: str, setting: bool) -> str | None:
        """What to tell the user about this file's dates, if anything."""
        if self.dayfirst is not None or not self.ambiguous:
            return None
        order = "day first (3 January = 03.01)" if setting else "month first (01/03 = 3 January)"
        return (
            f"{file}: dates like 01.03.2026 could be either order; read {order} as "
            f"ingest.dayfirst = {'true' if setting else 'false'} says (set it in ticketlens.toml)"
        )


def date_order(values: Iterable[object]) -> DateOrder:
    """Survey date values (strings; others are ignored)."""
    day_first = month_first = ambiguous = False
    for value in values:
        if not isinstance(value, str):
            continue
        match = _NUMERIC_DATE.match(value)
        if match is None:
            continue
        first, second = int(match[1]), int(match[2])
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            month_first = True
        elif first != second:
            ambiguous = True
    if day_first != month_first:  # the file says one thing: follow it
        return DateOrder(dayfirst=day_first, ambiguous=ambiguous)
    return DateOrder(dayfirst=None, ambiguous=ambiguous or (day_first and month_first))
