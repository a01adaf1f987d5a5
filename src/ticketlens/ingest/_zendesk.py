"""Zendesk: the full JSON export, Tickets API lists and Incremental Export pages.

What is read, by Zendesk's own field names:

* **Full JSON export** (Admin Center > Account > Tools > Reports): one ticket per line
  (NDJSON), each possibly with its ``comments`` and ``metric_set``.
* **Tickets API / JSON array**: ``[ticket, ...]`` or ``{"tickets": [...], ...}``, also
  ``{"ticket": {...}}`` (Show Ticket).
* **Incremental Export pages** (time- or cursor-based):
  ``{"tickets": [...], "end_time"/"after_cursor", "next_page"/"after_url", "count",
  "end_of_stream"}``, with side-loads (``include=metric_sets,users,groups``) as top-level
  ``"metric_sets"``, ``"users"``, ``"groups"`` (``"ticket_metrics"`` is accepted too).
* **A folder** of any of these (``*.json``, ``*.jsonl``, ``*.ndjson``), read in natural
  name order. Pages repeat a ticket each time it changed: a ticket met more than once in
  a folder is read once, in its latest version (greatest ``updated_at``; on a tie, the
  one read last), so re-reading the same pages changes nothing. Side-loads join
  the tickets of their own page only, as Zendesk sends them.

How fields map (the rest of the ticket is kept as custom fields):

=====================  =================================================================
ticketlens             Zendesk
=====================  =================================================================
id                     ``id``
text                   ``description`` (else the first customer comment)
subject                ``subject`` (else ``raw_subject``)
created_at             ``created_at``
first_response_at      ``created_at`` + ``metric_set.reply_time_in_minutes.calendar``;
                       without metrics, the first public agent comment after a first
                       customer comment
solved_at              ``metric_set.solved_at``
status, priority       ``status``, ``priority``
channel                ``via.channel`` (``voice`` is stored as ``phone``; the raw value
                       is kept as custom field ``via_channel``)
group                  the side-loaded group's ``name`` (``group_id`` is kept as well)
requester              ``requester_id`` (stable across exports; pseudonymised on import)
language               the side-loaded requester's ``locale``, when present
csat                   ``satisfaction_rating.score``: ``good`` -> 5, ``bad`` -> 1 (the two
                       ends of the default 1-5 scale); ``offered``/``unoffered`` -> none.
                       The raw score is kept as ``satisfaction`` (and ``comment``,
                       ``reason`` as ``satisfaction_comment``, ``satisfaction_reason``)
reopens                ``metric_set.reopens``
handoffs               ``metric_set.group_stations`` - 1 (at least 0)
tags                   ``tags``
messages               public ``comments`` in order: body from ``body`` (else
                       ``plain_body``, else ``html_body`` without tags); role ``agent``
                       when the author is a side-loaded agent/admin, ``customer`` when an
                       end-user; without users, ``customer`` if the author is the
                       requester, else ``agent``. Private notes are not part of the
                       thread; their number is kept as ``private_comments``.
=====================  =================================================================

Custom fields: ``type``, ``updated_at``, ``due_at``, ``external_id``, ``assignee_id``,
``group_id``, ``organization_id``, ``brand_id``, ``ticket_form_id``, ``via_channel``, each
``custom_fields`` entry as ``field_<id>``, and from the metrics
``replies``, ``group_stations``, ``assignee_stations`` and the calendar and business-hours
minutes of ``reply_time``, ``first_resolution_time`` and ``full_resolution_time``
(``reply_time_calendar_minutes``, ``reply_time_business_minutes``, ...).
``submitter_id``, collaborators and side-loaded user details other than an agent's name
and the requester's locale are left out: they identify customers, and only the requester
is pseudonymised.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from ticketlens.errors import RowProblem, UnreadableFile
from ticketlens.ingest._base import BadRow, Item, ProgressFn, RawRow, Reader, SkippedRow
from ticketlens.ingest._json import canonical, first_line, json_lines
from ticketlens.ingest._text import check_file, folder_files, open_text, open_utf8

#: File endings read from a folder.
FOLDER_EXTENSIONS = (".json", ".jsonl", ".ndjson")
#: satisfaction_rating.score values that are ratings; normalisation puts "good" at the top
#: of the workspace's CSAT scale and "bad" at 1.
CSAT_SCORES = ("good", "bad")
#: Scores that mean "no rating given".
UNRATED_SCORES = ("offered", "unoffered")
#: Top-level keys of a page that hold side-loaded records, and what they are.
SIDELOADS = {
    "metric_sets": "metrics",
    "ticket_metrics": "metrics",
    "users": "users",
    "groups": "groups",
}
#: Metric durations kept as custom fields, calendar and business minutes each.
DURATION_METRICS = ("reply_time", "first_resolution_time", "full_resolution_time")
#: Plain ticket attributes kept as custom fields under their Zendesk names.
TICKET_EXTRAS = (
    "type",
    "updated_at",
    "due_at",
    "external_id",
    "assignee_id",
    "group_id",
    "organization_id",
    "brand_id",
    "ticket_form_id",
)
#: via.channel values stored under the name other sources use.
CHANNEL_NAMES = {"voice": "phone"}
AGENT_USER_ROLES = ("agent", "admin")

# A JSON line longer than this is not treated as one NDJSON record.
_LINE_LIMIT = 64 << 20
# Files up to this size are parsed whole (C speed; Incremental pages are a few MB);
# larger ones, or ones that do not parse whole, are streamed with ijson.
WHOLE_FILE_LIMIT = 32 << 20
_TAG = re.compile(r"<[^>]+>")
# Sniffing: a page, or a ticket object with Zendesk's own keys.
_TICKETS_ARRAY = re.compile(r'"tickets"\s*:\s*\[')
_PAGE_KEY = re.compile(r'"(?:end_time|next_page|after_cursor|after_url|end_of_stream)"\s*:')
_VIA_KEY = re.compile(r'"via"\s*:\s*\{')
_REQUESTER_KEY = re.compile(r'"requester_id"\s*:')
_MIN_TIME = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the tickets are in a file, and how to read it."""

    #: ``whole``: one JSON value, small enough to parse at once; ``lines``: NDJSON;
    #: ``stream``: streamed with ijson.
    kind: Literal["whole", "lines", "stream"]
    prefix: str = ""  # ijson prefix of the ticket objects (``stream``)
    paged: bool = False  # tickets inside a page object that may carry side-loads


