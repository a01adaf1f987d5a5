"""Write prepared tickets to the store in batches, inside the caller's transaction.

Per batch: look up which (source, external id) keys exist and their content hash,
insert the new ones, update the changed ones (thread replaced), leave the rest. Held
messages (replies waiting for their thread) are kept until a ticket's thread takes them.
Nothing here commits: the whole import is one transaction, so an import that dies
leaves the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ticketlens.ingest._base import Absorbed, BadRow, SkippedRow
from ticketlens.ingest._fastinsert import FastInsert
from ticketlens.ingest._prepare import PreparedTicket
from ticketlens.ingest._stored_threads import chunks
from ticketlens.ingest.normalize import MessageRecord, TicketRecord
from ticketlens.store.schema import HeldRow, Message, QuarantinedRow, Requester, Ticket

log = logging.getLogger(__name__)

# Core tables: plain executemany inserts skip the ORM's per-row bookkeeping.
_TICKETS = cast(Table, Ticket.__table__)
_MESSAGES = cast(Table, Message.__table__)
_REQUESTERS = cast(Table, Requester.__table__)

_TICKET_COLUMNS = [c.name for c in _TICKETS.columns if c.name != "id"]
_MESSAGE_COLUMNS = [c.name for c in _MESSAGES.columns if c.name != "id"]


#: The terms every row read is counted in, once: ``read`` is their sum.
TERMS = ("new", "updated", "unchanged", "threaded", "quarantined", "skipped")


@dataclass
class Counts:
    """What happened to every input row:
    ``read == new + updated + unchanged + threaded + quarantined + skipped``.

    A row that is a ticket is new, updated or unchanged; a row joined to a ticket's
    thread (a reply, another event of an incident) is threaded; a row that cannot be
    used is quarantined; a row that is not a ticket is skipped, with its reason.
    ``extended`` and ``absorbed`` count stored tickets, not rows: tickets whose threads
    took replies from this import, and tickets that turned out to be part of another
    thread (their messages moved there).
    """

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    threaded: int = 0
    quarantined: int = 0
    skipped: int = 0
    extended: int = 0
    absorbed: int = 0
    #: reason -> skipped rows
    skip_reasons: Counter[str] = field(default_factory=Counter)

    def terms(self) -> dict[str, int]:
        return {"read": self.read, **{name: getattr(self, name) for name in TERMS}}


def quarantine_fingerprint(source: str, bad: BadRow) -> str:
    key = "\x1f".join([source, PurePath(bad.file).name, str(bad.row), bad.field or "", bad.raw])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class BatchLoader:
    """Collect records and write them every ``batch_size`` rows."""

    def __init__(
        self,
        session: Session,
        *,
        import_id: int,
        batch_size: int,
        on_batch: Callable[[int, Counts], None] | None = None,
    ) -> None:
        self.session = session
        self.import_id = import_id
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.counts = Counts()
        self.batches = 0
        self._records: list[PreparedTicket] = []
        self._bad: list[tuple[str, BadRow]] = []
        self._held: list[tuple[str, SkippedRow]] = []
        self._absorbed: list[tuple[str, str]] = []
        self._holding: dict[str, bool] = {}
        dialect = session.get_bind().dialect
        self._insert_ignore = pg_insert if dialect.name == "postgresql" else sqlite_insert
        # Requesters recur across batches: remember key -> row id for the whole import.
        self._requester_cache: dict[str, int] = {}
        self._insert_tickets = FastInsert(_TICKETS, _TICKET_COLUMNS, dialect)
        self._insert_messages = FastInsert(_MESSAGES, _MESSAGE_COLUMNS, dialect)

    def add(self, prepared: PreparedTicket) -> None:
        self.counts.read += prepared.joined + (0 if prepared.extends else 1)
        self.counts.threaded += prepared.joined
        self._records.append(prepared)
        self._maybe_flush()

    def reject(self, source: str, bad: BadRow) -> None:
        self.counts.read += bad.rows
        self.counts.quarantined += bad.rows
        self._bad.append((source, bad))
        self._maybe_flush()

    def skip(self, source: str, skipped: SkippedRow) -> None:
        self.counts.read += 1
        self.counts.skipped += 1
        self.counts.skip_reasons[skipped.reason] += 1
        if skipped.held is not None and skipped.held.external_id is not None:
            self._held.append((source, skipped))
            self._maybe_flush()

    def absorb(self, source: str, absorbed: Absorbed) -> None:
        # Its messages are in the thread it joined, written in the same batch or earlier.
        self._absorbed.append((source, absorbed.external_id))

    def _maybe_flush(self) -> None:
        if len(self._records) + len(self._bad) + len(self._held) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not (self._records or self._bad or self._held or self._absorbed):
            return
        self._write_quarantine()
        self._write_held()
        self._write_tickets()
        self._remove_absorbed()
        self.batches += 1
        # The atomicity test waits for this line before it kills an import.
        log.info(
            "batch %d written (%d rows so far, not yet committed)", self.batches, self.counts.read
        )
        if self.on_batch is not None:
            self.on_batch(self.batches, self.counts)

    def _write_quarantine(self) -> None:
        if not self._bad:
            return
        now = dt.datetime.now(dt.UTC)
        rows = [
            {
                "fingerprint": quarantine_fingerprint(source, bad),
                "import_id": self.import_id,
                "source": source,
                "file": bad.file,
                "row": bad.row,
                "field": bad.field,
                "reason": bad.reason,
                "raw": bad.raw,
                "fields": bad.fields,
                "created_at": now,
            }
            for source, bad in self._bad
        ]
        statement = self._insert_ignore(QuarantinedRow).on_conflict_do_nothing(
            index_elements=["fingerprint"]
        )
        self.session.execute(statement, rows)
        self._bad.clear()

    def _write_held(self) -> None:
        if not self._held:
            return
        now = dt.datetime.now(dt.UTC)
        rows = []
        for source, skipped in self._held:
            m = skipped.held
            assert m is not None  # see skip()
            assert m.external_id is not None
            rows.append(
                {
                    "source": source,
                    "external_id": m.external_id,
                    "reply_to": m.reply_to,
                    "import_id": self.import_id,
                    "file": skipped.file,
                    "row": skipped.row,
                    "reason": skipped.reason,
                    "message": {
                        "body": m.body,
                        "role": m.role,
                        "author": m.author,
                        "created_at": None if m.created_at is None else m.created_at.isoformat(),
                    },
                    "created_at": now,
                }
            )
        statement = self._insert_ignore(HeldRow).on_conflict_do_nothing(
            index_elements=["source", "external_id"]
        )
        self.session.execute(statement, rows)
        self._held.clear()

    def _remove_absorbed(self) -> None:
        absorbed, self._absorbed = self._absorbed, []
        for source in {s for s, _ in absorbed}:
            ids = [e for s, e in absorbed if s == source]
            gone = self.session.scalars(
                delete(Ticket)
                .where(Ticket.source == source, Ticket.external_id.in_(ids))
                .returning(Ticket.id)
            ).all()
            self.counts.absorbed += len(gone)

    def _requester_ids(self, records: list[TicketRecord]) -> dict[str, int]:
        """Map requester key (already a pseudonym) -> requester row id, creating missing rows."""
        firsts: dict[str, dt.datetime | None] = {}
        for r in records:
            key = r.requester
            if key is None:
                continue
            seen = firsts.get(key)
            if key not in firsts or (r.created_at and (seen is None or r.created_at < seen)):
                firsts[key] = r.created_at
        existing = self._requester_cache
        unknown = [k for k in firsts if k not in existing]
        if unknown:
            existing.update(
                self.session.execute(
                    select(Requester.key, Requester.id).where(Requester.key.in_(unknown))
                ).all()
            )
        missing = [{"key": k, "first_seen_at": firsts[k]} for k in unknown if k not in existing]
        if missing:
            # Plain executemany, then read the ids back: far faster than RETURNING per row.
            self.session.execute(insert(_REQUESTERS), missing)
            created = self.session.execute(
                select(Requester.key, Requester.id).where(
                    Requester.key.in_([m["key"] for m in missing])
                )
            ).all()
            existing.update(dict(created))
        return {k: existing[k] for k in firsts}

    def _write_tickets(self) -> None:
        prepared, self._records = self._records, []
        if not prepared:
            return
        records = [p.record for p in prepared]
        requester_ids = self._requester_ids(records)
        by_source: dict[str, list[str]] = {}
        for r in records:
            by_source.setdefault(r.source, []).append(r.external_id)
        known: dict[tuple[str, str], tuple[int, str]] = {}
        for source, external_ids in by_source.items():
            found = self.session.execute(
                select(Ticket.external_id, Ticket.id, Ticket.content_hash).where(
                    Ticket.source == source, Ticket.external_id.in_(external_ids)
                )
            ).all()
            known.update({(source, ext): (tid, h) for ext, tid, h in found})

        # Within a batch a key may repeat: compare with the latest version seen.
        latest = {key: digest for key, (_tid, digest) in known.items()}
        new: dict[tuple[str, str], dict[str, Any]] = {}
        changed: dict[int, dict[str, Any]] = {}
        messages: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for item in prepared:
            r, digest = item.record, item.content_hash
            key = (r.source, r.external_id)
            # A stored ticket extended by replies: its own row is not an input row, so it
            # counts as "extended" when it changes and in no term of the sum.
            own_row = not item.extends
            if key in latest and latest[key] == digest:
                self.counts.unchanged += own_row
                continue
            values = self._row(r, requester_ids.get(r.requester) if r.requester else None, digest)
            if key not in latest:
                self.counts.new += own_row
                new[key] = values
            else:
                self.counts.updated += own_row
                self.counts.extended += item.extends
                if key in new:
                    new[key] = values
                else:
                    changed[known[key][0]] = {"id": known[key][0], **values}
            latest[key] = digest
            messages[key] = [self._message(m, i) for i, m in enumerate(r.messages, start=1)]

        ids: dict[tuple[str, str], int] = {}
        if new:
            for _key, values in new.items():
                values["first_import_id"] = self.import_id
            self._insert_tickets(self.session, list(new.values()))
            # Ids are only needed to attach threads.
            threaded = [key for key in new if messages.get(key)]
            for source in {s for s, _ in threaded}:
                inserted = self.session.execute(
                    select(Ticket.external_id, Ticket.id).where(
                        Ticket.source == source,
                        Ticket.external_id.in_([e for s, e in threaded if s == source]),
                    )
                ).all()
                ids.update({(source, e): tid for e, tid in inserted})
        if changed:
            self.session.execute(update(Ticket), list(changed.values()))  # bulk by primary key
            self.session.execute(delete(Message).where(Message.ticket_id.in_(list(changed))))
            ids.update({k: v[0] for k, v in known.items() if v[0] in changed})
        rows = [
            {**m, "ticket_id": ids[key]} for key, ms in messages.items() if key in ids for m in ms
        ]
        if rows:
            self._insert_messages(self.session, rows)
        self._release_held(messages)

    def _release_held(self, messages: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
        """Held messages now in a ticket's thread are held no longer."""
        taken: dict[str, list[str]] = {}
        for (source, _ext), ms in messages.items():
            if self._holds(source):
                taken.setdefault(source, []).extend(
                    m["external_id"] for m in ms if m["external_id"]
                )
        for source, ids in taken.items():
            for chunk in chunks(ids):
                self.session.execute(
                    delete(HeldRow).where(HeldRow.source == source, HeldRow.external_id.in_(chunk))
                )

    def _holds(self, source: str) -> bool:
        """Whether messages of ``source`` were held by an earlier import (asked once)."""
        found = self._holding.get(source)
        if found is None:
            query = select(HeldRow.id).where(HeldRow.source == source).limit(1)
            found = self._holding[source] = self.session.execute(query).first() is not None
        return found

    def _row(self, r: TicketRecord, requester_id: int | None, digest: str) -> dict[str, Any]:
        return {
            "source": r.source,
            "external_id": r.external_id,
            "created_at": r.created_at,
            "first_response_at": r.first_response_at,
            "solved_at": r.solved_at,
            "status": r.status,
            "channel": r.channel,
            "priority": r.priority,
            "group_name": r.group_name,
            "language": r.language,
            "requester_id": requester_id,
            "subject": r.subject,
            "body": r.body,
            "tags": r.tags,
            "custom_fields": r.custom_fields,
            "csat": r.csat,
            "reopens": r.reopens,
            "handoffs": r.handoffs,
            "content_hash": digest,
            "last_import_id": self.import_id,
        }

    @staticmethod
    def _message(m: MessageRecord, position: int) -> dict[str, Any]:
        return {
            "position": position,
            "role": m.role,
            "author": m.author,
            "created_at": m.created_at,
            "body": m.body,
            "external_id": m.external_id,
            "reply_to": m.reply_to,
        }
