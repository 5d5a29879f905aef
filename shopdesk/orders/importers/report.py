"""What an import did: counts, rows changed, rejected rows with file, line and reason."""

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from shopdesk.orders.importers.records import RowError

ENTITIES = ("orders", "items", "customers", "merchants", "products", "shipments")
MAX_ERRORS = 100


@dataclass
class ImportReport:
    """Counts are rows accepted from the files; `changed` counts rows inserted or updated,
    so a second import of the same files shows zeros there."""

    source: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    # What apps that read more of the same folder add (say "reviews": {...} from surveys).
    extras: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, entity: str, *, count: int, changed: int) -> None:
        self.counts[entity] += count
        self.changed[entity] += changed

    def reject(self, file: str, line: int, reason: str) -> None:
        # Called from the reader thread while the writer thread may report too.
        with self._lock:
            self.rejected += 1
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(RowError(file, line, reason))

    def reject_many(self, file: str, rejections: Iterable[tuple[int, str]]) -> int:
        """Record (line, reason) pairs; returns how many there were."""
        count = 0
        for line, reason in rejections:
            self.reject(file, line, reason)
            count += 1
        return count

    def finish(self) -> None:
        self.seconds = time.monotonic() - self.started

    @property
    def orders_per_second(self) -> float:
        return self.counts["orders"] / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "rejected": self.rejected,
            "errors": [error._asdict() for error in self.errors],
            "changed": dict(self.changed),
            "source": self.source,
            "seconds": round(self.seconds, 3),
            "orders_per_second": round(self.orders_per_second, 1),
            **self.extras,
        }

    def as_text(self) -> str:
        lines = [
            _(
                "Imported %(orders)d orders with %(items)d items in %(seconds).1f s "
                "(%(rate).0f orders/s)."
            )
            % {
                "orders": self.counts["orders"],
                "items": self.counts["items"],
                "seconds": self.seconds,
                "rate": self.orders_per_second,
            }
        ]
        for entity in ENTITIES:
            lines.append(
                _("  %(entity)-10s %(count)9d read, %(changed)9d inserted or changed")
                % {
                    "entity": entity,
                    "count": self.counts[entity],
                    "changed": self.changed[entity],
                }
            )
        lines.append(_("Rejected rows: %(n)d") % {"n": self.rejected})
        lines += [f"  {e.file}:{e.line}: {e.reason}" for e in self.errors]
        if self.rejected > len(self.errors):
            lines.append(
                _("  ... and %(n)d more rejected rows not listed.")
                % {"n": self.rejected - len(self.errors)}
            )
        for name, extra in self.extras.items():
            lines.append(f"{name}: {extra}")
        return "\n".join(lines)