@dataclass(slots=True)
class _SideLoads:
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)  # by ticket_id
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, kind: str, record: Any) -> None:
        if not isinstance(record, dict):
            return
        key = _id_text(record.get("ticket_id") if kind == "metrics" else record.get("id"))
        if key is not None:
            getattr(self, kind)[key] = record

    def add_page(self, page: dict[str, Any]) -> None:
        for name, kind in SIDELOADS.items():
            records = page.get(name)
            if isinstance(records, list):
                for record in records:
                    self.add(kind, record)


_NO_SIDELOADS = _SideLoads()


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one ``read`` covers: its files, their layouts, and which copy of a ticket wins."""

    signature: tuple[tuple[str, int, int], ...]
    files: list[Path]
    layouts: dict[Path, _Layout | UnreadableFile]
    #: ticket id -> (file index, sequence number in the file) of the copy to read.
    winners: dict[str, tuple[int, int]] | None


def _id_text(value: Any) -> str | None:
    """A Zendesk id as text (``123``, ``123.0`` and ``"123"`` are the same id)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _time(value: Any) -> dt.datetime | None:
    """Zendesk's ISO 8601 timestamps (``2026-03-02T09:15:00Z``); None if not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def looks_like_zendesk(head: str) -> bool:
    """Whether the start of a JSON file is a Zendesk page or Zendesk ticket objects."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    if _TICKETS_ARRAY.search(text) and _PAGE_KEY.search(text):
        return True
    return bool(_VIA_KEY.search(text) and _REQUESTER_KEY.search(text))


def _check_tickets(value: Any) -> None:
    """Fail unless a parsed JSON value holds Zendesk tickets."""
    if isinstance(value, list):
        return
    if not isinstance(value, dict):
        raise UnreadableFile("a bare JSON value, not Zendesk tickets")
    if isinstance(value.get("tickets"), list) or isinstance(value.get("ticket"), dict):
        return
    if "id" not in value:
        _no_tickets(list(value))


def _no_tickets(keys: list[str]) -> NoReturn:
    if "ticket_events" in keys:
        raise UnreadableFile(
            "an incremental ticket *events* export; export tickets "
            "(/api/v2/incremental/tickets) instead"
        )
    if not keys:
        raise UnreadableFile("no Zendesk tickets found")
    raise UnreadableFile(f"no Zendesk tickets found (top-level keys: {', '.join(keys[:8])})")


