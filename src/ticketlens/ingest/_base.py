"""What a reader is: a file in, a stream of raw rows (or rejected rows) out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ticketlens.ingest.normalize import MessageRecord

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
    #: further input rows of this import folded into this record (replies joined to the
    #: thread, later events of the same incident): counted as ``threaded``
    joined: int = 0
    #: the record continues a stored ticket whose own row is not in this import (a
    #: reply file imported after its threads): only ``joined`` rows are counted
    extends: bool = False
    #: a record rebuilt from several rows (and stored messages): its content hash is
    #: taken over the prepared record, so one thread hashes the same whichever files
    #: and imports it was put together from
    rebuilt: bool = False


@dataclass(frozen=True, slots=True)
class BadRow:
    """A record that cannot be imported, with where it is and why."""

    file: str
    row: int | None
    field: str | None
    reason: str
    raw: str
    #: the row's columns, when it could be split into them (kept for the export)
    fields: dict[str, Any] | None = None
    #: input rows this rejection stands for (a rebuilt ticket holds several)
    rows: int = 1


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row that is read but is not, and is not part of, a ticket; counted as skipped.

    ``held`` is a message kept aside (redacted like any other) to join its thread when
    the thread is imported: a brand's reply whose customer tweet is in another file.
    """

    file: str
    row: int | None
    reason: str
    held: MessageRecord | None = None


@dataclass(frozen=True, slots=True)
class Absorbed:
    """A stored ticket that turned out to be part of another thread (its first message
    answers a message imported now): its messages are in that thread now, it is removed."""

    external_id: str


class StoredThreads(ABC):
    """What readers that rebuild threads may ask the store (see ``reads_together``)."""

    @abstractmethod
    def around(
        self, *, ids: set[str], replying_to: set[str]
    ) -> tuple[list[MessageRecord], dict[str, str]]:
        """Stored messages with one of ``ids``, or answering one of ``replying_to``,
        with the whole stored thread of each: held messages, and messages of tickets.

        Returns the messages and, for each stored ticket among them, its first
        message's id -> the ticket's external id.
        """

    @abstractmethod
    def ungrouped_mentioning(self, handles: set[str]) -> tuple[list[MessageRecord], dict[str, str]]:
        """The threads of stored tickets with no group whose text mentions ``@handle`` for
        one of ``handles`` (a brand that was not known when they were imported), as
        :meth:`around` returns them."""


#: What a reader yields.
Item = RawRow | BadRow | SkippedRow | Absorbed


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
    #: True for readers whose records span files (a reply in one file, the tweet it
    #: answers in another): all files of an import in this format are read in one
    #: :meth:`read_together` call, in this process, with the stored threads at hand.
    reads_together: ClassVar[bool] = False

    def sniff(self, path: Path, head: str) -> bool:
        """Whether ``path`` (whose first characters are ``head``) is in this format.

        Used by ``--format auto``; the generic readers leave it to the file extension.
        """
        del path, head
        return False

    @abstractmethod
    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[Item]:
        """Yield every record of ``path`` in file order."""

    def read_together(
        self,
        paths: Sequence[Path],
        progress: Callable[[Path], ProgressFn | None],
        stored: StoredThreads | None,
    ) -> Iterator[Item]:
        """Every record of ``paths`` as one input (readers with ``reads_together``)."""
        del stored
        for path in paths:
            yield from self.read(path, progress(path))
