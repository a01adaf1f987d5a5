"""Readers by format name. Built-ins register exactly as a plugin's would."""

from __future__ import annotations

from pathlib import Path

from ticketlens.errors import UnreadableFile
from ticketlens.ingest._base import Reader
from ticketlens.ingest._csv import CsvReader, TsvReader
from ticketlens.ingest._json import JsonLinesReader, JsonReader

_READERS: dict[str, type[Reader]] = {}


def register_reader(reader: type[Reader]) -> type[Reader]:
    """Make a reader available under its ``name`` (usable as a class decorator)."""
    _READERS[reader.name] = reader
    return reader


for _builtin in (CsvReader, TsvReader, JsonLinesReader, JsonReader):
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


def reader_for(path: Path, format: str | None) -> Reader:
    """The reader named by ``format``, or the one whose extension ``path`` has."""
    if format:
        return get_reader(format)
    suffix = path.suffix.lower()
    for reader in _READERS.values():
        if suffix in reader.extensions:
            return reader()
    raise UnreadableFile(
        f"{path}: cannot tell the format from the name",
        hint=f"pass --format ({', '.join(reader_names())})",
    )
