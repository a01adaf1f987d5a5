"""Prepare a raw row for storage: normalise, redact personal data, pseudonymise people,
hash the content. Pure (no database), so it runs in worker processes as well as inline.

Ids derived from content are computed from the raw row *before* redaction, so a
re-import finds the same ticket. The content hash that tells "updated" from
"unchanged" is taken over the raw row plus a signature of everything else that shapes
what is stored (column mapping, time zone, CSAT scale, redaction settings): the stored
ticket is a function of exactly those, and hashing the raw text is several times cheaper
than hashing the normalised record (measured: 9 us -> about 1 us per row).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ticketlens.errors import RowProblem
from ticketlens.ingest._base import BadRow, RawRow
from ticketlens.ingest.normalize import MessageRecord, Normaliser, TicketRecord

#: Message roles that stand for the customer; their author is pseudonymised.
CUSTOMER_ROLES = frozenset({"customer", "end-user", "end_user", "requester", "user", "caller"})


class Redacts(Protocol):
    """Anything that removes personal data from a text (see ticketlens.privacy.redact)."""

    def redact(self, text: str) -> str: ...


@dataclass(frozen=True, slots=True)
class PreparedTicket:
    """A ticket ready to store: text redacted, requester and customer authors pseudonymised."""

    record: TicketRecord
    content_hash: str


class Preparer:
    """Turns raw rows into :class:`PreparedTicket` or :class:`BadRow` (picklable)."""

    def __init__(
        self,
        normaliser: Normaliser,
        redactor: Redacts,
        requester_key: Callable[[str], str],
        *,
        signature: str = "",
        dayfirst: dict[str, bool] | None = None,
    ) -> None:
        self.normaliser = normaliser
        self.redactor = redactor
        self.requester_key = requester_key
        #: What besides the raw row shapes the stored ticket; part of every content hash.
        self.signature = signature + "\x1f"
        #: file -> the date order its own dates showed (the setting's order elsewhere)
        self.dayfirst = dict(dayfirst or {})
        self._setting = normaliser.dayfirst

    def prepare(self, item: RawRow | BadRow) -> PreparedTicket | BadRow:
        if isinstance(item, BadRow):
            return dataclasses.replace(item, raw=self.redactor.redact(item.raw))
        dayfirst = self.dayfirst.get(item.file, self._setting)
        self.normaliser.dayfirst = dayfirst
        try:
            record = self.normaliser.normalise(item.fields, item.raw)
        except RowProblem as problem:
            raw = self.redactor.redact(item.raw)
            return BadRow(item.file, item.row, problem.field, problem.reason, raw)
        self._protect(record)
        # A file read in the other order than the setting's is another ticket to the hash
        # (the setting is in the signature already; hashes of other files do not change).
        flipped = "dayfirst-from-file\x1f" if dayfirst != self._setting else ""
        signed = f"{self.signature}{flipped}{item.raw}"
        digest = hashlib.sha256(signed.encode("utf-8")).hexdigest()
        return PreparedTicket(record, digest)

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
