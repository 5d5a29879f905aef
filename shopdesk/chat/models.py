"""Live chat: widgets a shop embeds, chat sessions and their numbered messages."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.chat.states import AuthorKind, ChatStatus
from shopdesk.core import crypto
from shopdesk.core.models import BaseModel
from shopdesk.tickets.models import Ticket


def new_key() -> str:
    """A random public key: unguessable, so it can serve as a bearer secret in URLs."""
    return secrets.token_urlsafe(24)


class ChatWidget(BaseModel):
    """The chat box a shop embeds in its site with widget.js."""

    key = models.CharField(_("key"), max_length=64, unique=True, default=new_key)
    name = models.CharField(_("name"), max_length=100)
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat_widgets",
    )
    # Origins allowed to frame the widget page ("https://shop.example"); empty = none.
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    greeting_zh = models.CharField(_("greeting (Chinese)"), max_length=300, blank=True)
    greeting_en = models.CharField(_("greeting (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")

    def __str__(self) -> str:
        return self.name


class ChatSession(BaseModel):
    key = models.CharField(_("key"), max_length=64, unique=True, default=new_key)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat_sessions",
    )
    # What the visitor typed in the pre-chat form, encrypted like Customer's contact data.
    visitor_name_enc = models.TextField(blank=True, default="")
    visitor_contact_enc = models.TextField(blank=True, default="")
    widget = models.ForeignKey(
        ChatWidget,
        verbose_name=_("widget"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat_sessions",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_sessions",
    )
    first_reply_due_at = models.DateTimeField(_("first reply due"), null=True, blank=True)
    first_agent_reply_at = models.DateTimeField(_("first agent reply at"), null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_sessions",
    )
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The seq of the newest message, so unread counts need no query.
    last_seq = models.PositiveIntegerField(default=0)
    customer_read_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    hand_over_reason = models.CharField(_("hand-over reason"), max_length=200, blank=True)
    # What the bot concluded (intent, sentiment, ...), kept for the agent and the ticket.
    bot_classification = models.JSONField(_("assistant's classification"), default=dict)
    # Every write bumps the version; writers compare-and-set on it (or on the status).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        permissions = [("work_chat", "Can answer chats")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChatStatus.values), name="chatsession_status_valid"
            )
        ]
        indexes = [
            models.Index(fields=["status", "first_reply_due_at"], name="chat_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk}"

    @property
    def visitor_name_masked(self) -> str:
        return crypto.mask_name(crypto.decrypt_str(self.visitor_name_enc))

    @property
    def visitor_contact_masked(self) -> str:
        contact = crypto.decrypt_str(self.visitor_contact_enc)
        return crypto.mask_email(contact) if "@" in contact else crypto.mask_phone(contact)


class ChatMessage(models.Model):
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(blank=True)
    attachment = models.FileField(upload_to="chat/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="chatmessage_session_seq_uq")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq}"
