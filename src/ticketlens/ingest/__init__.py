"""Ingest: read files, normalise to tickets, keep bad rows aside, upsert idempotently.

An import is one transaction: it lands whole or not at all. Every input row ends up
counted as exactly one of new, updated, unchanged (a ticket), threaded (joined to a
ticket's thread), quarantined or skipped (with its reason).
"""

from __future__ import annotations

from ticketlens.ingest._base import Absorbed, BadRow, RawRow, Reader, SkippedRow, StoredThreads
from ticketlens.ingest._loader import Counts
from ticketlens.ingest._registry import (
    detect_reader,
    get_reader,
    reader_for,
    reader_names,
    register_reader,
)
from ticketlens.ingest._run import (
    BatchHook,
    FileProgress,
    ImportResult,
    IngestOptions,
    ingest_files,
    input_size,
)
from ticketlens.ingest.normalize import FIELDS, Normaliser, TicketRecord, parse_mapping

__all__ = [
    "FIELDS",
    "Absorbed",
    "BadRow",
    "BatchHook",
    "Counts",
    "FileProgress",
    "ImportResult",
    "IngestOptions",
    "Normaliser",
    "RawRow",
    "Reader",
    "SkippedRow",
    "StoredThreads",
    "TicketRecord",
    "detect_reader",
    "get_reader",
    "ingest_files",
    "input_size",
    "parse_mapping",
    "reader_for",
    "reader_names",
    "register_reader",
]
