from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.notifications import backends
from shopdesk.notifications.models import Notification
from shopdesk.notifications.services import (
    MAX_ATTEMPTS,
    notification_deliver,
    notification_enqueue,
    notification_mark_read,
    notifications_deliver_due,
)
from shopdesk.notifications.tasks import notifications_deliver_due_task
from shopdesk.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

FAILING = "shopdesk.notifications.tests.test_services.FailingSmsBackend"


class FailingSmsBackend:
    def send(self, *, message: backends.SmsMessage) -> None:
        raise ConnectionError("provider unreachable")


def test_enqueue_stores_destination_encrypted():
    # when
    n = notification_enqueue(channel="sms", subject="", body="Hello", to="13812345678")
    # then
    n.refresh_from_db()
    assert "13812345678" not in n.to_enc
    assert crypto.decrypt_str(n.to_enc) == "13812345678"
    assert n.masked_to == "138****5678"
    assert n.status == Notification.Status.PENDING
    assert n.next_attempt_at <= timezone.now()


def test_enqueue_same_dedupe_key_twice_makes_one_row():
    # when
    first = notification_enqueue(channel="sms", subject="", body="a", to="1", dedupe_key="k:1")
    second = notification_enqueue(channel="sms", subject="", body="b", to="1", dedupe_key="k:1")
    notification_enqueue(channel="sms", subject="", body="c", to="1")
    notification_enqueue(channel="sms", subject="", body="d", to="1")
    # then
    assert first.pk == second.pk
    assert Notification.objects.count() == 3


@pytest.mark.parametrize(
    ("channel", "to", "code"),
    [("sms", "", "no_recipient"), ("in_app", "", "no_recipient"), ("fax", "1", "unknown_channel")],
)
def test_enqueue_refuses_missing_recipient_or_unknown_channel(channel, to, code):
    # when
    with pytest.raises(DomainError) as exc:
        notification_enqueue(channel=channel, subject="", body="x", to=to)
    # then
    assert exc.value.code == code
    assert not Notification.objects.exists()


