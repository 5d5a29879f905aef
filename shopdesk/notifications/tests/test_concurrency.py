"""Two workers delivering at the same time send each notification once (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection

from shopdesk.notifications import backends
from shopdesk.notifications.models import Notification
from shopdesk.notifications.services import notifications_deliver_due
from shopdesk.notifications.tests.factories import NotificationFactory

SLOW = "shopdesk.notifications.tests.test_concurrency.SlowSmsBackend"
_sent: list[str] = []
_lock = threading.Lock()


class SlowSmsBackend:
    """Sends slowly, so both workers are inside delivery at the same time."""

    def send(self, *, message: backends.SmsMessage) -> None:
        time.sleep(0.01)
        with _lock:
            _sent.append(message.body)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_send_each_notification_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("threads need their own connections: PostgreSQL only (CAS tested on SQLite)")
    # given
    settings.SHOPDESK_SMS_BACKEND = SLOW
    _sent.clear()
    NotificationFactory.create_batch(20)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(notifications_deliver_due())
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sorted(_sent) == sorted(set(_sent))
    assert len(_sent) == 20
    assert sum(r["sent"] for r in results) == 20
    assert Notification.objects.filter(status="sent", attempts=1).count() == 20
