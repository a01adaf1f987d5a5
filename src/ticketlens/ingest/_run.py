"""Run one import: check every file first, then read, prepare and load in one transaction.

Large inputs are read and prepared in a child process while this one writes (see
``_parallel``); small ones, platforms without ``fork``, and imports with a reader whose
threads span files (it asks the store about stored threads) run inline. Both paths give
the same rows in the same order.
"""

from __future__ import annotations

import datetime as dt
import glob
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ticketlens.errors import UnreadableFile
from ticketlens.ingest import _parallel
from ticketlens.ingest._base import Absorbed, BadRow, Item, RawRow, Reader, SkippedRow
from ticketlens.ingest._dates import SURVEY_ROWS, DateOrder, date_order
from ticketlens.ingest._loader import TERMS, BatchLoader, Counts
from ticketlens.ingest._prepare import Prepared, Preparer, Redacts
from ticketlens.ingest._registry import reader_for
from ticketlens.ingest._stored_threads import SessionThreads
from ticketlens.ingest._text import natural_key
from ticketlens.ingest.normalize import DATE_FIELDS, Normaliser
from ticketlens.privacy.redact import NO_REDACTION
from ticketlens.store import Store
from ticketlens.store.schema import Import

if TYPE_CHECKING:
    from ticketlens.settings import Settings

#: progress(file, bytes_done, bytes_total)
FileProgress = Callable[[str, int, int], None]
#: on_batch(batches_written, counts_so_far)
BatchHook = Callable[[int, Counts], None]


@dataclass(frozen=True)
class IngestOptions:
    """How to read and where to file what is read."""

    source: str = "default"
    format: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    csat_scale: int = 5
    dayfirst: bool = False
    batch_size: int = 2000
    redactor: Redacts = NO_REDACTION
    #: Inputs at least this large are read and prepared in a child process; None: never.
    parallel_min_bytes: int | None = 8 * 1024 * 1024
    #: columns kept although their names say they hold personal data
    keep_columns: tuple[str, ...] = ()
    #: read and count everything, then write nothing (``ingest --dry-run``)
    dry_run: bool = False

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        redactor: Redacts = NO_REDACTION,
        source: str = "default",
        format: str | None = None,
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> IngestOptions:
        """The options a workspace's settings ask for, for one import."""
        return cls(
            source=source,
            format=format,
            mapping=dict(mapping or {}),
            tz=settings.tz,
            csat_scale=settings.csat_scale,
            dayfirst=settings.dayfirst,
            batch_size=settings.batch_size,
            redactor=redactor,
            parallel_min_bytes=None
            if settings.parallel_from_mb < 0
            else settings.parallel_from_mb * 1024 * 1024,
            keep_columns=tuple(settings.keep_column_list),
            dry_run=dry_run,
        )


@dataclass(frozen=True)
class ImportResult:
    #: the import's id in the history (None for a dry run, which writes nothing)
    import_id: int | None
    source: str
    #: file -> the format it was read as (detected unless given).
    formats: dict[str, str]
    counts: Counts
    #: file -> why it was left out (an import of several files reads the ones it can)
    skipped: dict[str, str] = field(default_factory=dict)
    #: what the user should know about how the files were read (once per file)
    notes: list[str] = field(default_factory=list)
    #: file -> {field: column} for files with their own column names
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def dry_run(self) -> bool:
        return self.import_id is None

    def summary(self) -> dict[str, Any]:
        """As plain data: ``ingest --json`` (a stable interface)."""
        c = self.counts
        return {
            "import": self.import_id,
            "dry_run": self.dry_run,
            "source": self.source,
            "format": ",".join(sorted(set(self.formats.values()))),
            "formats": self.formats,
            # read = the sum of the other terms (each row counted once)
            "counts": c.terms(),
            "skip_reasons": dict(c.skip_reasons),
            # stored tickets, not rows: threads that took replies, tickets merged away
            "stored_tickets": {"extended": c.extended, "absorbed": c.absorbed},
            "columns": self.columns,
            "skipped": self.skipped,
            "notes": self.notes,
        }

    @property
    def files(self) -> list[str]:
        return list(self.formats)


