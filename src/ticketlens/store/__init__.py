"""The store: the schema of every record, the engine, migrations and the audit log.

SQLite by default, PostgreSQL by URL; one schema, migrated with Alembic.
"""

from ticketlens.store import audit
from ticketlens.store._engine import Store, head_revision, normalise_url
from ticketlens.store._types import JSONType, UTCDateTime
from ticketlens.store.schema import (
    AuditEvent,
    Base,
    Import,
    Message,
    QuarantinedRow,
    Requester,
    ReviewItem,
    Ticket,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Import",
    "JSONType",
    "Message",
    "QuarantinedRow",
    "Requester",
    "ReviewItem",
    "Store",
    "Ticket",
    "UTCDateTime",
    "audit",
    "head_revision",
    "normalise_url",
]
