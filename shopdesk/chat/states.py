"""Chat vocabularies: pure Python, no ORM."""

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChatStatus(models.TextChoices):
    BOT = "bot", _("with the assistant")
    WAITING = "waiting", _("waiting for an agent")
    ACTIVE = "active", pgettext_lazy("chat status", "active")
    CLOSED = "closed", _("closed")
    CONVERTED = "converted", _("made into a ticket")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("customer")
    AGENT = "agent", _("agent")
    BOT = "bot", _("assistant")
    SYSTEM = "system", _("system")


OPEN_STATUSES: Final = frozenset({ChatStatus.BOT, ChatStatus.WAITING, ChatStatus.ACTIVE})
# Words with which a customer asks the assistant for a person (转人工), matched whole.
HAND_OVER_WORDS: Final = frozenset({"转人工", "人工", "人工客服", "human", "agent", "person"})
