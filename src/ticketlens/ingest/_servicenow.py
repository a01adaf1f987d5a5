"""ServiceNow incident event logs: many event rows per incident in, one ticket out.

The format
----------
The UCI "Incident management process enriched event log" (Amaral et al.) is a
ServiceNow audit export, one row per update of an incident::

    number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,
    caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,
    sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,
    urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,
    problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at

Each row is the incident as it stood after one update (``sys_updated_at``, by
``sys_updated_by``). Dates are day first, to the minute (``29-02-2016 01:16``; ``/`` or
``.`` separators and seconds are accepted too); ``?`` (or an empty cell) means missing.
The reader parses the dates itself, so the workspace's ``ingest.dayfirst`` setting does
not matter; they carry no time zone and are read in the workspace's, like any naive
timestamp. Only ``number``, ``incident_state`` and ``sys_updated_at`` are required; any
other column may be absent.

The mapping
-----------
The events of an incident are put in order by ``sys_updated_at``, then file order (the
times are to the minute, so several updates often share one). "Last" below means the
last event in that order whose value is not missing.

======================  =============================================================
``id``                  ``number``
``created_at``          ``opened_at``
``first_response_at``   the first event whose state is no longer ``New`` (someone took
                        the incident up: worked on it, asked the caller, resolved it).
                        The log records no messages, so this is the nearest thing to a
                        first response; an incident created already ``Active`` was
                        taken up by the agent who logged it, at that first event.
``solved_at``           the last ``resolved_at``; if there is none, the time of the last
                        event that moved the incident to ``Resolved``; failing that, for
                        a closed incident, ``closed_at``. Empty unless the incident ends
                        ``Resolved`` or ``Closed`` (a reopened, still active incident is
                        not solved).
``status``              the last event's ``incident_state`` (``closed``, ``resolved``,
                        ``active``, ``awaiting user info``...; lower-cased on import)
``reopens``             the largest ``reopen_count``
``handoffs``            the largest ``reassignment_count``
``channel``             ``contact_type``, lower-cased (``phone``, ``email``,
                        ``self service``...)
``priority``            ``priority`` (``3 - Moderate``)
``group``               ``assignment_group``
``requester``           ``caller_id``
``text``                built from ``category``, ``subcategory``, ``u_symptom`` and
                        ``cmdb_ci`` (``Category 55 / Subcategory 170: Symptom 72
                        (configuration item: cmdb_ci 31)``): the log has no free text, so
                        this is the only description there is. An incident with none of
                        the four reads ``Incident INC... (no category, symptom or
                        configuration item recorded)``.
``messages``            one per change of state, in order: ``state: Resolved``, role
                        ``agent``, author ``sys_updated_by``, at ``sys_updated_at``
custom fields           ``made_sla`` (true/false), ``impact``, ``urgency``,
                        ``closed_code``, ``location``, and ``events`` (how many event rows
                        the incident has)
======================  =============================================================

A row that cannot be used is rejected on its own as a :class:`BadRow` with its line and
field (no ``number`` or ``incident_state``; a missing or unparseable ``sys_updated_at``,
since the event cannot be placed; an unparseable ``opened_at``, ``resolved_at`` or
``closed_at``; a count that is not a whole number; broken CSV quoting); the incident is
still built from its other events.

Memory: the events of one incident need not be next to each other in the file, so every
incident stays open until the end of the file. What is kept per incident is small: the
last value of each mapped column, the two largest counts, and per event only its time,
line, state and author (for the thread), never the rows themselves (rejected rows are
kept whole, to be quarantined). Incidents are yielded in the order of their first line,
rejected rows among them by line. A ticket's ``raw`` (what the quarantine shows,
should the ticket itself be rejected) is its JSON form.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ticketlens.errors import RowProblem, UnreadableFile
from ticketlens.ingest._base import BadRow, Item, ProgressFn, RawRow, Reader
from ticketlens.ingest._csv import CsvReader
from ticketlens.ingest._json import canonical
from ticketlens.ingest._tabular import head_columns, merge_by_row, read_header

#: A header with all of these is a ServiceNow event log.
SIGNATURE = frozenset({"number", "incident_state", "reassignment_count", "reopen_count"})
REQUIRED_COLUMNS = ("number", "incident_state", "sys_updated_at")
#: Columns whose last non-missing value is kept.
_LAST = (
    "opened_at",
    "resolved_at",
    "closed_at",
    "caller_id",
    "contact_type",
    "priority",
    "assignment_group",
    "category",
    "subcategory",
    "u_symptom",
    "cmdb_ci",
    "made_sla",
    "impact",
    "urgency",
    "closed_code",
    "location",
)
_DATES = ("opened_at", "resolved_at", "closed_at")
_COUNTS = ("reopen_count", "reassignment_count")
_SOLVED_STATES = frozenset({"resolved", "closed"})
_DAY_FIRST = re.compile(
    r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
)


def parse_day_first(text: str) -> dt.datetime | None:
    """``29-02-2016 01:16`` (day first; ISO 8601 also accepted) as a naive datetime."""
    text = text.strip()
    match = _DAY_FIRST.fullmatch(text)
    if match is not None:
        day, month, year, hour, minute, second = match.groups()
        try:
            return dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
            )
        except ValueError:
            return None
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def _value(fields: dict[str, str], column: str) -> str | None:
    """The cell, stripped; None when missing (absent column, empty, or ``?``)."""
    value = fields.get(column)
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "?") else value


class _Event(NamedTuple):
    at: dt.datetime
    line: int
    state: str
    by: str | None


def _event(fields: dict[str, str], line: int) -> tuple[str, _Event, dict[str, Any], list[int]]:
    """Parse one row: (number, event, mapped values, [reopen_count, reassignment_count]).

    Raises RowProblem naming the first field that is wrong.
    """
    number = _value(fields, "number")
    if number is None:
        raise RowProblem("number", "empty incident number")
    state = _value(fields, "incident_state")
    if state is None:
        raise RowProblem("incident_state", "empty incident_state")
    updated = _value(fields, "sys_updated_at")
    if updated is None:
        raise RowProblem("sys_updated_at", "empty sys_updated_at (the event cannot be placed)")
    at = parse_day_first(updated)
    if at is None:
        raise RowProblem("sys_updated_at", f"unparseable date {updated!r}")
    values: dict[str, Any] = {}
    for column in _LAST:
        value = _value(fields, column)
        if value is not None and column in _DATES:
            parsed = parse_day_first(value)
            if parsed is None:
                raise RowProblem(column, f"unparseable date {value!r}")
            values[column] = parsed
        elif value is not None:
            values[column] = value
    counts = []
    for column in _COUNTS:
        value = _value(fields, column)
        if value is None:
            counts.append(0)
        elif value.isdigit():
            counts.append(int(value))
        else:
            raise RowProblem(column, f"{column} must be a whole number, got {value!r}")
    by = _value(fields, "sys_updated_by")
    # Interned: a handful of states and agents repeat over thousands of events.
    event = _Event(at, line, sys.intern(state), None if by is None else sys.intern(by))
    return number, event, values, counts


class _Incident:
    """Everything kept of one incident while the file is read."""

    __slots__ = ("events", "handoffs", "last", "line", "number", "reopens")

    def __init__(self, number: str, line: int) -> None:
        self.number = number
        self.line = line
        self.events: list[_Event] = []
        #: column -> ((time, line) of the event it comes from, value)
        self.last: dict[str, tuple[tuple[dt.datetime, int], Any]] = {}
        self.reopens = 0
        self.handoffs = 0

    def add(self, event: _Event, values: dict[str, Any], counts: list[int]) -> None:
        self.events.append(event)
        key = (event.at, event.line)
        for column, value in values.items():
            held = self.last.get(column)
            if held is None or held[0] < key:
                self.last[column] = (key, value)
        self.reopens = max(self.reopens, counts[0])
        self.handoffs = max(self.handoffs, counts[1])

    def get(self, column: str) -> Any:
        held = self.last.get(column)
        return None if held is None else held[1]

    def text(self) -> str:
        category = " / ".join(v for v in (self.get("category"), self.get("subcategory")) if v)
        symptom = self.get("u_symptom")
        text = f"{category}: {symptom}" if category and symptom else category or symptom or ""
        item = self.get("cmdb_ci")
        if item:
            text = f"{text} (configuration item: {item})" if text else f"configuration item: {item}"
        return (
            text or f"Incident {self.number} (no category, symptom or configuration item recorded)"
        )

    def ticket(self) -> dict[str, Any]:
        events = sorted(self.events, key=lambda e: (e.at, e.line))
        status = events[-1].state
        first_response = next((e.at for e in events if e.state.lower() != "new"), None)
        messages = []
        resolved_at = None  # when it last moved to Resolved
        previous = None
        for e in events:
            if e.state != previous:
                body = f"state: {e.state}"
                messages.append({"body": body, "role": "agent", "author": e.by, "created_at": e.at})
                if e.state.lower() == "resolved":
                    resolved_at = e.at
            previous = e.state
        solved_at = None
        if status.lower() in _SOLVED_STATES:
            solved_at = self.get("resolved_at") or resolved_at
            if solved_at is None and status.lower() == "closed":
                solved_at = self.get("closed_at")
        channel = self.get("contact_type")
        made_sla = self.get("made_sla")
        if isinstance(made_sla, str) and made_sla.lower() in ("true", "false"):
            made_sla = made_sla.lower() == "true"
        return {
            "id": self.number,
            "text": self.text(),
            "created_at": self.get("opened_at"),
            "first_response_at": first_response,
            "solved_at": solved_at,
            "status": status,
            "channel": channel.lower() if channel else None,
            "priority": self.get("priority"),
            "group": self.get("assignment_group"),
            "requester": self.get("caller_id"),
            "reopens": self.reopens,
            "handoffs": self.handoffs,
            "messages": messages,
            "made_sla": made_sla,
            "impact": self.get("impact"),
            "urgency": self.get("urgency"),
            "closed_code": self.get("closed_code"),
            "location": self.get("location"),
            "events": len(events),
        }


class ServiceNowReader(Reader):
    """ServiceNow incident event log CSV: the events of one incident make one ticket."""

    name = "servicenow"

    def sniff(self, path: Path, head: str) -> bool:
        del path
        return set(head_columns(head)) >= SIGNATURE

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[Item]:
        file = str(path)
        columns = read_header(path)
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise UnreadableFile(
                f"{file}: not a ServiceNow event log (no {', '.join(missing)} column)",
                hint="expected an incident event log with " + ", ".join(sorted(SIGNATURE)),
            )
        incidents: dict[str, _Incident] = {}
        bad: list[BadRow] = []
        for item in CsvReader().read(path, progress):
            if isinstance(item, BadRow):
                bad.append(item)
                continue
            try:
                number, event, values, counts = _event(item.fields, item.row)
            except RowProblem as problem:
                bad.append(BadRow(file, item.row, problem.field, problem.reason, item.raw))
                continue
            incident = incidents.get(number)
            if incident is None:
                incident = incidents[number] = _Incident(number, item.row)
            incident.add(event, values, counts)

        def tickets() -> Iterator[RawRow]:
            for incident in incidents.values():
                fields = incident.ticket()
                # One row per event: the incident's first is the ticket, the rest joined.
                joined = len(incident.events) - 1
                yield RawRow(file, incident.line, fields, canonical(fields), joined=joined)

        # Incidents in the order of their first line, rejected rows in between.
        yield from merge_by_row(tickets(), bad)
