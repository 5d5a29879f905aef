"""Every inbound message is kept, whatever became of it: a ticket, a reply, ignored as automatic,
or quarantined for an admin to retry or discard. Nothing is silently dropped."""

import zlib

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopdesk.core import crypto
from shopdesk.core.models import BaseModel


class InboundMail(BaseModel):
    class Status(models.TextChoices):
        NEW_TICKET = "ticket", _("opened a ticket")
        REPLY = "reply", _("added to a ticket")
        IGNORED = "ignored", _("ignored (automatic message)")
        QUARANTINED = "quarantined", _("quarantined")
        DISCARDED = "discarded", _("discarded")

    class Source(models.TextChoices):
        FILE = "file", _("file")
        IMAP = "imap", _("IMAP mailbox")
        HTTP = "http", _("mail relay (HTTP)")

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    mailbox = models.CharField(_("mailbox"), max_length=200, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True)
    # The original as received, encrypted at rest: it holds names, addresses and whatever the
    # customer wrote. Kept whole (quotes, signatures, every part) for retries and disputes.
    raw_enc = models.BinaryField()
    size = models.PositiveIntegerField(_("size (bytes)"))
    from_enc = models.TextField(blank=True, default="")
    from_hash = models.CharField(max_length=64, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        constraints = [
            # A relay retry or a second IMAP poll delivers the same message again: one row.
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="inbound_mail_msgid_uq"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["ticket", "reply", "ignored", "quarantined", "discarded"]),
                name="inbound_mail_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_mail_status_idx"),
            models.Index(fields=["from_hash", "received_at"], name="inbound_mail_sender_idx"),
            models.Index(fields=["customer", "received_at"], name="inbound_mail_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.subject or self.message_id or self.pk}"

    @property
    def masked_from(self) -> str:
        return crypto.mask_email(crypto.decrypt_str(self.from_enc))

    def raw(self) -> bytes:
        return zlib.decompress(crypto.decrypt_bytes(bytes(self.raw_enc)))

    @staticmethod
    def raw_sealed(raw: bytes) -> bytes:
        """What raw_enc holds: the original compressed (mail text shrinks 2-4 times, which
        matters more than the CPU at ~200 messages a second), then encrypted."""
        return crypto.encrypt_bytes(zlib.compress(raw, 1))