def input_size(path: Path) -> int:
    """Bytes to read: a file's size, or the sum over a folder's files (transcripts, pages)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.is_file() else 0


def _file_progress(report: FileProgress, path: Path) -> Callable[[int], None]:
    name, total = str(path), input_size(path)
    return lambda done: report(name, done, total)


@dataclass(frozen=True)
class _Survey:
    dates: DateOrder
    #: personal columns left out of this file's tickets
    dropped: list[str]
    #: which column feeds which field
    columns: dict[str, str]


def _survey(path: Path, reader: Reader, normaliser: Normaliser) -> _Survey:
    """Before anything is written: a column must hold the text; what do the dates say;
    which personal columns are left out?"""
    columns: dict[str, str] | None = None
    dates: list[object] = []
    date_columns: list[str] = []
    dropped: list[str] = []
    for seen, item in enumerate(reader.read(path)):
        if seen >= SURVEY_ROWS:
            break
        if not isinstance(item, RawRow):
            continue
        if columns is None:
            columns = normaliser.columns_for(list(item.fields))
            dropped = normaliser.dropped_columns(list(item.fields))
            if "text" not in columns and "messages" not in columns:
                raise UnreadableFile(
                    f"{path}: no text column among {list(item.fields)}",
                    hint="name it with --map text=COLUMN",
                )
            date_columns = [columns[f] for f in DATE_FIELDS if f in columns]
            if not date_columns:
                break  # no dates to survey: the first row said all there is to know
        dates += (item.fields.get(column) for column in date_columns)
    return _Survey(date_order(dates), dropped, dict(columns or {}))


def _prepared(
    readers: Sequence[tuple[Path, Reader]],
    preparer: Preparer,
    options: IngestOptions,
    progress: FileProgress | None,
    stored: SessionThreads,
) -> Iterator[Prepared]:
    """Every prepared row of every file, in order: in a child process for large inputs."""
    threshold = options.parallel_min_bytes
    total = sum(input_size(path) for path, _ in readers)
    together = any(reader.reads_together for _, reader in readers)
    if not together and threshold is not None and total >= threshold and _parallel.available():
        ticks = [_file_progress(progress, path) for path, _ in readers] if progress else None
        yield from _parallel.prepared_in_child(
            readers, preparer, (lambda i, done: ticks[i](done)) if ticks else None
        )
        return

    def tick(path: Path) -> Callable[[int], None] | None:
        return None if progress is None else _file_progress(progress, path)

    yield from map(preparer.prepare, _items(readers, tick, stored))


def _items(
    readers: Sequence[tuple[Path, Reader]],
    tick: Callable[[Path], Callable[[int], None] | None],
    stored: SessionThreads,
) -> Iterator[Item]:
    """Each file's items; the files of a ``reads_together`` reader as one input, where
    the first of them is."""
    done: set[str] = set()
    for path, reader in readers:
        if not reader.reads_together:
            yield from reader.read(path, tick(path))
        elif reader.name not in done:
            done.add(reader.name)
            paths = [p for p, r in readers if r.name == reader.name]
            yield from reader.read_together(paths, tick, stored)


def _plan(
    paths: Sequence[Path],
    format: str | None,
    normaliser: Normaliser,
    surveys: dict[str, _Survey],
) -> tuple[list[tuple[Path, Reader]], dict[str, str]]:
    """Each file's reader, before anything is written.

    A folder a reader takes whole (Zendesk pages, calls) stays one input; any other
    folder, and a glob pattern the shell left alone, stand for their files. When an
    import has several files, one that cannot be read is skipped with its reason; when
    it has one, names a path that does not exist, or none can be read, it stops.
    """
    files = [file for path in paths for file in _inputs(path, format)]
    readers: list[tuple[Path, Reader]] = []
    skipped: dict[str, str] = {}
    for file in files:
        try:
            reader = reader_for(file, format)
            if reader.maps_columns:
                surveys[str(file)] = _survey(file, reader, normaliser)
        except UnreadableFile as exc:
            if len(files) == 1 or not file.exists():  # alone, or a path mistyped: stop
                raise
            skipped[str(file)] = exc.message.removeprefix(f"{file}: ")
            continue
        readers.append((file, reader))
    if not readers:
        reasons = "; ".join(f"{file}: {why}" for file, why in skipped.items())
        raise UnreadableFile(
            f"nothing to import: {reasons or 'no files'}", hint="check the paths and --format"
        )
    return readers, skipped


def _dropped_note(file: str, columns: list[str]) -> str:
    return (
        f"{file}: {len(columns)} column(s) that hold personal data were not stored: "
        f"{', '.join(columns)} (privacy.keep_columns keeps named ones)"
    )


def _inputs(path: Path, format: str | None) -> list[Path]:
    if not path.exists() and glob.has_magic(str(path)):
        return sorted((Path(p) for p in glob.glob(str(path))), key=natural_key)
    if not path.is_dir():
        return [path]
    try:
        if reader_for(path, format).reads_folders:
            return [path]
    except UnreadableFile:
        pass  # no reader claims the folder as a whole: its files, one by one
    return [
        p
        for p in sorted(path.iterdir(), key=natural_key)
        if p.is_file() and not p.name.startswith(".")
    ]


def ingest_files(
    store: Store,
    paths: Sequence[Path],
    *,
    options: IngestOptions,
    actor: str,
    requester_key: Callable[[str], str],
    progress: FileProgress | None = None,
    on_batch: BatchHook | None = None,
) -> ImportResult:
    """Import ``paths`` as one transaction and return what happened to every row.

    Raises:
        UnreadableFile: A file cannot be read at all; nothing is written.
    """
    normaliser = Normaliser(
        source=options.source,
        tz=options.tz,
        mapping=options.mapping,
        csat_scale=options.csat_scale,
        dayfirst=options.dayfirst,
        keep_columns=options.keep_columns,
    )
    signature = repr(
        (
            sorted(options.mapping.items()),
            *((sorted(options.keep_columns),) if options.keep_columns else ()),
            str(options.tz),
            options.csat_scale,
            options.dayfirst,
            repr(options.redactor),
            getattr(requester_key, "signature", ""),
        )
    )
    surveys: dict[str, _Survey] = {}
    readers, skipped = _plan(paths, options.format, normaliser, surveys)
    dayfirst = {f: s.dates.dayfirst for f, s in surveys.items() if s.dates.dayfirst is not None}
    notes = [n for f, s in surveys.items() if (n := s.dates.note(f, options.dayfirst))]
    notes += [_dropped_note(f, s.dropped) for f, s in surveys.items() if s.dropped]
    preparer = Preparer(
        normaliser,
        options.redactor,
        requester_key,
        signature=signature,
        dayfirst=dayfirst,
        own_columns=frozenset(str(path) for path, reader in readers if reader.maps_columns),
    )
    format_name = ",".join(sorted({reader.name for _, reader in readers}))
    with store.session(dry_run=options.dry_run) as session:
        log = Import(
            started_at=dt.datetime.now(dt.UTC),
            actor=actor,
            source=options.source,
            format=format_name,
            files=[str(p) for p, _ in readers],
        )
        session.add(log)
        session.flush()
        loader = BatchLoader(
            session, import_id=log.id, batch_size=options.batch_size, on_batch=on_batch
        )
        stored = SessionThreads(session, options.source)
        for item in _prepared(readers, preparer, options, progress, stored):
            if isinstance(item, BadRow):
                loader.reject(options.source, item)
            elif isinstance(item, SkippedRow):
                loader.skip(options.source, item)
            elif isinstance(item, Absorbed):
                loader.absorb(options.source, item)
            else:
                loader.add(item)
        loader.flush()
        counts = loader.counts
        log.finished_at = dt.datetime.now(dt.UTC)
        log.rows_read = counts.read
        for term in TERMS:
            setattr(log, f"rows_{term}", getattr(counts, term))
        formats = {str(path): reader.name for path, reader in readers}
        columns = {f: s.columns for f, s in surveys.items()}
        import_id = None if options.dry_run else log.id  # a dry run's import is undone
        return ImportResult(import_id, options.source, formats, counts, skipped, notes, columns)
