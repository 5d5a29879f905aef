"""The production path: two real Celery workers on Redis scan the same overdue tickets at once,
and every breach is still recorded exactly once.

Needs PostgreSQL (DATABASE_URL), Redis on 127.0.0.1:6379 and SHOPDESK_CELERY_TEST=1; .ci/run
runs it after the main suites. The workers are separate processes, so the tickets must be
committed (transactional_db) and the workers pointed at pytest-django's test database.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from shopdesk.tickets import sla
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import EventType
from shopdesk.tickets.tests.factories import TicketFactory

REDIS = "redis://127.0.0.1:6379"
ROOT = Path(__file__).resolve().parents[3]
TICKETS = 20
CALLS = 6

# A skip decided before any fixture runs: transactional_db would otherwise empty the seeded
# tables (policies, roles) for the tests that follow.
pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(
        os.environ.get("SHOPDESK_CELERY_TEST") != "1",
        reason="set SHOPDESK_CELERY_TEST=1 (needs PostgreSQL and Redis on 127.0.0.1:6379)",
    ),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the Celery worker test needs DATABASE_URL on PostgreSQL",
    ),
]


def _test_database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _start_worker(index: int, queue: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker"),
        *("--concurrency=1", f"--queues={queue}", f"--hostname=w{index}-{queue}@%h"),
        *("--without-gossip", "--without-mingle", "--loglevel=WARNING"),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)  # the group this test started
            worker.wait(5)


def _wait_ready(client: Celery, names: list[str], workers: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert all(w.poll() is None for w in workers), "a Celery worker exited at start-up"
        replies = client.control.ping(destination=names, timeout=1.0) or []
        if {name for reply in replies for name in reply} >= set(names):
            return
    pytest.fail("the Celery workers did not answer within 60 s")


def _overdue_tickets() -> list[Ticket]:
    created = timezone.now() - timedelta(hours=1)  # first reply due 45 minutes ago
    tickets = []
    for _ in range(TICKETS):
        ticket = TicketFactory()
        sla.sla_start(ticket, now=created)
        ticket.save()
        tickets.append(ticket)
    return tickets


@pytest.mark.django_db(transaction=True)
def test_two_workers_record_each_breach_exactly_once():
    # given overdue tickets, committed where the workers can see them
    tickets = _overdue_tickets()
    queue = f"shopdesk-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": f"{REDIS}/0",
        "CELERY_RESULT_BACKEND": f"{REDIS}/1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    client = Celery("shopdesk-test", broker=f"{REDIS}/0", backend=f"{REDIS}/1")
    workers = [_start_worker(i, queue, env) for i in (1, 2)]
    try:
        names = [f"w{i}-{queue}@{os.uname().nodename}" for i in (1, 2)]
        _wait_ready(client, names, workers)

        # when both workers get several scans at once
        results = [client.send_task("tickets.sla_scan", queue=queue) for _ in range(CALLS)]
        counts = [result.get(timeout=120) for result in results]
    finally:
        for worker in workers:
            _stop(worker)
        client.close()

    # then every overdue first reply breached exactly once in all
    assert sum(c["breaches"] for c in counts) == TICKETS
    breaches = TicketEvent.objects.filter(
        ticket__in=tickets, type=EventType.SLA_BREACH, data__clock="first_reply"
    )
    per_ticket = {t.pk: 0 for t in tickets}
    for event in breaches:
        per_ticket[event.ticket_id] += 1
    assert set(per_ticket.values()) == {1}
    assert Ticket.objects.filter(pk__in=per_ticket, sla_breached_at__isnull=True).count() == 0
