"""The store: tickets, imports, quarantine, the review core and the audit log.

SQLite by default, PostgreSQL by URL; one schema, migrated with Alembic.
"""

from ticketlens.store import audit, review
from ticketlens.store._engine import Store, head_revision, normalise_url
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
    "Message",
    "QuarantinedRow",
    "Requester",
    "ReviewItem",
    "Store",
    "Ticket",
    "audit",
    "head_revision",
    "normalise_url",
    "review",
]