def detect_layout(path: Path) -> _Layout:
    """Find how to read a file: whole, NDJSON lines, or streamed (array or page).

    Raises:
        UnreadableFile: not JSON, or no tickets in it.
    """
    import ijson

    candidates: list[str] = []
    stream, _ = open_text(path)
    with stream:
        if path.stat().st_size <= WHOLE_FILE_LIMIT:
            text = stream.read()
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                pass  # NDJSON, or broken: find out below
            else:
                _check_tickets(value)
                return _Layout("whole")
            candidates = [line for line in text.splitlines()[:100] if line.strip()][:2]
        else:
            while len(candidates) < 2:
                line = stream.readline(_LINE_LIMIT)
                if not line:
                    break
                if line.strip():
                    candidates.append(line)
    first = candidates[0].strip() if candidates else ""
    if first.startswith("{") and first.endswith("}"):
        for line in candidates:
            if len(line) >= _LINE_LIMIT and not line.endswith("\n"):
                break
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict) and (
                "id" in value
                or isinstance(value.get("tickets"), list)
                or isinstance(value.get("ticket"), dict)
            ):
                return _Layout("lines")

    keys: list[str] = []
    with open_utf8(path) as raw:
        try:
            for prefix, event, value in ijson.parse(raw, multiple_values=True):
                if prefix != "":
                    continue
                if event == "start_array":
                    return _Layout("stream", prefix="item")
                if event == "map_key":
                    if value == "tickets":
                        return _Layout("stream", prefix="tickets.item", paged=True)
                    if value == "ticket":
                        return _Layout("stream", prefix="ticket", paged=True)
                    keys.append(value)
                elif event == "end_map":
                    if "id" in keys:
                        return _Layout("stream", prefix="")
                    break
                elif event != "start_map":
                    raise UnreadableFile("a bare JSON value, not Zendesk tickets")
        except ijson.JSONError as exc:
            raise UnreadableFile(f"not valid JSON ({first_line(exc)})") from None
    _no_tickets(keys)


def _sideloads(path: Path) -> _SideLoads:
    """Collect a streamed page's side-loaded records (they may come after the tickets).

    One C-speed ijson pass per side-load is much faster than one pass in Python.
    """
    import ijson

    side = _SideLoads()
    for name, kind in SIDELOADS.items():
        with open_utf8(path) as raw:
            records = ijson.items(raw, f"{name}.item", multiple_values=True, use_float=True)
            try:
                for record in records:
                    side.add(kind, record)
            except ijson.JSONError:
                pass  # a truncated page: keep what was complete; the ticket pass reports it
    return side


def _unpack(value: Any) -> Iterator[tuple[Any, _SideLoads]]:
    """The tickets in one JSON value: a ticket, a page, or an array of tickets."""
    if isinstance(value, dict) and isinstance(value.get("tickets"), list):
        side = _SideLoads()
        side.add_page(value)
        for ticket in value["tickets"]:
            yield ticket, side
    elif isinstance(value, dict) and isinstance(value.get("ticket"), dict):
        side = _SideLoads()
        side.add_page(value)
        yield value["ticket"], side
    elif isinstance(value, list):
        for ticket in value:
            yield ticket, _NO_SIDELOADS
    else:
        yield value, _NO_SIDELOADS


