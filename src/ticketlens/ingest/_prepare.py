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
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ticketlens.errors import RowProblem
from ticketlens.ingest._base import Absorbed, BadRow, Item, SkippedRow
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
    #: further input rows folded into this ticket (see RawRow.joined)
    joined: int = 0
    #: continues a stored ticket whose own row is not in this import
    extends: bool = False


#: What the preparer gives the loader.
Prepared = PreparedTicket | BadRow | SkippedRow | Absorbed


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
        own_columns: frozenset[str] = frozenset(),
    ) -> None:
        self.normaliser = normaliser
        self.redactor = redactor
        self.requester_key = requester_key
        #: What besides the raw row shapes the stored ticket; part of every content hash.
        self.signature = signature + "\x1f"
        #: file -> the date order its own dates showed (the setting's order elsewhere)
        self.dayfirst = dict(dayfirst or {})
        #: files whose rows carry the file's own columns (a rejected one keeps them)
        self.own_columns = own_columns
        self._setting = normaliser.dayfirst

    def prepare(self, item: Item) -> Prepared:
        if isinstance(item, Absorbed):
            return item
        if isinstance(item, SkippedRow):
            held = item.held
            return item if held is None else dataclasses.replace(item, held=self._message(held))
        if isinstance(item, BadRow):
            return self._rejected(item)
        dayfirst = self.dayfirst.get(item.file, self._setting)
        self.normaliser.dayfirst = dayfirst
        try:
            record = self.normaliser.normalise(item.fields, item.raw)
        except RowProblem as problem:
            rows = item.joined + (0 if item.extends else 1)
            bad = BadRow(item.file, item.row, problem.field, problem.reason, item.raw, rows=rows)
            return self._rejected(bad, item.fields if item.file in self.own_columns else None)
        self._protect(record)
        # A file read in the other order than the setting's is another ticket to the hash
        # (the setting is in the signature already; hashes of other files do not change).
        flipped = "dayfirst-from-file\x1f" if dayfirst != self._setting else ""
        content = _canonical(record) if item.rebuilt else item.raw
        signed = f"{self.signature}{flipped}{content}"
        digest = hashlib.sha256(signed.encode("utf-8")).hexdigest()
        return PreparedTicket(record, digest, item.joined, item.extends)

    def _rejected(self, bad: BadRow, fields: dict[str, Any] | None = None) -> BadRow:
        """Redacted, with its columns (the requester's as its pseudonym) when it has them."""
        fields = bad.fields if fields is None else fields
        kept = None
        if fields is not None:
            names = list(fields)
            person = self.normaliser.columns_for(names).get("requester")
            # Personal columns the tickets would not keep are not kept here either; the
            # column stays, empty, so the export has the file's own header.
            dropped = set(self.normaliser.dropped_columns(names))
            kept = {
                name: ""
                if name in dropped
                else self.requester_key(str(value))
                if name == person and value not in (None, "")
                else self._redact_value(value)
                for name, value in fields.items()
            }
        return dataclasses.replace(bad, raw=self.redactor.redact(bad.raw), fields=kept)

    def _protect(self, record: TicketRecord) -> None:
        redact = self.redactor.redact
        record.body = redact(record.body)
        if record.subject is not None:
            record.subject = redact(record.subject)
        if record.requester is not None:
            record.requester = self.requester_key(record.requester)
        record.custom_fields = {k: self._redact_value(v) for k, v in record.custom_fields.items()}
        record.messages = [self._message(m) for m in record.messages]

    def _message(self, m: MessageRecord) -> MessageRecord:
        return MessageRecord(
            body=self.redactor.redact(m.body),
            role=m.role,
            author=self.requester_key(m.author)
            if m.author is not None and m.role in CUSTOMER_ROLES
            else m.author,
            created_at=m.created_at,
            external_id=m.external_id,
            reply_to=m.reply_to,
        )

    def _redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redactor.redact(value)
        if isinstance(value, list):
            return [self._redact_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._redact_value(v) for k, v in value.items()}
        return value


def _canonical(record: TicketRecord) -> str:
    """The stored ticket as text (for the hash of a rebuilt record)."""
    return json.dumps(dataclasses.asdict(record), sort_keys=True, default=str)
