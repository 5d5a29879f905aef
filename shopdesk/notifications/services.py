"""Every write of the outbox: enqueue, deliver (claim, send, settle) and mark read.

Delivery is safe under concurrency: a worker claims a row by compare-and-set on `attempts`
(plus `select_for_update(skip_locked=True)` where the database has it), so two workers never
send one notification twice. A claim also pushes `next_attempt_at` forward by a lease: a worker
that dies mid-send leaves a row that is retried once the lease has passed.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.notifications import backends
from shopdesk.notifications.errors import NotificationsErrorCode
from shopdesk.notifications.models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS: Final = 6
CLAIM_LEASE: Final = timedelta(minutes=10)
REDACTED: Final = "[redacted]"
_OPEN: Final = (Notification.Status.PENDING, Notification.Status.FAILED)
Channel = Notification.Channel
Status = Notification.Status


def retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: 1, 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


def _recipient(channel: str, user: User | None, to: str) -> str:
    to = to.strip()
    if not to and channel == Channel.EMAIL and user is not None:
        to = user.email
    if channel == Channel.IN_APP and user is None:
        raise DomainError(
            "An in-app notification needs a user.", code=NotificationsErrorCode.NO_RECIPIENT
        )
    if channel != Channel.IN_APP and not to:
        raise DomainError(
            "An e-mail or SMS needs an address or phone number.",
            code=NotificationsErrorCode.NO_RECIPIENT,
        )
    return to


def notification_enqueue(
    *,
    channel: str,
    subject: str,
    body: str,
    user: User | None = None,
    to: str = "",
    language: str = "zh-hans",
    ref: str = "",
    dedupe_key: str = "",
    headers: dict[str, str] | None = None,
    is_sensitive: bool = False,
) -> Notification:
    """Put one message in the outbox, due now; the same non-empty `dedupe_key` twice gives
    the first row back. The destination is stored encrypted; a sensitive body (a one-time code)
    is redacted once the message is sent or dead.

    Raises: DomainError `unknown_channel`, `no_recipient`.
    """
    if channel not in Channel.values:
        raise DomainError(
            f"Unknown channel '{channel}'.", code=NotificationsErrorCode.UNKNOWN_CHANNEL
        )
    to = _recipient(channel, user, to)
    fields: dict[str, Any] = {
        "channel": channel,
        "user": user,
        "to_enc": crypto.encrypt_str(to),
        "subject": subject,
        "body": body,
        "language": language,
        "ref": ref,
        "dedupe_key": dedupe_key,
        "headers": dict(headers or {}),
        "is_sensitive": is_sensitive,
        "next_attempt_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            return Notification.objects.create(**fields)
    except IntegrityError:
        # The key is taken: enqueued before (a retry) or by a concurrent request. Inserting
        # first and looking up only then saves the common case, a new message, one query.
        if not dedupe_key:
            raise
        return Notification.objects.get(dedupe_key=dedupe_key)


@dataclass(frozen=True)
class OutboxMessage:
    """One message for `notifications_enqueue_many`: the arguments of `notification_enqueue`."""

    channel: str
    subject: str
    body: str
    user: User | None = None
    to: str = ""
    language: str = "zh-hans"
    ref: str = ""
    dedupe_key: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    is_sensitive: bool = False


def notifications_enqueue_many(*, messages: Iterable[OutboxMessage]) -> None:
    """Put many messages in the outbox in one INSERT, due now, each row built (and its
    destination encrypted) as `notification_enqueue` does. A message whose non-empty
    `dedupe_key` is already in the outbox, or repeated in `messages`, is skipped.

    Raises: DomainError `unknown_channel`, `no_recipient` (nothing is written).
    """
    rows = []
    for message in messages:
        if message.channel not in Channel.values:
            raise DomainError(
                f"Unknown channel '{message.channel}'.",
                code=NotificationsErrorCode.UNKNOWN_CHANNEL,
            )
        to = _recipient(message.channel, message.user, message.to)
        rows.append(
            Notification(
                channel=message.channel,
                user=message.user,
                to_enc=crypto.encrypt_str(to),
                subject=message.subject,
                body=message.body,
                language=message.language,
                ref=message.ref,
                dedupe_key=message.dedupe_key,
                headers=dict(message.headers),
                is_sensitive=message.is_sensitive,
                next_attempt_at=timezone.now(),
            )
        )
    if rows:
        # ON CONFLICT DO NOTHING: the partial unique index on dedupe_key decides.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _claim(notification: Notification, now: datetime) -> bool:
    """Compare-and-set on `attempts`: exactly one of several concurrent claimers wins."""
    lease_until = now + CLAIM_LEASE
    won = Notification.objects.filter(
        pk=notification.pk, attempts=notification.attempts, status__in=_OPEN
    ).update(attempts=F("attempts") + 1, next_attempt_at=lease_until, updated_at=timezone.now())
    if won:
        notification.attempts += 1
        notification.next_attempt_at = lease_until
    return bool(won)


def _claim_due(now: datetime, limit: int) -> list[Notification]:
    with transaction.atomic():
        due = Notification.objects.filter(status__in=_OPEN, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            # Rows another worker is claiming right now are skipped rather than waited for.
            due = due.select_for_update(skip_locked=True)
        return [n for n in due[:limit] if _claim(n, now)]


def _send(notification: Notification) -> None:
    if notification.channel == Channel.IN_APP:
        return  # The row itself is the in-app message: delivering it only marks it sent.
    to = crypto.decrypt_str(notification.to_enc)
    if notification.channel == Channel.EMAIL:
        backends.email_send(
            to=to,
            subject=notification.subject,
            body=notification.body,
            headers={str(k): str(v) for k, v in notification.headers.items()},
        )
    else:
        backends.sms_send(to=to, body=notification.body)


def _settle(notification: Notification, now: datetime, error: str) -> str:
    """Record the outcome of the attempt this worker claimed; returns the new status."""
    fields: dict[str, Any] = {"updated_at": timezone.now(), "last_error": error}
    if not error:
        fields.update(status=Status.SENT, sent_at=now)
    elif notification.attempts >= MAX_ATTEMPTS:
        fields.update(status=Status.DEAD)
    else:
        fields.update(
            status=Status.FAILED,
            next_attempt_at=now + retry_delay(attempts=notification.attempts),
        )
    if notification.is_sensitive and fields.get("status") in (Status.SENT, Status.DEAD):
        fields["body"] = REDACTED
    Notification.objects.filter(pk=notification.pk, attempts=notification.attempts).update(**fields)
    for key, value in fields.items():
        setattr(notification, key, value)
    return str(fields.get("status", notification.status))


def _attempt(notification: Notification, now: datetime) -> str:
    try:
        _send(notification)
    except Exception as exc:  # Any provider failure is retried; the row keeps the reason.
        logger.warning("Notification %s attempt %s failed", notification.pk, notification.attempts)
        return _settle(notification, now, f"{type(exc).__name__}: {exc}"[:2000] or "error")
    return _settle(notification, now, "")


def notification_deliver(*, notification: Notification, now: datetime | None = None) -> str:
    """Send one pending or failed notification now, whatever its `next_attempt_at`; returns
    its status. A row already sent, dead, or claimed by another worker is left alone."""
    now = now or timezone.now()
    if notification.status not in _OPEN or not _claim(notification, now):
        return str(notification.status)
    return _attempt(notification, now)


def notifications_deliver_due(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Claim up to `limit` due notifications and send them: sent, or retried after 1, 2, 4 …
    minutes, or dead after MAX_ATTEMPTS failures. Returns counts per outcome."""
    now = now or timezone.now()
    counts = {"claimed": 0, Status.SENT.value: 0, Status.FAILED.value: 0, Status.DEAD.value: 0}
    for notification in _claim_due(now, limit):
        counts["claimed"] += 1
        counts[_attempt(notification, now)] += 1
    return counts


def notification_mark_read(
    *, notification: Notification, user: User, now: datetime | None = None
) -> Notification:
    """Mark the user's own in-app notification read; marking twice keeps the first time.

    Raises: NotFound when the notification is not the user's.
    """
    if notification.user_id != user.pk:
        raise NotFound("No such notification.")
    now = now or timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
    notification.refresh_from_db(fields=["read_at", "updated_at"])
    return notification
