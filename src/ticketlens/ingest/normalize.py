"""Turn a raw row into a :class:`TicketRecord`, or say which field is wrong and why.

Column names are matched case- and punctuation-insensitively against the aliases
below; ``--map FIELD=COLUMN`` overrides them. Columns that match no field are kept
as custom fields, so nothing in the input is lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from ticketlens.errors import IngestError, RowProblem

#: field -> column names recognised for it (already normalised: lower case, underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id",
        "ticket_id",
        "ticketid",
        "case_id",
        "case_number",
        "ticket_number",
        "number",
        "key",
        "issue_key",
        "conversation_id",
        "external_id",
    ),
    "text": (
        "text",
        "body",
        "description",
        "message",
        "content",
        "comment",
        "question",
        "query",
        "ticket_text",
        "ticket_description",
        "customer_message",
        "utterance",
    ),
    "subject": ("subject", "title", "summary", "ticket_subject"),
    "created_at": (
        "created_at",
        "created",
        "creation_date",
        "created_date",
        "date",
        "opened_at",
        "opened",
        "timestamp",
        "submitted_at",
        "date_created",
        "ticket_created",
    ),
    "first_response_at": (
        "first_response_at",
        "first_reply_at",
        "first_response",
        "responded_at",
        "first_response_time",
    ),
    "solved_at": (
        "solved_at",
        "resolved_at",
        "closed_at",
        "resolution_date",
        "date_closed",
        "solved_date",
        "resolved_date",
        "closed_date",
    ),
    "status": ("status", "state", "ticket_status"),
    "channel": ("channel", "via", "medium", "source_channel", "ticket_channel"),
    "priority": ("priority", "urgency", "ticket_priority"),
    "group": ("group", "group_name", "assignee_group", "assignment_group", "team", "queue"),
    "requester": (
        "requester",
        "requester_id",
        "requester_email",
        "customer",
        "customer_id",
        "customer_email",
        "user",
        "user_id",
        "email",
        "author_id",
        "caller_id",
        "contact",
        "client_id",
    ),
    "csat": (
        "csat",
        "satisfaction",
        "satisfaction_score",
        "satisfaction_rating",
        "rating",
        "customer_satisfaction_rating",
        "csat_score",
    ),
    "reopens": ("reopens", "reopen_count", "reopened_count", "times_reopened"),
    "handoffs": (
        "handoffs",
        "group_stations",
        "reassignment_count",
        "reassignments",
        "transfers",
        "handoff_count",
    ),
    "tags": ("tags", "labels", "tag", "label"),
    "language": ("language", "lang", "locale"),
    "messages": ("messages", "thread", "comments", "conversation"),
}
FIELDS = tuple(ALIASES)

_INT_FIELDS = ("reopens", "handoffs")
DATE_FIELDS = ("created_at", "first_response_at", "solved_at")
_LOWER_FIELDS = ("status", "channel", "priority")
_YEAR = re.compile(r"\d{4}")
_EPOCH = re.compile(r"\d{9,13}(\.\d+)?")
_TAG_SPLIT = re.compile(r"[,;|]")
# dateutil fills missing parts from this; fixed so results never depend on today.
_DATE_DEFAULT = dt.datetime(2000, 1, 1)


def column_key(name: str) -> str:
    """Normalise a column name for matching: ``Ticket ID`` -> ``ticket_id``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


@dataclass(frozen=True, slots=True)
class MessageRecord:
    body: str
    role: str | None = None
    author: str | None = None
    created_at: dt.datetime | None = None
    #: the message's id in the source, and the id of the message it answers (threads
    #: that span files and imports are rebuilt from these)
    external_id: str | None = None
    reply_to: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Records cross process boundaries during parallel imports; a plain tuple
        # pickles several times faster than the dataclass's default state protocol.
        return (MessageRecord, self.as_tuple())

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.body,
            self.role,
            self.author,
            self.created_at,
            self.external_id,
            self.reply_to,
        )


@dataclass(slots=True)
class TicketRecord:
    """A normalised ticket, ready to be stored. ``requester`` is the raw identifier."""

    source: str
    external_id: str
    body: str
    subject: str | None = None
    created_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    solved_at: dt.datetime | None = None
    status: str | None = None
    channel: str | None = None
    priority: str | None = None
    group_name: str | None = None
    language: str | None = None
    requester: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    csat: int | None = None
    reopens: int | None = None
    handoffs: int | None = None
    messages: list[MessageRecord] = field(default_factory=list)

    def __reduce__(self) -> tuple[Any, ...]:
        # See MessageRecord.__reduce__: positional values in field order.
        return (TicketRecord, tuple(getattr(self, name) for name in _TICKET_FIELD_NAMES))


