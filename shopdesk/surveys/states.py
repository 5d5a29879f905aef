"""Survey vocabularies: pure Python, no ORM."""

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionKind(models.TextChoices):
    LIKERT5 = "likert5", _("agreement or satisfaction, 1–5")
    RATING5 = "rating5", _("score, 1–5 stars")
    NPS10 = "nps10", _("likelihood to recommend, 0–10")
    EFFORT7 = "effort7", _("effort, 1–7")
    YES_NO = "yes_no", _("yes or no")
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TEXT = "text", _("free text")
    SHORT_TEXT = "short_text", _("short text (a title)")


# (lowest, highest) of each numeric kind; a yes/no answer is stored as 1 (yes) or 0 (no).
SCALES: Final[dict[str, tuple[int, int]]] = {
    QuestionKind.LIKERT5: (1, 5),
    QuestionKind.RATING5: (1, 5),
    QuestionKind.NPS10: (0, 10),
    QuestionKind.EFFORT7: (1, 7),
    QuestionKind.YES_NO: (0, 1),
}
NUMERIC_KINDS: Final = frozenset(SCALES)
CHOICE_KINDS: Final = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
TEXT_KINDS: Final = frozenset({QuestionKind.TEXT, QuestionKind.SHORT_TEXT})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", pgettext_lazy("questionnaire version", "published")
    RETIRED = "retired", _("retired")


class QuestionnaireKind(models.TextChoices):
    ORDER_EXPERIENCE = "order_experience", _("order and service experience")
    CSAT = "csat", _("after-service CSAT")
    RELATIONSHIP_NPS = "relationship_nps", _("relationship NPS")
    ORDER_REVIEW = "order_review", _("order review")
    CUSTOM = "custom", _("custom")


class Trigger(models.TextChoices):
    MANUAL = "manual", _("sent by hand")
    TICKET_RESOLVED = "ticket_resolved", _("ticket resolved")
    ORDER_DELIVERED = "order_delivered", _("order delivered + N days")
    PERIODIC = "periodic", _("periodic sample of active customers")
    IMPORT = "import", _("imported from elsewhere")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("to send")
    SENT = "sent", _("sent")
    OPENED = "opened", _("opened")
    ANSWERED = "answered", _("answered")
    EXPIRED = "expired", _("expired")
    SKIPPED = "skipped", _("not sent (limit or sampling)")


class ResponseStatus(models.TextChoices):
    PARTIAL = "partial", _("partly answered")
    COMPLETE = "complete", _("complete")


class ResponseSource(models.TextChoices):
    LINK = "link", _("invitation link")
    PORTAL = "portal", _("customer portal")
    IMPORT = "import", _("CSV import")
    OLIST = "olist", _("Olist reviews")
    API = "api", _("API")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PORTAL = "portal", _("portal")


# Segment fields every response keeps (also in anonymous mode), for the segment analysis.
SEGMENT_FIELDS: Final = (
    "channel",
    "merchant",
    "product_category",
    "customer_tier",
    "region",
    "agent",
)
