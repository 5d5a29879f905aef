"""What the readers share: import context, streamed CSV rows, batches, per-batch transactions."""

import csv
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, TypeVar

from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from shopdesk.core.progress import Progress
from shopdesk.orders.importers.records import RowRejected
from shopdesk.orders.importers.report import ImportReport
from shopdesk.orders.importers.writer import BulkWriter

T = TypeVar("T")
R = TypeVar("R")

# Real exports carry long free-text cells (addresses, product titles).
csv.field_size_limit(min(sys.maxsize, 1 << 24))

_DEADLOCK_RETRIES = 3


class ImportFileError(ValueError):
    """A file or folder cannot be imported at all (missing, wrong columns, bad mapping)."""


@dataclass
class ImportContext:
    writer: BulkWriter
    report: ImportReport
    progress: Progress
    tz: tzinfo
    batch_size: int
    encoding: str = "utf-8-sig"

    def in_transaction(self, work: Callable[[], R]) -> R:
        """Run one batch in its own transaction; retry it if the database broke a deadlock
        with a concurrent import or order_upsert (the loser's batch is rolled back whole)."""
        for attempt in range(_DEADLOCK_RETRIES):
            try:
                with transaction.atomic():
                    self._relax_commit()
                    return work()
            except OperationalError as exc:
                if "deadlock" not in str(exc).lower() or attempt == _DEADLOCK_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _relax_commit(self) -> None:
        # A crash may lose the last batches; re-running the (idempotent) import restores them,
        # so the batch need not wait for its WAL flush.
        if self.writer.stager.is_postgres:
            with self.writer.stager.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")

    def analyze(self, *tables: str) -> None:
        """After a phase: fresh statistics for the next phase's joins."""
        self.writer.stager.analyze(*tables)


def csv_rows(
    path: Path, *, encoding: str, columns: Iterable[str], delimiter: str = ","
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """The header's column positions and a lazy iterator of (line number, cells).

    Raises ImportFileError when a needed column is missing from the header.
    """
    handle = path.open(encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        handle.close()
        raise ImportFileError(_("%(file)s is empty.") % {"file": path}) from None
    except UnicodeDecodeError as exc:
        handle.close()
        raise ImportFileError(
            _("%(file)s is not %(encoding)s text: %(error)s; try --encoding.")
            % {"file": path, "encoding": encoding, "error": exc}
        ) from None
    positions = {name: number for number, name in enumerate(header)}
    missing = [name for name in columns if name not in positions]
    if missing:
        handle.close()
        raise ImportFileError(
            _("%(file)s has no column %(columns)s (header: %(header)s).")
            % {"file": path, "columns": ", ".join(missing), "header": ", ".join(header)}
        )

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            try:
                for cells in reader:
                    if cells:
                        yield reader.line_num, cells
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    _("%(file)s near line %(line)d is not %(encoding)s text; try --encoding.")
                    % {"file": path, "line": reader.line_num + 1, "encoding": encoding}
                ) from exc

    return positions, rows()


def parsed_batches(
    ctx: ImportContext,
    rows: Iterator[tuple[int, list[str]]],
    parse: Callable[[list[str], int], T],
    *,
    file: str,
) -> Iterator[list[T]]:
    """Parse rows into batches of `batch_size` valid records; bad rows go to the report."""
    batch: list[T] = []
    report = ctx.report
    for line, cells in rows:
        try:
            batch.append(parse(cells, line))
        except RowRejected as exc:
            report.reject(file, line, str(exc))
        except IndexError:
            report.reject(file, line, _("too few columns"))
        if len(batch) >= ctx.batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


_DONE = object()


def prefetched(source: Iterator[T], *, depth: int = 2) -> Iterator[T]:
    """Run `source` (file reading and parsing) in a thread, up to `depth` items ahead, so
    Python parses the next batch while the database writes this one. Exceptions in the thread
    are raised here; leaving the loop early stops the thread."""
    slots: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed over to the consumer
            put(_Failure(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while (item := slots.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


@dataclass(frozen=True)
class _Failure:
    exc: BaseException


def last_by_key(rows: Iterable[T], key: Callable[[T], object]) -> list[T]:
    """One row per key, the last one read winning, in first-seen order."""
    unique: dict[object, T] = {}
    for row in rows:
        unique[key(row)] = row
    return list(unique.values())