_TICKET_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(TicketRecord))


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Parse ``--map FIELD=COLUMN`` options."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        name = name.strip()
        if not sep or not name or not column.strip():
            raise IngestError(f"--map {pair!r}: expected FIELD=COLUMN", hint="e.g. --map text=Body")
        if name not in ALIASES:
            raise IngestError(f"--map {pair!r}: unknown field {name!r}", hint=", ".join(FIELDS))
        mapping[name] = column.strip()
    return mapping


# Column names that say they hold a person's data (their words, after column_key).
_PERSONAL_WORDS = frozenset(
    """email e_mail mail phone telephone tel mobile cell address street postcode postal zip
    zipcode birth birthday birthdate dob age gender sex ip ssn passport nin""".split()  # noqa: SIM905
)
_PERSONAL_PAIRS = frozenset(
    {("first", "name"), ("last", "name"), ("full", "name"), ("given", "name"), ("sur", "name")}
    | {("family", "name"), ("national", "id"), ("card", "number"), ("credit", "card")}
)
_PERSON_WORDS = frozenset(
    "customer client user contact requester caller person member account holder".split()  # noqa: SIM905
)
# Words that make a column about a message or an event, not a person ("Email Subject",
# "Phone Call Date", "Address Verified"): kept.
_NOT_PERSONAL_WORDS = frozenset(
    """subject body text message template type status count sent opened bounced channel call
    verified queue""".split()  # noqa: SIM905
)
#: Which personal column becomes the requester key when there is no requester column.
_REQUESTER_PREFERENCE = ("email", "mail", "phone", "mobile", "name")


def personal_columns(columns: Sequence[str]) -> list[str]:
    """The columns whose names say they hold personal data (``Customer Name``, ``Age``...)."""
    found = []
    for column in columns:
        words = column_key(column).split("_")
        if _NOT_PERSONAL_WORDS & set(words):
            continue
        pairs = set(itertools.pairwise(words))
        named = "name" in words and (len(words) == 1 or bool(_PERSON_WORDS & set(words)))
        if _PERSONAL_WORDS & set(words) or _PERSONAL_PAIRS & pairs or named:
            found.append(column)
    return found


def _requester_from_personal(personal: list[str]) -> str | None:
    for word in _REQUESTER_PREFERENCE:
        for column in personal:
            if word in column_key(column).split("_"):
                return column
    return None


