"""Background work without Celery: a daemon thread of the serving process runs the periodic
jobs of config/schedule.py (SLA scan, routing, notifications, chats, mail, auto-close) that
Celery beat runs in production.

Started from CoreConfig.ready() only in a serving process (`shopdesk serve`/`runserver`,
gunicorn) and only with SHOPDESK_INPROCESS_SCHEDULER on (local settings; off in test and
production settings). Every job is safe to run in several processes at once, so gunicorn
workers each running one is wasteful but correct.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

from config.schedule import PERIODIC_JOBS

logger = logging.getLogger(__name__)

TICK_SECONDS: Final = 30.0
FIRST_PASS_DELAY: Final = 5.0
_SERVE_COMMANDS: Final = frozenset({"runserver", "serve"})


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: float  # seconds


def periodic_jobs() -> tuple[Job, ...]:
    """The jobs of config/schedule.py with their functions imported (once the apps are ready)."""
    return tuple(Job(p.task, import_string(p.function), p.every) for p in PERIODIC_JOBS)


def should_start(*, argv: Sequence[str], environ: Mapping[str, str], enabled: bool) -> bool:
    """Whether this process serves pages and should run the jobs itself."""
    if not enabled or not argv:
        return False
    if Path(argv[0]).name.startswith("gunicorn"):
        return True
    if len(argv) < 2 or argv[1] not in _SERVE_COMMANDS:
        return False
    # The autoreloader's parent only watches files; its child (RUN_MAIN) serves.
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


class Scheduler:
    """Runs due jobs every `tick` seconds in one daemon thread until stopped."""

    def __init__(self, jobs: Sequence[Job] | None = None, *, tick: float = TICK_SECONDS) -> None:
        self._jobs = tuple(jobs) if jobs is not None else None
        self.tick = tick
        self._last_run: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def jobs(self) -> tuple[Job, ...]:
        if self._jobs is None:
            self._jobs = periodic_jobs()
        return self._jobs

    def run_pass(self, *, clock: float | None = None) -> list[str]:
        """Run every job whose interval has passed; returns the names run. A failing job is
        logged and does not stop the others."""
        now = time.monotonic() if clock is None else clock
        ran = []
        try:
            for job in self.jobs:
                last = self._last_run.get(job.name)
                if last is not None and now - last < job.every:
                    continue
                self._last_run[job.name] = now
                ran.append(job.name)
                try:
                    job.run()
                except Exception:
                    logger.exception("Background job %s failed", job.name)
        finally:
            # This thread's connections must not linger between passes.
            connections.close_all()
        return ran

    def _loop(self) -> None:
        if self._stop.wait(FIRST_PASS_DELAY):
            return
        while True:
            self.run_pass()
            if self._stop.wait(self.tick):
                return

    def start(self) -> bool:
        """Start the thread once; False if it already runs."""
        if self._thread is not None and self._thread.is_alive():
            return False
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="shopdesk-scheduler", daemon=True)
        self._thread.start()
        return True

    def stop(self, *, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


scheduler = Scheduler()


def start_if_serving(*, argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Called at start-up: start the in-process scheduler if this process serves pages."""
    enabled = bool(getattr(settings, "SHOPDESK_INPROCESS_SCHEDULER", False))
    if not should_start(argv=argv, environ=environ, enabled=enabled):
        return False
    logger.info("Running background jobs in this process every %.0f s", TICK_SECONDS)
    return scheduler.start()
