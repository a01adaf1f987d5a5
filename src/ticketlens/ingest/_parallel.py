"""Read and prepare rows in a second process while this one writes to the database.

The child process opens the files itself, so rows cross the process boundary only once,
already prepared, as plain tuples (pickled dataclasses cost several times more; see
bench/README.md). The pipe between the two is small, so the child never runs far ahead:
memory stays flat and a killed parent stops the child at its next write (broken pipe).
Only where ``fork`` exists: the child inherits the readers and the preparer as they are.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ticketlens.errors import IngestError
from ticketlens.ingest._base import Reader
from ticketlens.ingest._prepare import Prepared, PreparedTicket, Preparer
from ticketlens.ingest.normalize import MessageRecord, TicketRecord

#: Rows per message from the child, and messages buffered ahead in this process.
CHUNK_ROWS = 500
PREFETCH_CHUNKS = 16

Packed = tuple[Any, ...]


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _pack(item: Prepared) -> Packed:
    # Tickets (the common case) as flat tuples; the rest, rare, pickled as they are.
    if not isinstance(item, PreparedTicket):
        return (None, item)
    r = item.record
    messages = [m.as_tuple() for m in r.messages]
    # Field order of TicketRecord, messages last (as declared).
    return (
        item.content_hash,
        r.source, r.external_id, r.body, r.subject, r.created_at, r.first_response_at,
        r.solved_at, r.status, r.channel, r.priority, r.group_name, r.language, r.requester,
        r.tags, r.custom_fields, r.csat, r.reopens, r.handoffs, item.joined, item.extends,
        messages,
    )  # fmt: skip


def _unpack(packed: Packed) -> Prepared:
    if packed[0] is None:
        item: Prepared = packed[1]
        return item
    *fields, joined, extends, messages = packed[1:]
    record = TicketRecord(*fields)
    record.messages = [MessageRecord(*m) for m in messages]
    return PreparedTicket(record, packed[0], joined, extends)


def _produce(
    readers: Sequence[tuple[Path, Reader]],
    preparer: Preparer,
    out: Connection,
    parents_end: Connection,
) -> None:
    """Child: read, prepare, send ``(file index, bytes read, rows)`` chunks, then ``None``."""
    # The fork copied the parent's end of the pipe; while this process held it, a killed
    # parent would leave the pipe with a reader, and this process would block on it
    # forever, keeping the parent's inherited database connection (and its open
    # transaction's locks) alive. Closed, the next send fails and the child exits.
    parents_end.close()
    try:
        for index, (path, reader) in enumerate(readers):
            done = [0]

            def tick(n: int, done: list[int] = done) -> None:
                done[0] = n

            chunk: list[Packed] = []
            for item in reader.read(path, tick):
                chunk.append(_pack(preparer.prepare(item)))
                if len(chunk) >= CHUNK_ROWS:
                    out.send_bytes(pickle.dumps((index, done[0], chunk), protocol=5))
                    chunk = []
            out.send_bytes(pickle.dumps((index, done[0], chunk), protocol=5))
        out.send_bytes(pickle.dumps(None))
    except BrokenPipeError:
        pass  # the parent is gone; nothing to report to
    except BaseException as exc:  # the parent re-raises it, so the import fails as inline
        out.send_bytes(pickle.dumps(exc))
    finally:
        out.close()


def prepared_in_child(
    readers: Sequence[tuple[Path, Reader]],
    preparer: Preparer,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Prepared]:
    """Prepared rows of all ``readers`` in file order, produced by a child process.

    ``progress(file index, bytes read)`` is called as chunks arrive.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(readers, preparer, send, receive), daemon=True)
    child.start()
    send.close()
    # A pipe holds 64 KB, less than one chunk: without a buffer here the child would wait
    # whenever this process is busy writing a batch (measured: both at ~60% CPU). The pump
    # thread receives while this thread writes; recv releases the GIL.
    inbox: queue.Queue[bytes | None] = queue.Queue(maxsize=PREFETCH_CHUNKS)
    stop = threading.Event()

    def pump() -> None:
        try:
            while not stop.is_set():
                data = receive.recv_bytes()
                while not stop.is_set():
                    try:
                        inbox.put(data, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except (EOFError, OSError):
            inbox.put(None)

    pumping = threading.Thread(target=pump, name="ticketlens-import-pump", daemon=True)
    pumping.start()
    try:
        while True:
            data = inbox.get()
            if data is None:
                raise IngestError(
                    "the process reading the files stopped unexpectedly",
                    hint="run with -v for details, or set ingest.parallel_from_mb = -1",
                )
            message = pickle.loads(data)
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            index, done, chunk = message
            if progress is not None:
                progress(index, done)
            for packed in chunk:
                yield _unpack(packed)
    finally:
        stop.set()
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
        pumping.join(timeout=5)
