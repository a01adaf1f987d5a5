"""Prepare a raw row for storage: normalise, redact personal data, pseudonymise people,
hash the content. Pure (no database), so it runs in worker processes as well as inline.

Order matters: ids derived from content are computed from the raw row *before*
redaction (so a re-import finds the same ticket), and the content hash *after* it
(so it describes what is stored).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ticketlens.ingest._base import BadRow, RawRow
from ticketlens.ingest.normalize import FieldProblem, MessageRecord, Normaliser, TicketRecord

#: Message roles that stand for the customer; their author is pseudonymised.
CUSTOMER_ROLES = frozenset({"customer", "end-user", "end_user", "requester", "user", "caller"})

_RECORD_FIELDS = dataclasses.fields(TicketRecord)
_MESSAGES_INDEX = [f.name for f in _RECORD_FIELDS].index("messages")


class Redacts(Protocol):
    """Anything that removes personal data from a text (see ticketlens.privacy.redact)."""

    def redact(self, text: str) -> str: ...


@dataclass(frozen=True, slots=True)
class PreparedTicket:
    """A ticket ready to store: text redacted, requester and customer authors pseudonymised."""

    record: TicketRecord
    content_hash: str


def content_hash(record: TicketRecord) -> str:
    """Hash of everything stored for a ticket, to tell updated from unchanged.

    ``repr`` of plain values (str, int, datetime, list, dict) is stable and several
    times faster than JSON here; the hash is only ever compared within one store.
    """
    values = [getattr(record, f.name) for f in _RECORD_FIELDS]
    values[_MESSAGES_INDEX] = [(m.body, m.role, m.author, m.created_at) for m in record.messages]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()


class Preparer:
    """Turns raw rows into :class:`PreparedTicket` or :class:`BadRow` (picklable)."""

    def __init__(
        self, normaliser: Normaliser, redactor: Redacts, requester_key: Callable[[str], str]
    ) -> None:
        self.normaliser = normaliser
        self.redactor = redactor
        self.requester_key = requester_key

    def prepare(self, item: RawRow | BadRow) -> PreparedTicket | BadRow:
        if isinstance(item, BadRow):
            return dataclasses.replace(item, raw=self.redactor.redact(item.raw))
        try:
            record = self.normaliser.normalise(item.fields, item.raw)
        except FieldProblem as problem:
            raw = self.redactor.redact(item.raw)
            return BadRow(item.file, item.row, problem.column, problem.reason, raw)
        self._protect(record)
        return PreparedTicket(record, content_hash(record))

    def prepare_many(self, items: list[RawRow | BadRow]) -> list[PreparedTicket | BadRow]:
        return [self.prepare(item) for item in items]

    def _protect(self, record: TicketRecord) -> None:
        redact = self.redactor.redact
        record.body = redact(record.body)
        if record.subject is not None:
            record.subject = redact(record.subject)
        if record.requester is not None:
            record.requester = self.requester_key(record.requester)
        record.custom_fields = {k: self._redact_value(v) for k, v in record.custom_fields.items()}
        record.messages = [
            MessageRecord(
                body=redact(m.body),
                role=m.role,
                author=self.requester_key(m.author)
                if m.author is not None and m.role in CUSTOMER_ROLES
                else m.author,
                created_at=m.created_at,
            )
            for m in record.messages
        ]

    def _redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redactor.redact(value)
        if isinstance(value, list):
            return [self._redact_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._redact_value(v) for k, v in value.items()}
        return value