def resolve_columns(columns: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Decide which column feeds which field: ``{field: column}``.

    Explicit ``mapping`` entries win; otherwise the first column (in alias order)
    whose normalised name is an alias of the field.
    """
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(column_key(column), column)
    chosen: dict[str, str] = {}
    for name, column in mapping.items():
        if column in columns:
            chosen[name] = column
        elif column_key(column) in by_key:
            chosen[name] = by_key[column_key(column)]
    taken = set(chosen.values())
    for name, aliases in ALIASES.items():
        if name in chosen:
            continue
        for alias in aliases:
            found = by_key.get(alias)
            if found is not None and found not in taken:
                chosen[name] = found
                taken.add(found)
                break
    if "requester" not in chosen:
        # No requester column: a personal one (an email, a phone, a name) is the key instead,
        # pseudonymised like any requester, so repeat contacts still count.
        personal = [c for c in personal_columns(columns) if c not in taken]
        requester = _requester_from_personal(personal)
        if requester is not None:
            chosen["requester"] = requester
    return chosen


def content_id(raw: str) -> str:
    """A stable id for a record without one: a hash of its raw content."""
    return "h" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: Any) -> Any:
    """Strip a string, turning blank into None; other values pass as they are."""
    if value.__class__ is str:
        return value.strip() or None
    return value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


#: field -> TicketRecord attribute, by how the value is cleaned.
_STRING_ATTRS = {
    "subject": "subject",
    "group": "group_name",
    "language": "language",
    "requester": "requester",
}


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which column feeds which attribute, for one set of columns."""

    text: str | None
    external_id: str | None
    messages: str | None
    csat: str | None
    tags: str | None
    dates: tuple[tuple[str, str], ...]
    lowered: tuple[tuple[str, str], ...]
    strings: tuple[tuple[str, str], ...]
    counts: tuple[tuple[str, str], ...]
    custom: tuple[str, ...]
    #: custom columns left out because their names say they hold personal data
    dropped: tuple[str, ...]

    @classmethod
    def build(
        cls, columns: dict[str, str], keys: tuple[str, ...], keep: frozenset[str] = frozenset()
    ) -> _Plan:
        """``columns`` maps fields to columns; ``keys`` are all the row's columns; ``keep``
        names personal columns to keep as custom fields all the same."""

        def pairs(names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
            return tuple((attr, columns[name]) for name, attr in names.items() if name in columns)

        used = set(columns.values())
        unused = [k for k in keys if k not in used]
        personal = set(personal_columns(unused)) - keep
        return cls(
            text=columns.get("text"),
            external_id=columns.get("external_id"),
            messages=columns.get("messages"),
            csat=columns.get("csat"),
            tags=columns.get("tags"),
            dates=pairs({n: n for n in DATE_FIELDS}),
            lowered=pairs({n: n for n in _LOWER_FIELDS}),
            strings=pairs(_STRING_ATTRS),
            counts=pairs({n: n for n in _INT_FIELDS}),
            custom=tuple(k for k in unused if k not in personal),
            dropped=tuple(k for k in unused if k in personal),
        )


class Normaliser:
    """Normalise the rows of one import (its settings and column mapping fixed)."""

    def __init__(
        self,
        *,
        source: str,
        tz: ZoneInfo,
        mapping: Mapping[str, str] | None = None,
        csat_scale: int = 5,
        dayfirst: bool = False,
        keep_columns: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.keep_columns = frozenset(keep_columns)
        # The stdlib's UTC singleton lets later stages skip a conversion by identity.
        self.tz: dt.tzinfo = dt.UTC if tz.key == "UTC" else tz
        self.mapping = dict(mapping or {})
        self.csat_scale = csat_scale
        self.dayfirst = dayfirst
        self._columns_cache: dict[tuple[str, ...], dict[str, str]] = {}
        self._plans: dict[tuple[str, ...], _Plan] = {}

    def columns_for(self, keys: list[str]) -> dict[str, str]:
        cache_key = tuple(keys)
        found = self._columns_cache.get(cache_key)
        if found is None:
            found = self._columns_cache[cache_key] = resolve_columns(keys, self.mapping)
        return found

    def _plan(self, fields: dict[str, Any]) -> _Plan:
        # Rows of one file share their columns: decide the mapping once per column set.
        key = tuple(fields)
        plan = self._plans.get(key)
        if plan is None:
            columns = self.columns_for(list(key))
            plan = self._plans[key] = _Plan.build(columns, key, self.keep_columns)
        return plan

    def dropped_columns(self, keys: list[str]) -> list[str]:
        """The personal columns rows with these columns lose (see ``privacy.keep_columns``)."""
        return list(self._plan(dict.fromkeys(keys)).dropped)

    def normalise(self, fields: dict[str, Any], raw: str) -> TicketRecord:
        """Build a ticket from one row.

        Raises:
            RowProblem: naming the column and what is wrong with it.
        """
        plan = self._plan(fields)
        messages = self._messages(fields[plan.messages], plan.messages) if plan.messages else []
        text = _clean(fields[plan.text]) if plan.text else None
        if text is None and messages:
            text = next((m.body for m in messages if m.role != "agent"), messages[0].body)
        if text is None:
            raise RowProblem(plan.text or "text", "empty text")
        external = _clean(fields[plan.external_id]) if plan.external_id else None
        values: dict[str, Any] = {}
        for attr, column in plan.dates:
            values[attr] = self._date(_clean(fields[column]), column)
        for attr, column in plan.lowered:
            value = _clean(fields[column])
            values[attr] = None if value is None else _text(value).lower()
        for attr, column in plan.strings:
            value = _clean(fields[column])
            values[attr] = None if value is None else _text(value)
        for attr, column in plan.counts:
            values[attr] = self._count(_clean(fields[column]), column)
        if plan.csat:
            values["csat"] = self._csat(_clean(fields[plan.csat]), plan.csat)
        if plan.tags:
            values["tags"] = self._tags(_clean(fields[plan.tags]))
        custom = {}
        for key in plan.custom:
            value = fields[key]
            if not _blank(value):
                custom[key] = value
        return TicketRecord(
            source=self.source,
            external_id=content_id(raw) if external is None else _text(external),
            body=_text(text),
            messages=messages,
            custom_fields=custom,
            **values,
        )

    def _date(self, value: Any, column: str) -> dt.datetime | None:
        """Parse a cleaned value (see :func:`_clean`): ISO 8601 first, it is by far the
        most common; then epoch seconds or milliseconds; then dateutil."""
        if value is None:
            return None
        parsed: dt.datetime | None = None
        if value.__class__ is str:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                if _EPOCH.fullmatch(value):
                    parsed = self._epoch(float(value), column)
                else:
                    parsed = self._lenient_date(value, column)
        elif isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parsed = self._epoch(float(value), column)
        if parsed is None:
            raise RowProblem(column, f"unparseable date {value!r}")
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=self.tz)

    def _lenient_date(self, text: str, column: str) -> dt.datetime:
        # Require a year: dateutil would otherwise read "5" as the 5th of some month.
        if not _YEAR.search(text):
            raise RowProblem(column, f"unparseable date {text!r}")
        try:
            return date_parser.parse(text, default=_DATE_DEFAULT, dayfirst=self.dayfirst)
        except (ValueError, OverflowError):
            raise RowProblem(column, f"unparseable date {text!r}") from None

    @staticmethod
    def _epoch(seconds: float, column: str) -> dt.datetime:
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise RowProblem(column, f"timestamp {seconds!r} out of range") from None

    @staticmethod
    def _number(value: Any, column: str, what: str) -> int | None:
        if _blank(value):
            return None
        if value.__class__ is str and value.isdigit():
            return int(value)  # the common case, before the general checks
        if isinstance(value, bool):
            raise RowProblem(column, f"{what} must be a whole number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise RowProblem(column, f"{what} must be a whole number, got {value!r}") from None
        if not math.isfinite(number) or number != int(number):
            raise RowProblem(column, f"{what} must be a whole number, got {value!r}")
        return int(number)

    def _count(self, value: Any, column: str) -> int | None:
        number = self._number(value, column, column)
        if number is not None and number < 0:
            raise RowProblem(column, f"{column} cannot be negative, got {value!r}")
        return number

    def _csat(self, value: Any, column: str) -> int | None:
        # Binary ratings (Zendesk's good / bad) sit at the two ends of the scale.
        if isinstance(value, str) and value.strip().lower() in ("good", "bad"):
            return self.csat_scale if value.strip().lower() == "good" else 1
        number = self._number(value, column, "CSAT")
        if number is not None and not 1 <= number <= self.csat_scale:
            raise RowProblem(column, f"CSAT must be 1-{self.csat_scale}, got {value!r}")
        return number

    @staticmethod
    def _tags(value: Any) -> list[str]:
        if _blank(value):
            return []
        items = value if isinstance(value, list) else _TAG_SPLIT.split(str(value))
        return list(dict.fromkeys(t for t in (str(i).strip() for i in items) if t))

    def _messages(self, value: Any, column: str) -> list[MessageRecord]:
        if _blank(value):
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise RowProblem(column, "thread is not a JSON list of messages") from None
        if not isinstance(value, list):
            raise RowProblem(column, "thread must be a list of messages")
        messages = []
        for i, item in enumerate(value, start=1):
            where = f"{column}[{i}]"
            if isinstance(item, str):
                item = {"body": item}
            if not isinstance(item, dict):
                raise RowProblem(where, "a message must be an object or a string")
            body = next(
                (
                    item[k]
                    for k in ("body", "text", "content", "message", "plain_body")
                    if not _blank(item.get(k))
                ),
                None,
            )
            if body is None:
                continue  # empty messages (system notes, attachments only) carry no text
            role = item.get("role") or item.get("author_role") or item.get("type")
            author = item.get("author") or item.get("author_id") or item.get("from")
            created = item.get("created_at") or item.get("timestamp") or item.get("date")
            own_id, answers = item.get("id"), item.get("reply_to") or item.get("in_reply_to")
            messages.append(
                MessageRecord(
                    body=_text(body),
                    role=None if _blank(role) else _text(role).lower(),
                    author=None if _blank(author) else _text(author),
                    created_at=self._date(created, f"{where}.created_at"),
                    external_id=None if _blank(own_id) else _text(own_id)[:255],
                    reply_to=None if _blank(answers) else _text(answers)[:255],
                )
            )
        return messages
