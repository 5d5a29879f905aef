"""Work orders (工单): tickets, their timeline, SLA policies, macros and compensation."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shopdesk.accounts.models import BusinessCalendar, Customer, Merchant, Team
from shopdesk.core.models import BaseModel
from shopdesk.orders.models import Order, OrderItem
from shopdesk.tickets.states import (
    ACTIVE_STATUSES,
    AuthorKind,
    Channel,
    EventType,
    Party,
    Priority,
    TicketStatus,
)


class BilingualName(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Category(BilingualName, BaseModel):
    """A kind of problem (DESIGN §3 list, editable in the admin)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]


class Tag(BaseModel):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(BaseModel):
    """Conditions -> targets. The first active policy (by position) whose conditions all match
    wins; an empty condition list matches anything."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    category_codes = models.JSONField(_("categories"), default=list, blank=True)
    customer_tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    parties = models.JSONField(_("responsible parties"), default=list, blank=True)
    first_reply_minutes = models.PositiveIntegerField(_("first reply within (minutes)"))
    next_reply_minutes = models.PositiveIntegerField(
        _("next reply within (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the team's calendar, or 24x7 when the team has none."),
    )
    escalate_notify_supervisor = models.BooleanField(
        _("on breach: notify supervisor"), default=True
    )
    escalate_raise_priority = models.BooleanField(_("on breach: raise priority"), default=False)
    escalate_reassign = models.BooleanField(_("on breach: reassign"), default=False)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


_ACTIVE = Q(status__in=sorted(ACTIVE_STATUSES))


class Ticket(BaseModel):
    # Not auto_now_add: intake from e-mail, imports and the demo give the real moment.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # Every write bumps the version; writers compare-and-set on it so none loses an update.
    version = models.PositiveIntegerField(default=1)
    subject = models.CharField(_("subject"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    order_item = models.ForeignKey(
        OrderItem,
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    responsible_party = models.CharField(
        _("responsible party"), max_length=10, choices=Party.choices, default=Party.PLATFORM
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    # A retried intake (API idempotency key, a re-delivered e-mail) finds this and makes nothing.
    intake_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("complaint about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )

    # SLA clocks: *_warn_at is 80 % of the target in business time, *_due_at the target.
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_reply_warn_at = models.DateTimeField(null=True, blank=True)
    first_reply_due_at = models.DateTimeField(_("first reply due"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    next_reply_warn_at = models.DateTimeField(null=True, blank=True)
    next_reply_due_at = models.DateTimeField(_("next reply due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    merchant_warn_at = models.DateTimeField(null=True, blank=True)
    merchant_due_at = models.DateTimeField(_("merchant must reply by"), null=True, blank=True)
    # The earliest pending warning or deadline: what the scan and the queues sort on.
    sla_next_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused at"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    # Which warnings/breaches have fired, e.g. {"first_reply": {"warned": iso, "breached": iso}}.
    sla_marks = models.JSONField(default=dict, blank=True)

    handoff_count = models.PositiveSmallIntegerField(_("hand-offs"), default=0)
    bounce_count = models.PositiveSmallIntegerField(_("bounces"), default=0)
    last_handoff_from = models.CharField(max_length=10, choices=Party.choices, blank=True)
    handoff_reason = models.CharField(_("hand-off reason"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    customer_last_message_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("reply_ticket", "Can reply to tickets"),
            ("assign_ticket", "Can assign and transfer tickets"),
            ("override_ticket", "Can override assignment and approve bounces"),
            ("view_ticket_stats", "Can view ticket statistics"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_5",
            ),
        ]
        # The work queues read only active tickets in SLA-due order: partial indexes on exactly
        # that (about a tenth of the rows) give ordered scans that stop after one page.
        indexes = [
            models.Index(
                fields=["assignee", "sla_due_at", "id"],
                name="ticket_active_assignee_idx",
                condition=_ACTIVE,
            ),
            models.Index(
                fields=["team", "sla_due_at", "id"],
                name="ticket_active_team_idx",
                condition=_ACTIVE,
            ),
            models.Index(
                fields=["sla_due_at", "id"], name="ticket_active_due_idx", condition=_ACTIVE
            ),
            models.Index(
                fields=["sla_due_at", "id"],
                name="ticket_unassigned_due_idx",
                condition=_ACTIVE & Q(assignee__isnull=True, responsible_party=Party.PLATFORM),
            ),
            models.Index(fields=["status", "sla_due_at"], name="ticket_status_due_idx"),
            models.Index(
                fields=["sla_next_at"],
                name="ticket_sla_next_idx",
                condition=Q(sla_next_at__isnull=False),
            ),
            models.Index(fields=["customer", "created_at"], name="ticket_customer_idx"),
            models.Index(
                fields=["merchant", "responsible_party", "status"], name="ticket_merchant_idx"
            ),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(
                fields=["resolved_at"],
                name="ticket_resolved_idx",
                condition=Q(status="resolved"),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_paused(self) -> bool:
        return self.sla_paused_at is not None


class TicketEvent(BaseModel):
    """One line of the timeline: a message, an internal note, or something that happened."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    is_public = models.BooleanField(_("visible to the customer"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_kind = models.CharField(
        _("author"), max_length=10, choices=AuthorKind.choices, default=AuthorKind.SYSTEM
    )
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.type}"


class Attachment(BaseModel):
    event = models.ForeignKey(TicketEvent, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Macro(BaseModel):
    """A canned reply in both languages with variables such as {order_number}."""

    name = models.CharField(_("name"), max_length=100)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CompensationKind(models.TextChoices):
    COUPON = "coupon", _("coupon")
    POINTS = "points", _("points")
    PARTIAL_REFUND = "partial_refund", _("partial refund")


class CompensationStandard(BilingualName, BaseModel):
    """Scenario -> what may be given, with a limit per role; above it needs approval."""

    code = models.SlugField(_("scenario"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CompensationKind.choices)
    default_amount = models.DecimalField(_("default amount"), max_digits=10, decimal_places=2)
    agent_limit = models.DecimalField(
        _("agent limit"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    supervisor_limit = models.DecimalField(
        _("supervisor limit"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("compensation standard")
        verbose_name_plural = _("compensation standards")


class Compensation(BaseModel):
    class Status(models.TextChoices):
        GRANTED = "granted", _("granted")
        PENDING_APPROVAL = "pending_approval", _("waiting for approval")
        REJECTED = "rejected", _("rejected")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="compensations")
    standard = models.ForeignKey(CompensationStandard, on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=16, choices=CompensationKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