def test_deliver_email_with_headers_and_user_address():
    # given
    user = UserFactory(email="agent@example.com")
    n = notification_enqueue(
        channel="email",
        subject="Your ticket",
        body="We replied.",
        user=user,
        headers={"In-Reply-To": "<t-1@shopdesk>"},
    )
    # when
    counts = notifications_deliver_due()
    # then
    assert counts == {"claimed": 1, "sent": 1, "failed": 0, "dead": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agent@example.com"]
    assert message.subject == "Your ticket"
    assert message.extra_headers["In-Reply-To"] == "<t-1@shopdesk>"
    n.refresh_from_db()
    assert n.status == Notification.Status.SENT
    assert n.sent_at is not None
    assert n.attempts == 1


def test_deliver_sms_goes_to_locmem_outbox_and_is_not_sent_twice():
    # given
    notification_enqueue(channel="sms", subject="", body="Code 123456", to="13812345678")
    # when
    notifications_deliver_due()
    again = notifications_deliver_due()
    # then
    assert backends.outbox == [backends.SmsMessage(to="13812345678", body="Code 123456")]
    assert again["claimed"] == 0


def test_in_app_delivery_only_marks_sent():
    # given
    user = UserFactory()
    n = notification_enqueue(channel="in_app", subject="Hi", body="Hello", user=user)
    # when
    status = notification_deliver(notification=n)
    # then
    assert status == "sent"
    assert mail.outbox == []
    assert backends.outbox == []


def test_failing_backend_retries_with_exponential_backoff(settings):
    # given
    settings.SHOPDESK_SMS_BACKEND = FAILING
    n = notification_enqueue(channel="sms", subject="", body="x", to="13812345678")
    now = timezone.now()
    # when
    first = notifications_deliver_due(now=now)
    early = notifications_deliver_due(now=now + timedelta(seconds=59))
    second = notifications_deliver_due(now=now + timedelta(minutes=1))
    # then
    assert first["failed"] == 1
    assert early["claimed"] == 0
    assert second["failed"] == 1
    n.refresh_from_db()
    assert n.status == Notification.Status.FAILED
    assert n.attempts == 2
    assert n.next_attempt_at == now + timedelta(minutes=1) + timedelta(minutes=2)
    assert n.last_error == "ConnectionError: provider unreachable"


def test_dead_after_max_attempts_keeps_last_error(settings):
    # given
    settings.SHOPDESK_SMS_BACKEND = FAILING
    n = notification_enqueue(channel="sms", subject="", body="x", to="13812345678")
    now = timezone.now()
    # when
    for _ in range(MAX_ATTEMPTS + 2):
        notifications_deliver_due(now=now)
        now += timedelta(hours=1)
    # then
    n.refresh_from_db()
    assert n.status == Notification.Status.DEAD
    assert n.attempts == MAX_ATTEMPTS == 6
    assert "provider unreachable" in n.last_error


def test_recovers_after_a_failure(settings):
    # given
    settings.SHOPDESK_SMS_BACKEND = FAILING
    n = notification_enqueue(channel="sms", subject="", body="x", to="13812345678")
    now = timezone.now()
    notifications_deliver_due(now=now)
    settings.SHOPDESK_SMS_BACKEND = "shopdesk.notifications.backends.LocmemSmsBackend"
    # when
    counts = notifications_deliver_due(now=now + timedelta(minutes=1))
    # then
    assert counts["sent"] == 1
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (Notification.Status.SENT, 2, "")


def test_a_stale_copy_loses_the_claim_and_sends_nothing():
    # given: two workers loaded the same row; the first one delivers it
    n = NotificationFactory()
    stale = Notification.objects.get(pk=n.pk)
    notification_deliver(notification=n)
    # when: the second one tries with its stale copy (attempts still 0)
    stale.status = Notification.Status.PENDING
    status = notification_deliver(notification=stale)
    # then
    assert status == "pending"
    assert len(backends.outbox) == 1
    assert Notification.objects.get(pk=n.pk).attempts == 1


def test_claimed_row_is_not_due_until_its_lease_ends():
    # given: a worker claimed the row and died before settling it
    n = NotificationFactory()
    now = timezone.now()
    Notification.objects.filter(pk=n.pk).update(
        attempts=1, next_attempt_at=now + timedelta(minutes=10)
    )
    # when
    during = notifications_deliver_due(now=now)
    after = notifications_deliver_due(now=now + timedelta(minutes=10))
    # then
    assert during["claimed"] == 0
    assert after["sent"] == 1


def test_deliver_due_respects_limit():
    # given
    NotificationFactory.create_batch(3)
    # when
    counts = notifications_deliver_due(limit=2)
    # then
    assert counts["sent"] == 2
    assert Notification.objects.filter(status="pending").count() == 1


def test_mark_read_only_by_its_user_and_keeps_first_time():
    # given
    user, other = UserFactory(), UserFactory()
    n = notification_enqueue(channel="in_app", subject="s", body="b", user=user)
    first = timezone.now() - timedelta(hours=1)
    # when
    notification_mark_read(notification=n, user=user, now=first)
    notification_mark_read(notification=n, user=user)
    # then
    assert n.read_at == first
    with pytest.raises(NotFound):
        notification_mark_read(notification=n, user=other)


def test_deliver_due_task_runs_the_service():
    # given
    NotificationFactory()
    # when
    result = notifications_deliver_due_task.delay().get()
    # then
    assert result["sent"] == 1


def test_sensitive_body_is_redacted_once_sent():
    # given
    n = notification_enqueue(
        channel="sms", subject="", body="Code 654321", to="13812345678", is_sensitive=True
    )
    # when
    notification_deliver(notification=n)
    # then
    assert backends.outbox[0].body == "Code 654321"
    assert Notification.objects.get(pk=n.pk).body == "[redacted]"
