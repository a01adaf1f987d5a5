"""Readers by format name. Built-ins register exactly as a plugin's would."""

from __future__ import annotations

from pathlib import Path

from ticketlens.errors import UnreadableFile
from ticketlens.ingest._base import Reader
from ticketlens.ingest._csv import CsvReader, TsvReader
from ticketlens.ingest._json import JsonLinesReader, JsonReader
from ticketlens.ingest._servicenow import ServiceNowReader
from ticketlens.ingest._transcripts import TranscriptReader
from ticketlens.ingest._twcs import TwcsReader
from ticketlens.ingest._zendesk import ZendeskReader

_READERS: dict[str, type[Reader]] = {}


def register_reader(reader: type[Reader]) -> type[Reader]:
    """Make a reader available under its ``name`` (usable as a class decorator)."""
    _READERS[reader.name] = reader
    return reader


# Readers of specific exports first: --format auto asks them before the generic ones.
for _builtin in (
    TwcsReader,
    ServiceNowReader,
    ZendeskReader,
    TranscriptReader,
    CsvReader,
    TsvReader,
    JsonLinesReader,
    JsonReader,
):
    register_reader(_builtin)


def reader_names() -> list[str]:
    return sorted(_READERS)


def get_reader(name: str) -> Reader:
    try:
        return _READERS[name]()
    except KeyError:
        raise UnreadableFile(
            f"unknown format {name!r}", hint=f"choose one of: {', '.join(reader_names())}"
        ) from None


#: How much of a file ``sniff`` sees.
SNIFF_BYTES = 64 * 1024


def _head(path: Path) -> str:
    if not path.is_file():
        return ""
    with path.open("rb") as fh:
        return fh.read(SNIFF_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")


def detect_reader(path: Path) -> Reader:
    """Pick the reader for ``path``: a format that recognises the content, else the extension.

    Readers that know a specific export (Zendesk, TWCS...) are asked first; the generic
    ones (CSV, JSON...) answer only by file extension.
    """
    head = _head(path)
    for reader_class in _READERS.values():
        reader = reader_class()
        if reader.sniff(path, head):
            return reader
    suffix = path.suffix.lower()
    for reader_class in _READERS.values():
        if suffix in reader_class.extensions:
            return reader_class()
    raise UnreadableFile(
        f"{path}: cannot tell the format",
        hint=f"pass --format ({', '.join(reader_names())})",
    )


def reader_for(path: Path, format: str | None) -> Reader:
    """The reader named by ``format``; ``None`` or ``"auto"`` detects it."""
    if format and format != "auto":
        return get_reader(format)
    return detect_reader(path)
