"""A dependency-free progress bar for long commands: drawn on a terminal, silent otherwise."""

import sys
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """Report progress of `total` units (None when unknown); redraws at most 10 times a second.

    Use as a context manager; `advance(n)` after each batch. Draws only when `stream` is a TTY
    and `enabled` is true, so JSON output on stdout and logs stay clean.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        unit: str = "rows",
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self._started = time.monotonic()
        self._last_draw = 0.0

    def __enter__(self) -> "Progress":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._draw(force=True)
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            text = (
                f"\r{self.label} [{bar:<30}] {share:6.1%} {self.done:,}/{self.total:,} "
                f"{self.unit} {rate:,.0f}/s"
            )
        else:
            text = f"\r{self.label} {self.done:,} {self.unit} {rate:,.0f}/s"
        self.stream.write(text)
        self.stream.flush()
