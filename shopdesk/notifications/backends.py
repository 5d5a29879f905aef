"""Delivery adapters: e-mail through Django's mail API, SMS through a provider adapter.

The SMS adapter is named by the setting SHOPDESK_SMS_BACKEND (a dotted path, like Django's
EMAIL_BACKEND), because each deployment signs its own contract with an SMS provider.
"""

import logging
import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from shopdesk.core import crypto

logger = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "shopdesk.notifications.backends.ConsoleSmsBackend"


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class SmsBackend(Protocol):
    def send(self, *, message: SmsMessage) -> None:
        """Hand the message to the provider; raise on any failure (the outbox retries)."""


class ConsoleSmsBackend:
    """Writes each SMS to stdout: for laptops and demos, where no provider is configured."""

    def send(self, *, message: SmsMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}:\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        logger.info("SMS written to the console for %s", crypto.mask_phone(message.to))


# Filled by LocmemSmsBackend, read by tests (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class LocmemSmsBackend:
    """Keeps each SMS in the module-level `outbox` list, for tests."""

    def send(self, *, message: SmsMessage) -> None:
        outbox.append(message)


def sms_backend() -> SmsBackend:
    path = getattr(settings, "SHOPDESK_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    backend: SmsBackend = import_string(path)()
    return backend


def sms_send(*, to: str, body: str) -> None:
    sms_backend().send(message=SmsMessage(to=to, body=body))


def email_send(*, to: str, subject: str, body: str, headers: dict[str, str]) -> None:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.send(fail_silently=False)
