"""The outbox: one row per message to send, whatever the channel, with its delivery state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopdesk.core import crypto
from shopdesk.core.models import BaseModel


class Notification(BaseModel):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in-app")
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        DEAD = "dead", _("given up")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The e-mail address or phone number, encrypted at rest like every contact detail.
    to_enc = models.TextField(blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    ref = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    # A sensitive body (a sign-in code) is replaced once the message is sent or given up.
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    headers = models.JSONField(_("extra mail headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    # Bumped when a worker claims the row: it is also the version the claim compares and sets.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe_key_uq",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "dead"]),
                name="notification_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            models.Index(fields=["user", "channel", "created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.ref or self.pk}"

    @property
    def masked_to(self) -> str:
        to = crypto.decrypt_str(self.to_enc)
        if not to:
            return ""
        if self.channel == self.Channel.SMS:
            return crypto.mask_phone(to)
        return crypto.mask_email(to)


class EmailSuppression(BaseModel):
    """An address that asked for no more notification e-mail (RFC 8058 one-click or the page).
    Replies written by agents still reach it: the customer asked us something."""

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=50, default="unsubscribed")

    class Meta:
        verbose_name = _("e-mail suppression")
        verbose_name_plural = _("e-mail suppressions")

    def __str__(self) -> str:
        return f"{self.reason} {self.address_hash[:8]}"
