"""What a reader is: a file in, a stream of raw rows (or rejected rows) out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

#: Called with the number of bytes consumed so far, for progress bars.
ProgressFn = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RawRow:
    """One input record, before normalisation.

    ``row`` is where a person finds it: the line the record starts on for CSV/TSV/JSONL
    (the header is line 1), the item number for a JSON array.
    """

    file: str
    row: int
    fields: dict[str, Any]
    raw: str


@dataclass(frozen=True, slots=True)
class BadRow:
    """A record that cannot be imported, with where it is and why."""

    file: str
    row: int | None
    field: str | None
    reason: str
    raw: str


class Reader(ABC):
    """Turns one file into :class:`RawRow` / :class:`BadRow` items.

    A reader never stops at a bad record: it yields a :class:`BadRow` and goes on.
    It raises :class:`~ticketlens.errors.UnreadableFile` only when nothing in the
    file can be read (missing, binary, no header, wrong format).
    """

    #: The ``--format`` name.
    name: ClassVar[str]
    #: File name endings that select this reader when no format is given.
    extensions: ClassVar[tuple[str, ...]] = ()
    #: True for generic readers whose rows carry the file's own column names; the import
    #: then checks up front that some column can hold the text. Readers of a known export
    #: emit ticketlens's field names and skip that check (and its extra read).
    maps_columns: ClassVar[bool] = False
    #: True for readers of a whole folder (an API export's pages, a folder of calls);
    #: other readers get a folder's files one by one.
    reads_folders: ClassVar[bool] = False

    def sniff(self, path: Path, head: str) -> bool:
        """Whether ``path`` (whose first characters are ``head``) is in this format.

        Used by ``--format auto``; the generic readers leave it to the file extension.
        """
        del path, head
        return False

    @abstractmethod
    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[RawRow | BadRow]:
        """Yield every record of ``path`` in file order."""
