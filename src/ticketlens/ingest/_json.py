"""JSON Lines (one object per line) and JSON (an array of objects, streamed)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ticketlens.errors import UnreadableFile
from ticketlens.ingest._base import BadRow, ProgressFn, RawRow, Reader
from ticketlens.ingest._text import check_file, open_text, open_utf8

#: Keys under which exports commonly wrap their array of tickets.
WRAPPER_KEYS = ("tickets", "data", "results", "items", "records", "rows")


def canonical(obj: Any) -> str:
    """A stable text form of a parsed record, for content hashes and the quarantine."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)


def json_lines(stream: Iterable[str], file: str) -> Iterator[tuple[int, Any, str] | BadRow]:
    """Parse one JSON value per non-blank line: ``(line, value, text)`` or a BadRow."""
    for n, line in enumerate(stream, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            yield n, json.loads(text), text
        except json.JSONDecodeError as exc:
            yield BadRow(file, n, None, f"invalid JSON ({exc.msg})", text)


#: Where an array breaks, the quarantine keeps at most this much of what was not read.
RAW_KEPT = 65_536


def first_line(exc: Exception) -> str:
    """A parser's message without its multi-line excerpt and caret."""
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def _unread_part(path: Path, items_read: int) -> str:
    """The text of the array from the item after the ``items_read`` good ones.

    ijson gives no offsets, so the array is walked again with the standard decoder up
    to that item (only when an item is broken, which is rare and usually at the end).
    """
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    decoder = json.JSONDecoder()
    at = text.find("[")
    if at < 0:
        return text[-RAW_KEPT:]
    at += 1
    for _ in range(items_read):
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        try:
            _value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            break
    return text[at:].lstrip(" \t\r\n,")[:RAW_KEPT]


class JsonLinesReader(Reader):
    """One JSON object per line; a bad line is rejected, the others still load."""

    name = "jsonl"
    maps_columns = True
    extensions = (".jsonl", ".ndjson")

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[RawRow | BadRow]:
        check_file(path)
        stream, _ = open_text(path, progress)
        file = str(path)
        with stream:
            for parsed in json_lines(stream, file):
                if isinstance(parsed, BadRow):
                    yield parsed
                    continue
                n, obj, text = parsed
                if not isinstance(obj, dict):
                    yield BadRow(file, n, None, "not a JSON object", text)
                    continue
                yield RawRow(file, n, obj, text)


class JsonReader(Reader):
    """A JSON array of objects, or an object wrapping one (``{"tickets": [...]}``).

    Streamed with ijson so a large export is never held in memory whole.
    """

    name = "json"
    maps_columns = True
    extensions = (".json",)

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[RawRow | BadRow]:
        import ijson

        check_file(path)
        file = str(path)
        prefix = self._array_prefix(path)
        stream = open_utf8(path, progress)
        n = 0
        with stream:
            items = ijson.items(stream, prefix, use_float=True)
            try:
                for n, obj in enumerate(items, start=1):
                    if isinstance(obj, dict):
                        yield RawRow(file, n, obj, canonical(obj))
                    else:
                        yield BadRow(file, n, None, "not a JSON object", canonical(obj))
            except ijson.JSONError as exc:
                if n == 0:
                    raise UnreadableFile(f"{file}: not valid JSON ({first_line(exc)})") from None
                reason = f"invalid JSON from item {n + 1} on ({first_line(exc)}); rest unread"
                yield BadRow(file, n + 1, None, reason, _unread_part(path, n))

    @staticmethod
    def _array_prefix(path: Path) -> str:
        """Find where the array of records is: the top level, or under a wrapper key."""
        import ijson

        with open_utf8(path) as stream:
            try:
                for prefix, event, _value in ijson.parse(stream):
                    if event == "start_array" and prefix == "":
                        return "item"
                    if event == "start_array" and prefix in WRAPPER_KEYS:
                        return f"{prefix}.item"
                    if prefix == "" and event not in ("start_map", "map_key", "end_map"):
                        break  # a bare scalar at the top level
            except ijson.JSONError as exc:
                raise UnreadableFile(f"{path}: not valid JSON ({first_line(exc)})") from None
        raise UnreadableFile(
            f"{path}: no array of tickets found",
            hint=f"expected a JSON array, or an object with one of {list(WRAPPER_KEYS)}",
        )