def _items(
    path: Path,
    layout: _Layout,
    progress: ProgressFn | None,
    *,
    with_sideloads: bool = True,
    strict: bool = False,
) -> Iterator[tuple[int, Any, _SideLoads, str | None] | BadRow]:
    """Every ticket object of a file: its row (line or item number), side-loads, raw text.

    The raw text is the NDJSON line for a line holding one ticket, else None.

    ``strict``: raise when nothing at all can be read (a single file, not a folder).
    """
    import ijson

    file = str(path)
    if layout.kind == "whole":
        stream, _ = open_text(path, progress)
        with stream:
            value = json.loads(stream.read())
        for n, (ticket, side) in enumerate(_unpack(value), start=1):
            yield n, ticket, side, None
        return
    if layout.kind == "lines":
        stream, _ = open_text(path, progress)
        with stream:
            for parsed in json_lines(stream, file):
                if isinstance(parsed, BadRow):
                    yield parsed
                    continue
                n, value, text = parsed
                if isinstance(value, dict) and "id" in value:
                    yield n, value, _NO_SIDELOADS, text
                    continue
                for ticket, side in _unpack(value):
                    yield n, ticket, side, None
        return

    side = _sideloads(path) if layout.paged and with_sideloads else _NO_SIDELOADS
    n = 0
    with open_utf8(path, progress) as raw:
        items = ijson.items(raw, layout.prefix, multiple_values=True, use_float=True)
        try:
            for n, ticket in enumerate(items, start=1):
                yield n, ticket, side, None
        except ijson.JSONError as exc:
            if n == 0 and strict:
                raise UnreadableFile(f"{file}: not valid JSON ({first_line(exc)})") from None
            reason = f"invalid JSON from item {n + 1} on ({first_line(exc)}); rest unread"
            yield BadRow(file, n + 1, None, reason, "")


def _number(value: Any, where: str, *, whole: bool = False) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RowProblem(where, f"expected a number of at least 0, got {value!r}")
    if whole and value != int(value):
        raise RowProblem(where, f"expected a whole number, got {value!r}")
    return value


def _plain(comment: dict[str, Any]) -> str | None:
    for key in ("body", "plain_body"):
        value = comment.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    markup = comment.get("html_body")
    if isinstance(markup, str) and markup.strip():
        text = html.unescape(_TAG.sub(" ", markup))
        return re.sub(r"[ \t]+", " ", text).strip() or None
    return None


def _role(
    author: str | None, requester: str | None, users: dict[str, dict[str, Any]]
) -> str | None:
    user = users.get(author) if author is not None else None
    if user is not None:
        if user.get("role") in AGENT_USER_ROLES:
            return "agent"
        if user.get("role") == "end-user":
            return "customer"
    if author is None:
        return None
    return "customer" if author == requester else "agent"


