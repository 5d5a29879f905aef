"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), and Django pointed at it.

Use the `smtp_server` fixture (import it into the test module); Django's SMTP backend then
delivers there for the test, in plain text (no TLS, no login), and `smtp_server.messages` lists
what arrived, in order.
"""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django.fixtures import Settings


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes  # exactly the bytes of the DATA command
    message: EmailMessage  # parsed with the modern policy: headers come out decoded


@dataclass
class Collector:
    """The aiosmtpd handler: keeps every message it accepts."""

    messages: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        received = ReceivedMail(
            mail_from=str(envelope.mail_from),
            rcpt_tos=[str(r) for r in envelope.rcpt_tos],
            raw=raw,
            message=message,
        )
        with self.lock:
            self.messages.append(received)
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    collector: Collector

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.collector.lock:
            return list(self.collector.messages)


def _free_port() -> int:
    # aiosmtpd checks its server by connecting to the port, so it cannot be given port 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 that Django's SMTP backend sends to during the test."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield SmtpServer(host="127.0.0.1", port=controller.port, collector=collector)
    finally:
        controller.stop()
