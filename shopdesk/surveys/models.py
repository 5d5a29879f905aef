"""Questionnaires (versioned, bilingual, dimensions → questions), surveys that distribute one
version, invitations with signed links, and responses.

A published version never changes: editing makes a new draft version (services). A response
keeps its answers as one JSON object keyed by question code, plus the numbers the reports
aggregate (overall, NPS, CSAT, effort, dimension scores) and the segment fields as columns, so a
report over a million responses is a handful of aggregate queries, not a million rows of answers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopdesk.core.models import BaseModel
from shopdesk.surveys.states import (
    Channel,
    InvitationStatus,
    QuestionKind,
    QuestionnaireKind,
    ResponseSource,
    ResponseStatus,
    Trigger,
    VersionStatus,
)


class Questionnaire(BaseModel):
    """A questionnaire family: its versions share a code and a purpose."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=QuestionnaireKind.choices,
        default=QuestionnaireKind.CUSTOM,
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # Built-in templates are copied, never edited in place.
    is_template = models.BooleanField(_("built-in template"), default=False)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.name_zh or self.code


class QuestionnaireVersion(BaseModel):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    thanks_zh = models.TextField(_("thank-you text (Chinese)"), blank=True)
    thanks_en = models.TextField(_("thank-you text (English)"), blank=True)
    # The question that measures overall satisfaction: the key-driver analysis explains it.
    overall_code = models.CharField(_("overall question"), max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1)  # compare-and-set of edits

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="survey_version_number_uq"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]),
                name="survey_version_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"


class Dimension(BaseModel):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.SlugField(_("code"), max_length=60)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Weight in the satisfaction index (0–100); equal by default.
    weight = models.FloatField(_("weight in the satisfaction index"), default=1.0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="survey_dimension_code_uq")
        ]

    def __str__(self) -> str:
        return self.name_zh or self.code


class Question(BaseModel):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    dimension = models.ForeignKey(
        Dimension, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text_zh = models.CharField(_("text (Chinese)"), max_length=500)
    text_en = models.CharField(_("text (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    # A choice question lists its options as value + zh + en labels, e.g. value "fast".
    options = models.JSONField(_("options"), default=list, blank=True)
    # Shown only when another answer meets a condition: {"question": "overall", "op": "<=",
    # "value": 2} (ops: <=, >=, ==, !=); empty = always shown.
    show_if = models.JSONField(_("show when"), default=dict, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="survey_question_code_uq")
        ]

    def __str__(self) -> str:
        return self.text_zh or self.code


class Survey(BaseModel):
    """One distribution of a published questionnaire version: who is asked, when, how."""

    name = models.CharField(_("name"), max_length=200)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="surveys"
    )
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL
    )
    delay_days = models.PositiveSmallIntegerField(_("days after the event"), default=0)
    period_days = models.PositiveSmallIntegerField(_("every N days (periodic)"), default=90)
    sample_rate = models.FloatField(_("share of customers asked (0–1)"), default=1.0)
    sample_size = models.PositiveIntegerField(_("customers per periodic round"), default=500)
    # No more than one invitation per customer within this many days, across all surveys.
    per_customer_days = models.PositiveSmallIntegerField(_("per-customer limit (days)"), default=30)
    link_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=14)
    reminder_days = models.PositiveSmallIntegerField(
        _("one reminder after (days, 0 = none)"), default=3
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)  # Channel values
    anonymous = models.BooleanField(
        _("anonymous (responses keep segments, not the customer)"), default=False
    )
    merchant = models.ForeignKey(
        "accounts.Merchant",
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last distributed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name


class Invitation(BaseModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "accounts.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    # The link carries a random token; only its keyed hash is stored (a leaked table opens
    # no survey). One response per invitation.
    token_hash = models.CharField(max_length=64, unique=True)
    # The token itself, encrypted at rest, so the one reminder repeats the same link (the
    # first message's link keeps working).
    link_enc = models.TextField(blank=True, default="")
    expires_at = models.DateTimeField(_("link expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["customer", "created_at"], name="survey_invite_customer_idx"),
            models.Index(fields=["survey", "status"], name="survey_invite_status_idx"),
        ]
        constraints = [
            # One invitation per survey and ticket / order: triggers may run twice.
            models.UniqueConstraint(
                fields=["survey", "ticket"],
                condition=Q(ticket__isnull=False),
                name="survey_invite_ticket_uq",
            ),
            models.UniqueConstraint(
                fields=["survey", "order"],
                condition=Q(order__isnull=False),
                name="survey_invite_order_uq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer_id or '-'}"


class Response(BaseModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    # None in anonymous surveys; the segment columns below are kept either way.
    customer = models.ForeignKey(
        "accounts.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=8, choices=ResponseSource.choices)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ResponseStatus.choices,
        default=ResponseStatus.PARTIAL,
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # By question code: a number, a text, or a list of chosen option values.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # What the reports aggregate, computed from the answers when submitted.
    overall = models.FloatField(_("overall satisfaction"), null=True, blank=True)
    nps = models.SmallIntegerField(_("likelihood to recommend (0–10)"), null=True, blank=True)
    csat = models.SmallIntegerField(_("CSAT rating (1–5)"), null=True, blank=True)
    effort = models.SmallIntegerField(_("effort (1–7)"), null=True, blank=True)
    scores = models.JSONField(_("dimension means"), default=dict, blank=True)
    # Segments, as columns for grouping.
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    merchant = models.ForeignKey(
        "accounts.Merchant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_category = models.CharField(_("product category"), max_length=100, blank=True)
    customer_tier = models.CharField(_("customer tier"), max_length=16, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(
                fields=["survey", "status", "submitted_at"], name="survey_resp_report_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "external_id"],
                condition=~Q(external_id=""),
                name="survey_resp_external_uq",
            ),
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__gte=0, nps__lte=10),
                name="survey_resp_nps_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class ResponseTally(models.Model):
    """Running sums of complete responses per survey, local day and key, kept as responses are
    submitted or imported (see surveys/tallies.py): a report over a million responses adds up
    a few thousand rows instead of reading a million answers.

    Keys: `h:overall`, `h:csat`, `h:nps:promoter|passive|detractor`, `h:effort`;
    `q:<question>:<value>` (answer counts); `d:<dimension>` (dimension means);
    `s:<segment>:<value>` (overall by segment group); `o:<measure>:<band>` (overall by
    operations band: first reply, resolution, delivery delay, bounces).
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tallies")
    day = models.DateField()
    key = models.CharField(max_length=200)
    n = models.BigIntegerField(default=0)
    total = models.FloatField(default=0.0)
    squares = models.FloatField(default=0.0)
    top = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "day", "key"], name="survey_tally_uq")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.day} {self.key}"