def _thread(
    comments: Any, requester: str | None, users: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Public comments as messages, and how many private notes were left out."""
    if comments is None:
        return [], 0
    if not isinstance(comments, list):
        raise RowProblem("comments", "expected a list of comments")
    messages: list[dict[str, Any]] = []
    private = 0
    for i, comment in enumerate(comments, start=1):
        if not isinstance(comment, dict):
            raise RowProblem(f"comments[{i}]", "a comment must be an object")
        if comment.get("public") is False:
            private += 1
            continue
        body = _plain(comment)
        if body is None:
            continue  # attachments only, or an empty system comment
        author = _id_text(comment.get("author_id"))
        role = _role(author, requester, users)
        name = users.get(author, {}).get("name") if author is not None else None
        messages.append(
            {
                "body": body,
                "role": role,
                "author": name if role == "agent" and isinstance(name, str) else author,
                "created_at": comment.get("created_at"),
            }
        )
    return messages, private


def _metric_fields(
    metrics: dict[str, Any], where: str, created: dt.datetime | None
) -> tuple[dict[str, Any], dt.datetime | None, int | None]:
    """Custom fields from a metric set, the first response time and the handoffs."""
    extras: dict[str, Any] = {}
    for name in ("replies", "group_stations", "assignee_stations"):
        value = _number(metrics.get(name), f"{where}.{name}", whole=True)
        if value is not None:
            extras[name] = int(value)
    reply_calendar: float | None = None
    for name in DURATION_METRICS:
        minutes = metrics.get(f"{name}_in_minutes")
        if minutes is None:
            continue
        if not isinstance(minutes, dict):
            raise RowProblem(f"{where}.{name}_in_minutes", "expected {calendar, business}")
        for kind in ("calendar", "business"):
            value = _number(minutes.get(kind), f"{where}.{name}_in_minutes.{kind}")
            if value is not None:
                extras[f"{name}_{kind}_minutes"] = value
                if name == "reply_time" and kind == "calendar":
                    reply_calendar = value
    first_response = None
    if created is not None and reply_calendar is not None:
        first_response = created + dt.timedelta(minutes=reply_calendar)
    stations = extras.get("group_stations")
    handoffs = None if stations is None else max(stations - 1, 0)
    return extras, first_response, handoffs


def _satisfaction(rating: Any) -> tuple[str | None, dict[str, Any]]:
    """CSAT and the raw rating fields kept as custom fields."""
    if rating is None:
        return None, {}
    if isinstance(rating, str):
        rating = {"score": rating}
    if not isinstance(rating, dict):
        raise RowProblem("satisfaction_rating", "expected an object with a score")
    extras = {
        key: rating.get(name)
        for key, name in (
            ("satisfaction", "score"),
            ("satisfaction_comment", "comment"),
            ("satisfaction_reason", "reason"),
        )
        if not _blank(rating.get(name))
    }
    score = rating.get("score")
    if score is None:
        return None, extras
    text = str(score).strip().lower()
    for prefix in CSAT_SCORES:
        if text.startswith(prefix):  # also good_with_comment / bad_without_comment
            return prefix, extras
    if text in UNRATED_SCORES or not text:
        return None, extras
    raise RowProblem(
        "satisfaction_rating.score",
        f"unknown satisfaction score {score!r} (expected good, bad, offered or unoffered)",
    )


def ticket_fields(ticket: dict[str, Any], side: _SideLoads) -> dict[str, Any]:
    """Map one Zendesk ticket to ticketlens's fields (see the module docstring).

    Raises:
        RowProblem: a Zendesk field that cannot be mapped, naming it.
    """
    key = _id_text(ticket.get("id"))
    if key is None:
        raise RowProblem("id", "ticket has no id")
    requester = _id_text(ticket.get("requester_id"))
    created = _time(ticket.get("created_at"))
    messages, private = _thread(ticket.get("comments"), requester, side.users)

    nested = ticket.get("metric_set")
    if isinstance(nested, dict):
        metrics, where = nested, "metric_set"
    else:
        metrics, where = side.metrics.get(key, {}), "metric_sets"
    extras, first_response, handoffs = _metric_fields(metrics, where, created)
    first_response_at: Any = first_response
    if not metrics and messages and messages[0]["role"] == "customer":
        first_response_at = next((m["created_at"] for m in messages if m["role"] == "agent"), None)
    csat, satisfaction = _satisfaction(ticket.get("satisfaction_rating"))

    via = ticket.get("via")
    raw_channel = via.get("channel") if isinstance(via, dict) else None
    channel = CHANNEL_NAMES.get(raw_channel, raw_channel) if isinstance(raw_channel, str) else None
    group = side.groups.get(_id_text(ticket.get("group_id")) or "", {}).get("name")
    locale = side.users.get(requester or "", {}).get("locale")
    subject = ticket.get("subject")
    if _blank(subject):
        subject = ticket.get("raw_subject")

    fields: dict[str, Any] = {
        "id": key,
        "text": ticket.get("description"),
        "subject": subject,
        "created_at": ticket.get("created_at"),
        "first_response_at": first_response_at,
        "solved_at": metrics.get("solved_at"),
        "status": ticket.get("status"),
        "channel": channel,
        "priority": ticket.get("priority"),
        "group": group if isinstance(group, str) else None,
        "requester": requester,
        "csat": csat,
        "reopens": metrics.get("reopens"),
        "handoffs": handoffs,
        "tags": ticket.get("tags"),
        "language": locale if isinstance(locale, str) else None,
        "messages": messages,
    }
    for name in TICKET_EXTRAS:
        if not _blank(ticket.get(name)):
            fields[name] = ticket[name]
    if isinstance(raw_channel, str):
        fields["via_channel"] = raw_channel
    custom = ticket.get("custom_fields")
    if isinstance(custom, list):
        for entry in custom:
            if not isinstance(entry, dict) or _blank(entry.get("value")):
                continue
            field_id = _id_text(entry.get("id"))
            if field_id is not None:
                fields[f"field_{field_id}"] = entry["value"]
    fields.update(extras)
    fields.update(satisfaction)
    if private:
        fields["private_comments"] = private
    return fields


class ZendeskReader(Reader):
    """Zendesk exports: a JSON/NDJSON file, or a folder of them (see the module docstring)."""

    name = "zendesk"
    extensions = ()
    reads_folders = True

    def __init__(self) -> None:
        # The import checks a file before reading it: the plan is worked out once.
        self._plans: dict[Path, _Plan] = {}

    def sniff(self, path: Path, head: str) -> bool:
        if path.is_dir():
            for child in self._files(path)[:20]:
                try:
                    with child.open("rb") as fh:
                        child_head = fh.read(64 * 1024).decode("utf-8", errors="replace")
                except OSError:
                    continue
                if looks_like_zendesk(child_head):
                    return True
            return False
        return looks_like_zendesk(head)

    @staticmethod
    def _files(folder: Path) -> list[Path]:
        return folder_files(folder, FOLDER_EXTENSIONS)

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[Item]:
        plan = self._plan(path)
        folder = path.is_dir()
        done = 0
        for index, file in enumerate(plan.files):
            layout = plan.layouts[file]
            if isinstance(layout, UnreadableFile):
                yield BadRow(str(file), None, None, str(layout), "")
                continue
            tick = None if progress is None else self._offset(progress, done)
            seq = 0
            for item in _items(file, layout, tick, strict=not folder):
                if isinstance(item, BadRow):
                    yield item
                    continue
                row, ticket, side, raw = item
                seq += 1
                if plan.winners is not None and isinstance(ticket, dict):
                    key = _id_text(ticket.get("id"))
                    winner = None if key is None else plan.winners.get(key)
                    if winner is not None and winner != (index, seq):
                        # An older copy of a ticket exported again later.
                        newer = plan.files[winner[0]].name
                        why = f"an older copy of a ticket whose latest copy is in {newer}"
                        yield SkippedRow(str(file), row, why)
                        continue
                yield self._row(str(file), row, ticket, side, raw)
            done += file.stat().st_size
            if progress is not None:
                progress(done)

    @staticmethod
    def _offset(progress: ProgressFn, base: int) -> Callable[[int], None]:
        return lambda n: progress(base + n)

    @staticmethod
    def _row(
        file: str, row: int, ticket: Any, side: _SideLoads, raw: str | None
    ) -> RawRow | BadRow:
        raw = raw if raw is not None else canonical(ticket)
        if not isinstance(ticket, dict):
            return BadRow(file, row, None, "not a JSON object", raw)
        try:
            fields = ticket_fields(ticket, side)
        except RowProblem as problem:
            return BadRow(file, row, problem.field, problem.reason, raw)
        return RawRow(file, row, fields, raw)

    def _plan(self, path: Path) -> _Plan:
        if path.is_dir():
            files = self._files(path)
            if not files:
                raise UnreadableFile(
                    f"{path}: no Zendesk files in the folder",
                    hint=f"expected {', '.join(FOLDER_EXTENSIONS)} files",
                )
        else:
            check_file(path)
            files = [path]
        try:
            signature = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        except OSError as exc:
            raise UnreadableFile(f"{path}: cannot read ({exc.strerror})") from None
        cached = self._plans.get(path)
        if cached is not None and cached.signature == signature:
            return cached

        layouts: dict[Path, _Layout | UnreadableFile] = {}
        for file in files:
            try:
                if path.is_dir():
                    check_file(file)
                layouts[file] = detect_layout(file)
            except UnreadableFile as exc:
                # One file: the import stops; in a folder it is one bad row among many.
                reason = exc.message.removeprefix(f"{file}: ")
                if not path.is_dir():
                    raise UnreadableFile(f"{file}: {reason}", hint=exc.hint) from None
                layouts[file] = UnreadableFile(reason)
        winners = self._winners(files, layouts) if path.is_dir() else None
        plan = _Plan(signature, files, layouts, winners)
        self._plans[path] = plan
        return plan

    @staticmethod
    def _winners(
        files: list[Path], layouts: dict[Path, _Layout | UnreadableFile]
    ) -> dict[str, tuple[int, int]]:
        """For each ticket id, which copy to read: the latest ``updated_at``, then the last."""
        best: dict[str, tuple[dt.datetime, int, int]] = {}
        for index, file in enumerate(files):
            layout = layouts[file]
            if isinstance(layout, UnreadableFile):
                continue
            seq = 0
            for item in _items(file, layout, None, with_sideloads=False):
                if isinstance(item, BadRow):
                    continue
                _row, ticket, _side, _raw = item
                seq += 1
                if not isinstance(ticket, dict):
                    continue
                key = _id_text(ticket.get("id"))
                if key is None:
                    continue
                updated = _time(ticket.get("updated_at")) or _MIN_TIME
                seen = best.get(key)
                if seen is None or updated >= seen[0]:
                    best[key] = (updated, index, seq)
        return {key: (index, seq) for key, (_u, index, seq) in best.items()}
