"""Open a text file whatever its encoding: UTF-8 (with or without BOM), cp1252, latin-1."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ticketlens.errors import UnreadableFile

_CHUNK = 1 << 20


def check_file(path: Path) -> None:
    """Fail with one clear line if ``path`` is not a readable, non-empty text file."""
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if path.is_dir():
        raise UnreadableFile(f"{path}: is a folder, not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read ({exc.strerror})") from None
    if not head.strip():
        raise UnreadableFile(f"{path}: the file is empty")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(f"{path}: looks like a binary file, not text")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """Pick the encoding that decodes the whole file, most specific first.

    UTF-8 is validated over the whole file (a single accented byte deep in a cp1252
    export must not be mangled); cp1252 covers Excel's Western exports; latin-1
    decodes anything, so it is the last resort.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    return "latin-1"


class _CountingReader(io.RawIOBase):
    """Pass bytes through, reporting how many have been read (for progress bars)."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None]) -> None:
        self._raw = raw
        self._progress = progress
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._count += n
        self._progress(self._count)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(path: Path, progress: Callable[[int], None] | None = None) -> tuple[IO[str], str]:
    """Open ``path`` for reading text with its detected encoding.

    Newlines are passed through untranslated (``newline=""``) as the csv module needs.
    Returns the stream and the encoding's name.
    """
    encoding = detect_encoding(path)
    raw = _open_bytes(path, progress)
    return io.TextIOWrapper(raw, encoding=encoding, newline=""), encoding


class _Utf8Encoder(io.RawIOBase):
    """Re-encode a text stream as UTF-8 bytes (for parsers that only take bytes)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer):
            chunk = self._text.read(_CHUNK)
            if not chunk:
                break
            self._pending += chunk.encode("utf-8")
        n = min(len(buffer), len(self._pending))
        buffer[:n], self._pending = self._pending[:n], self._pending[n:]
        return n

    def close(self) -> None:
        self._text.close()
        super().close()


def _open_bytes(path: Path, progress: Callable[[int], None] | None) -> IO[bytes]:
    raw: IO[bytes] = path.open("rb")
    if progress is not None:
        raw = io.BufferedReader(_CountingReader(raw, progress), buffer_size=_CHUNK)
    return raw


def open_utf8(path: Path, progress: Callable[[int], None] | None = None) -> IO[bytes]:
    """Open ``path`` as UTF-8 bytes whatever its encoding (BOM dropped)."""
    encoding = detect_encoding(path)
    if encoding in ("utf-8", "utf-8-sig"):
        raw = _open_bytes(path, progress)
        if encoding == "utf-8-sig":
            raw.read(len(codecs.BOM_UTF8))
        return raw
    text = io.TextIOWrapper(_open_bytes(path, progress), encoding=encoding, newline="")
    return io.BufferedReader(_Utf8Encoder(text), buffer_size=_CHUNK)


_NATURAL = re.compile(r"(\d+)")


def natural_key(path: Path) -> list[object]:
    """Sort ``page-2`` before ``page-10``."""
    return [int(part) if part.isdigit() else part.lower() for part in _NATURAL.split(path.name)]


def folder_files(folder: Path, extensions: tuple[str, ...] | frozenset[str]) -> list[Path]:
    """The visible files of ``folder`` with one of ``extensions``, in natural order."""
    try:
        children = list(folder.iterdir())
    except OSError:
        return []
    files = [
        p
        for p in children
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in extensions
    ]
    return sorted(files, key=natural_key)
